import * as fs from 'fs';
import * as path from 'path';

/** The folder relative code paths are resolved against, and how it was found. */
export interface AppRoot {
  /** An absolute folder. */
  readonly dir: string;
  /** How it was found, for messages, e.g. `the folder of cdk.json above the entry file /app/bin/app.ts`. */
  readonly reason: string;
}

/** What {@link findAppRoot} looks from; both are taken from the running process unless given. */
export interface AppRootHints {
  /**
   * The app's entry file.
   * @default - the main module's file, else `process.argv[1]`
   */
  readonly entry?: string;
  /**
   * The working directory.
   * @default process.cwd()
   */
  readonly cwd?: string;
}

/**
 * The root of the CDK app: the folder of the nearest `cdk.json` above the app's entry file, else above the
 * working directory, else the working directory itself.
 *
 * The entry file comes first because it does not depend on where the process was started:
 * `npx cdk synth` runs `bin/app.ts` below the root, and `npx tsx /some/app/bin/app.ts` started elsewhere
 * still finds `/some/app`. An entry inside `node_modules` is a tool (Jest, the stagegraph CLI), not the
 * app, so it is skipped: a test run from `test/` then finds the `cdk.json` above its working directory.
 */
export function findAppRoot(hints: AppRootHints = {}): AppRoot {
  const cwd = path.resolve(hints.cwd ?? process.cwd());
  const entry = hints.entry ?? require.main?.filename ?? process.argv[1];
  if (entry !== undefined && entry.length > 0) {
    const entryFile = path.resolve(cwd, entry);
    const dir = entryFile.split(path.sep).includes('node_modules')
      ? undefined
      : folderOfCdkJson(path.dirname(entryFile));
    if (dir !== undefined) {
      return { dir, reason: `the folder of cdk.json above the entry file ${entryFile}` };
    }
  }
  const dir = folderOfCdkJson(cwd);
  if (dir !== undefined) {
    return { dir, reason: `the folder of cdk.json above the working directory ${cwd}` };
  }
  return { dir: cwd, reason: 'the working directory, as no cdk.json is above the entry file or the working directory' };
}

/** A code path made absolute: a relative one is resolved against the app root. */
export interface CodePath {
  /** The path as given. */
  readonly given: string;
  /** The absolute path. */
  readonly path: string;
  /** The app root the path was resolved against; undefined when the path was already absolute. */
  readonly root?: AppRoot;
}

/** Resolves a path given to `StageCode.from*` against the app root (an absolute path stays as it is). */
export function resolveCodePath(given: string, hints: AppRootHints = {}): CodePath {
  if (path.isAbsolute(given)) {
    return { given, path: path.normalize(given) };
  }
  const root = findAppRoot(hints);
  return { given, path: path.resolve(root.dir, given), root };
}

/** How a relative path was resolved, to add to a message about it; empty for an absolute path. */
export function describeResolution(location: CodePath): string {
  return location.root
    ? ` (given '${location.given}', resolved against the app root ${location.root.dir}: ${location.root.reason})`
    : '';
}

function folderOfCdkJson(start: string): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'cdk.json'))) {
      return dir;
    }
    if (path.dirname(dir) === dir) {
      return undefined;
    }
  }
}
