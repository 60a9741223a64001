import * as fs from 'fs';
import * as path from 'path';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { StageBuildError } from '../../errors';

/** Where a build puts its output: a function's code, or a library (layer) in the layout its runtime expects. */
export enum BuildTarget {
  FUNCTION = 'function',
  LIBRARY = 'library',
}

/** What a builder needs to know about the function or library it builds for. */
export interface BuildSettings {
  readonly architecture: Architecture;
  readonly runtime: Runtime;
  readonly target: BuildTarget;
  /**
   * The construct path of the function or library built, for messages; it never changes the output.
   * @default - not named
   */
  readonly owner?: string;
}

/** The settings of a build that change its output, as plain JSON. */
export type BuildDescription = Record<string, string | number | boolean | readonly string[]>;

/**
 * One language's Docker-free build: turns a source folder into the files of a Lambda code package.
 *
 * Each language's {@link LanguageSupport} makes its builder; each uses its language's own toolchain.
 */
export interface LanguageBuilder {
  /** The language id (`StageLanguage`), which also names its build cache entries. */
  readonly language: string;
  /** The folder whose content decides the asset hash. */
  readonly sourceDir: string;
  /**
   * Paths below `sourceDir` that never change the output (build folders, caches): CDK glob patterns, where a name
   * alone matches at any depth; one that starts with `/` matches from `sourceDir` only.
   */
  readonly exclude: readonly string[];
  /**
   * Every setting that changes the output, as plain JSON: it is part of the asset hash, so it
   * must not hold machine-specific values such as absolute paths.
   */
  describe(settings: BuildSettings): BuildDescription;
  /** Builds into `outputDir`, which exists and is empty. Throws StageBuildError on failure. */
  build(outputDir: string, settings: BuildSettings): void;
}

/**
 * What every builder shares: its language, source folder and exclusions, and a description that starts
 * with the language and the target (the order is part of the asset hash).
 */
export abstract class SourceBuilder implements LanguageBuilder {
  protected constructor(
    public readonly language: string,
    public readonly sourceDir: string,
    public readonly exclude: readonly string[],
  ) {}

  public describe(settings: BuildSettings): BuildDescription {
    return { language: this.language, target: settings.target, ...this.describeOutput(settings) };
  }

  public abstract build(outputDir: string, settings: BuildSettings): void;

  /** The language's own settings that change the output. */
  protected abstract describeOutput(settings: BuildSettings): BuildDescription;
}

/**
 * A source folder made absolute and checked: it must hold `marker` (such as `go.mod`), or, without one,
 * be a folder.
 * @throws StageBuildError with the message `problem` makes of the absolute folder
 */
export function sourceFolder(dir: string, marker: string | undefined, problem: (dir: string) => string): string {
  const resolved = path.resolve(dir);
  const found =
    marker === undefined
      ? fs.existsSync(resolved) && fs.statSync(resolved).isDirectory()
      : fs.existsSync(path.join(resolved, marker));
  if (!found) {
    throw new StageBuildError(problem(resolved));
  }
  return resolved;
}

/** The CPU of an architecture in the names Go and pip use. */
export function cpuOf(architecture: Architecture): 'x86_64' | 'arm64' {
  return architecture.name === Architecture.ARM_64.name ? 'arm64' : 'x86_64';
}
