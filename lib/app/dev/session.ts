import * as fs from 'fs';
import * as path from 'path';
import type * as Esbuild from 'esbuild';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaSdk } from '../../aws-sdk';
import { watch, FSWatcher } from 'chokidar';
import { LocalCloudError } from '../../errors';
import { withLocalAwsEnvironment } from '../../local/deploy';
import { localClientConfig } from '../../local/endpoint';
import { cdkAppCommand } from '../../project';
import { deployLocal, LocalStackDeployment } from '../deploy';
import { ensureLocalCloud } from '../local-run';
import { Progress, QUIET } from '../progress';
import { synthesizeApp } from '../synth';
import { DevApp, DevFunction, devFunctionsOf, functionsOfFile, isWithin, readDevApp } from './dev-app';
import { rebuildCode, swapCode } from './swap';
import { STATE_FOLDER } from '../../state-folder';

/** What happens in a dev session, as it happens. */
export type DevEvent =
  | { readonly type: 'watching'; readonly dir: string; readonly functions: number }
  | { readonly type: 'changed'; readonly files: readonly string[] }
  | {
      readonly type: 'swapped';
      readonly id: string;
      /** From the change seen to the new code in place. */
      readonly millis: number;
      readonly buildMillis: number;
    }
  | { readonly type: 'unchanged'; readonly id: string }
  | { readonly type: 'deploying'; readonly reason: string }
  | { readonly type: 'deployed'; readonly millis: number; readonly stacks: readonly LocalStackDeployment[] }
  | { readonly type: 'failed'; readonly what: string; readonly message: string };

/** Options of {@link DevSession}. */
export interface DevSessionOptions {
  /** The folder of cdk.json. */
  readonly projectDir: string;
  /** The cloud assembly folder. @default `<projectDir>/cdk.out` */
  readonly outdir?: string;
  /** Shows the start (install, start, first deploy). @default {@link QUIET} */
  readonly progress?: Progress;
  /** Sees every {@link DevEvent}. */
  readonly onEvent?: (event: DevEvent) => void;
  /**
   * How long to wait after a change for more changes before acting (an editor saving several files).
   * @default 20
   */
  readonly settleMillis?: number;
  /**
   * Checks the app's functions once it is synthesized, before the local cloud starts and before the first deploy:
   * an error it throws stops the start with nothing started or deployed (`--debug` of a name the app lacks).
   * @default - the start synthesizes and deploys in one step
   */
  readonly checkFunctions?: (functions: readonly DevFunction[]) => void;
}

/** Folders and files below the project that never start a rebuild or a deploy, at any depth. */
const IGNORED_PARTS = new Set([
  'node_modules',
  '.git',
  STATE_FOLDER,
  'cdk.out',
  '__pycache__',
  '.venv',
  '.idea',
  '.vscode',
  '.pytest_cache',
  '.mypy_cache',
]);
/**
 * Build output, ignored but below the top of a function's source folder, where the builders count it in the asset
 * hash: a Java package named `target` or a Node.js `lib/dist` module is source; a front end's `web/dist` is not.
 */
const IGNORED_AT_TOP = new Set(['dist', 'target', 'venv', 'coverage']);
/** Files outside the functions' code whose change is a change of the app's infrastructure. */
const INFRASTRUCTURE_FILE = /\.(ts|tsx|js|mjs|cjs|json)$/;

/**
 * The source files of the CDK app itself: the entry file the `app` command of cdk.json runs and everything it
 * imports from the project (esbuild follows the imports; packages are left out). A change to one of them is a change
 * of the infrastructure, even below a function's source folder. Undefined when the entry cannot be told.
 */
