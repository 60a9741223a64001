import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';

/** The languages a StageFunction can be written in: a closed set. */
export enum StageLanguage {
  /** JavaScript or TypeScript, bundled with esbuild. */
  NODEJS = 'nodejs',
  /** Python sources plus requirements installed with pip. */
  PYTHON = 'python',
  /** A Maven project packaged with its dependencies. */
  JAVA = 'java',
  /** A Go main package built into an executable named `bootstrap`. */
  GO = 'go',
}

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

/**
 * One language's Docker-free build: turns a source folder into the files of a Lambda code package.
 *
 * Builders form a registry keyed by {@link StageLanguage}; each uses its language's own toolchain.
 */
export interface LanguageBuilder {
  readonly language: StageLanguage;
  /** The folder whose content decides the asset hash. */
  readonly sourceDir: string;
  /** Paths below `sourceDir` that never change the output (build folders, caches). */
  readonly exclude: readonly string[];
  /**
   * Every setting that changes the output, as plain JSON: it is part of the asset hash, so it
   * must not hold machine-specific values such as absolute paths.
   */
  describe(settings: BuildSettings): Record<string, string | number | boolean | readonly string[]>;
  /** Builds into `outputDir`, which exists and is empty. Throws StageBuildError on failure. */
  build(outputDir: string, settings: BuildSettings): void;
}

/** The CPU of an architecture in the names Go and pip use. */
export function cpuOf(architecture: Architecture): 'x86_64' | 'arm64' {
  return architecture.name === Architecture.ARM_64.name ? 'arm64' : 'x86_64';
}