export async function appSourceFiles(projectDir: string): Promise<ReadonlySet<string> | undefined> {
  let command: string;
  try {
    command = cdkAppCommand(projectDir);
  } catch {
    return undefined;
  }
  const entry = command
    .split(/\s+/)
    .map(token => token.replace(/^['"]|['"]$/g, ''))
    .find(token => /\.(ts|tsx|js|mjs|cjs)$/.test(token) && fs.existsSync(path.resolve(projectDir, token)));
  if (!entry) return undefined;
  try {
    // esbuild loads here, not at `import 'stagegraph'` (about 7 ms).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
    const result = await (require('esbuild') as typeof Esbuild).build({
      entryPoints: [path.resolve(projectDir, entry)],
      absWorkingDir: projectDir,
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      packages: 'external',
      logLevel: 'silent',
    });
    return new Set(Object.keys(result.metafile.inputs).map(input => path.resolve(projectDir, input)));
  } catch {
    return undefined;
  }
}

/**
 * Whether a path below the project is never watched: tool folders, build output (but below the top of a function's
 * source folder, `sourceDirs`), editors' temporary files.
 */
export function ignoredPath(
  roots: readonly string[],
  file: string,
  outdir?: string,
  sourceDirs: readonly string[] = [],
): boolean {
  const root = roots.find(dir => isWithin(dir, file));
  if (root === undefined) return true;
  const resolved = path.resolve(file);
  const relative = path.relative(root, resolved);
  if (outdir && isWithin(path.resolve(outdir), resolved)) return true;
  const parts = relative.split(path.sep);
  const name = parts[parts.length - 1] ?? '';
  const sources = sourceDirs.map(dir => path.resolve(dir));
  let folder = path.resolve(root);
  for (const part of parts) {
    // A build output name is source only below the top of a function's folder (a Java package named `target`).
    const source = () => sources.some(dir => isWithin(dir, folder, false));
    if (IGNORED_PARTS.has(part) || part.startsWith('cdk.out') || (IGNORED_AT_TOP.has(part) && !source())) {
      return true;
    }
    folder = path.join(folder, part);
  }
  return name.endsWith('~') || /^\.#|\.sw[a-p]$|\.tmp$/.test(name);
}

/**
 * The local debug sandbox's inner loop: starts the local cloud, deploys the app, then watches the project.
 *
 * A change to a function's code rebuilds that function alone (with the same build and cache as a synth) and puts
 * the new code in place with Lambda's UpdateFunctionCode: no synth, no CloudFormation deploy; the next invocation
 * runs it in a new environment. A change to any other source of the app (its constructs, a trigger, a flow)
 * synthesizes the app and deploys it, and CloudFormation updates only the stacks that changed.
 */
export class DevSession {
  readonly #options: DevSessionOptions;
  readonly #projectDir: string;
  readonly #outdir: string;
  #app: DevApp | undefined;
  /** The CDK app's own source files (see {@link appSourceFiles}). */
  #appFiles: ReadonlySet<string> | undefined;
  #watcher: FSWatcher | undefined;
  #lambda: LambdaClient | undefined;
  /** The code each function runs now, by function id: a change that builds the same code swaps nothing. */
  readonly #running = new Map<string, string>();
  /** Build options that dev adds to a function's own (a Go function debugged is built for Delve). */
  readonly #buildOverrides = new Map<string, Record<string, unknown>>();
  #pending = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #busy: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: DevSessionOptions) {
    this.#options = options;
    this.#projectDir = path.resolve(options.projectDir);
    this.#outdir = path.resolve(this.#projectDir, options.outdir ?? 'cdk.out');
  }

  /** The app as deployed now. */
  public get app(): DevApp | undefined {
    return this.#app;
  }

  /** Starts the local cloud when needed, deploys the app and starts watching; resolves once it watches. */
  public async start(): Promise<readonly LocalStackDeployment[]> {
    const progress = this.#options.progress ?? QUIET;
    // Not an app folder: said before anything starts.
    cdkAppCommand(this.#projectDir);
    const check = this.#options.checkFunctions;
    if (check) {
      // Synthesized first and deployed from the assembly it wrote, so that the check comes before any start; in the
      // environment a deploy synthesizes in (the local account and region, not the user's AWS credentials).
      await progress.step('Building the app', () =>
        withLocalAwsEnvironment(() => synthesizeApp({ projectDir: this.#projectDir, outdir: this.#outdir })),
      );
      check(devFunctionsOf(this.#outdir));
    }
    await ensureLocalCloud(this.#projectDir, progress);
    const stacks = await progress.step('Building and deploying the app to the local cloud', update =>
      deployLocal({
        projectDir: this.#projectDir,
        outdir: this.#outdir,
        ...(check ? { assemblyDir: this.#outdir } : {}),
        onStackProgress: p => update(`${p.stackName} ${p.completed}${p.total ? `/${p.total}` : ''} resources`),
      }),
    );
    await this.refresh();
    this.#lambda = new (lambdaSdk().LambdaClient)(localClientConfig());
    const watcher = watch(this.roots(), {
      ignoreInitial: true,
      ignored: (file: string) => ignoredPath(this.roots(), file, this.#outdir, this.#app?.sourceDirs),
    });
    this.#watcher = watcher;
    await new Promise<void>((resolve, reject) => {
      watcher.once('ready', resolve);
      watcher.once('error', reject);
    });
    watcher.on('all', (event, file) => {
      if (event === 'add' || event === 'change' || event === 'unlink') this.changed(file);
    });
    this.emit({ type: 'watching', dir: this.#projectDir, functions: this.#app?.functions.length ?? 0 });
    return stacks;
  }

  /** Waits until every change seen so far is rebuilt, swapped or deployed. */
  public async idle(): Promise<void> {
    while (this.#timer !== undefined || this.#pending.size > 0) {
      await new Promise(resolve => setTimeout(resolve, 10));
    }
    await this.#busy;
  }

  /** Stops watching; the local cloud keeps running. */
  public async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
    await this.#watcher?.close();
    await this.#busy.catch(() => undefined);
    this.#lambda?.destroy();
  }

  /** The project, and the source folders of functions outside it. */
  private roots(): string[] {
    const outside = (this.#app?.sourceDirs ?? []).filter(dir => !isWithin(this.#projectDir, dir));
    return [this.#projectDir, ...outside];
  }

  private emit(event: DevEvent): void {
    this.#options.onEvent?.(event);
  }

  private async refresh(): Promise<void> {
    this.#app = await readDevApp(this.#outdir);
    this.#appFiles = await appSourceFiles(this.#projectDir);
    this.#running.clear();
    for (const fn of this.#app.functions) if (fn.assetHash) this.#running.set(fn.id, fn.assetHash);
  }

  private changed(file: string): void {
    if (this.#closed) return;
    if (!this.#pending.has(file)) this.#pending.set(file, performance.now());
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const batch = this.#pending;
      this.#pending = new Map();
      this.#busy = this.#busy.then(() => this.handle(batch)).catch(() => undefined);
    }, this.#options.settleMillis ?? 20);
  }

  private async handle(batch: ReadonlyMap<string, number>): Promise<void> {
    if (this.#closed || !this.#app) return;
    const files = [...batch.keys()];
    this.emit({ type: 'changed', files: files.map(f => path.relative(this.#projectDir, f)) });
    const seen = Math.min(...batch.values());
    const app = this.#app;
    const functions = new Map<string, DevFunction>();
    const infrastructure: string[] = [];
    for (const file of files) {
      const owners = functionsOfFile(app, file);
      for (const fn of owners) functions.set(fn.id, fn);
      // A file the app imports is infrastructure wherever it is (a Node.js entry's folder may hold the stacks too).
      const ofTheApp = this.#appFiles ? this.#appFiles.has(path.resolve(file)) : false;
      if (ofTheApp || (owners.length === 0 && INFRASTRUCTURE_FILE.test(file))) infrastructure.push(file);
    }
    if (infrastructure.length > 0) {
      // A synth builds every changed function too: one deploy takes care of both.
      await this.deploy(path.relative(this.#projectDir, infrastructure[0]));
      return;
    }
    await Promise.all([...functions.values()].map(fn => this.swap(fn, seen)));
  }

  /**
   * Builds a function for its debugger when its language needs a build of its own (Go: with debug information for
   * Delve) and swaps that build in; later changes keep building it so. Other languages need nothing.
   */
  public async buildForDebugger(id: string): Promise<void> {
    const fn = this.#app?.functions.find(f => f.id === id);
    if (!fn || fn.source.language !== 'go') return;
    this.#buildOverrides.set(id, { debug: true });
    const start = performance.now();
    this.#busy = this.#busy.then(() => this.swap(fn, start)).catch(() => undefined);
    await this.#busy;
  }

  private async swap(given: DevFunction, seen: number): Promise<void> {
    const override = this.#buildOverrides.get(given.id);
    const fn = override
      ? { ...given, source: { ...given.source, options: { ...given.source.options, ...override } } }
      : given;
    try {
      const built = performance.now();
      const code = rebuildCode(fn, this.#outdir);
      const buildMillis = performance.now() - built;
      if (this.#running.get(fn.id) === code.assetHash) {
        this.emit({ type: 'unchanged', id: fn.id });
        return;
      }
      const functionName = this.#app?.functionNames.get(fn.id);
      if (!functionName || !this.#lambda) {
        throw new LocalCloudError(`${fn.id} is not deployed: run \`stagegraph local deploy\``, 4);
      }
      await swapCode(this.#lambda, functionName, code.dir);
      this.#running.set(fn.id, code.assetHash);
      this.emit({ type: 'swapped', id: fn.id, millis: performance.now() - seen, buildMillis });
    } catch (error) {
      this.emit({ type: 'failed', what: `rebuilding ${fn.id}`, message: (error as Error).message });
    }
  }

  private async deploy(reason: string): Promise<void> {
    this.emit({ type: 'deploying', reason });
    const started = performance.now();
    try {
      const stacks = await deployLocal({ projectDir: this.#projectDir, outdir: this.#outdir });
      await this.refresh();
      this.#watcher?.add(this.roots());
      // The deploy put the app's own build back: a function built for its debugger gets that build again.
      for (const id of this.#buildOverrides.keys()) {
        const fn = this.#app?.functions.find(f => f.id === id);
        if (fn) await this.swap(fn, performance.now());
      }
      this.emit({ type: 'deployed', millis: performance.now() - started, stacks });
    } catch (error) {
      this.emit({ type: 'failed', what: 'deploying the app', message: (error as Error).message });
    }
  }
}
