import { DockerImage } from 'aws-cdk-lib';
import { Architecture, Code, Runtime } from 'aws-cdk-lib/aws-lambda';
import { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { StageBuildError, StageValidationError } from '../errors';
import { describeResolution, resolveCodePath } from './app-root';
import { BuildSettings, BuildTarget, LanguageBuilder } from './languages/builder';
import type { GoBuildOptions } from './languages/go';
import type { JavaCodeOptions } from './languages/java';
import { LanguageSupport } from './languages/language';
import type { NodejsCodeOptions } from './languages/nodejs';
import type { PythonCodeOptions } from './languages/python';
import { LANGUAGES, StageLanguage } from './languages/registry';
import { LocalBuild } from './local-build';
import { StagedCode } from './staged-code';
import type { SourceFact } from '../model';

/**
 * CDK asks for an image with every bundling option; stagegraph's builds always run locally, so this
 * name is never pulled (a build that cannot run locally fails with its own error instead).
 */
const NO_DOCKER_IMAGE = DockerImage.fromRegistry('stagegraph/local-build-only');

/** Options of {@link StageCode.fromObs}. */
export interface ObsCodeOptions {
  /** The runtime the code is built for. */
  readonly runtime: Runtime;
  /** The handler, in the runtime's own form (`index.handler`, `pkg.Class::method`, `bootstrap`). */
  readonly handler: string;
  /**
   * The version of the object.
   * @default - the latest version
   */
  readonly objectVersion?: string;
}

/** What a function needs to know to bind code. */
export interface StageCodeBindOptions {
  /** The architecture the code must be built for. */
  readonly architecture: Architecture;
}

/** Code bound to a function: the Lambda code, its runtime and handler. */
export interface StageCodeConfig {
  readonly code: Code;
  readonly runtime: Runtime;
  readonly handler: string;
  /** The language, when stagegraph builds the code. */
  readonly language?: StageLanguage;
  /**
   * Where the code is built from, when stagegraph builds it. @internal
   */
  readonly _source?: SourceFact;
}

/**
 * The code of a {@link StageFunction}: built from source without Docker with the local toolchain
 * of its language, or taken from an OBS (S3) object.
 *
 * Builds are deterministic and cached: the asset hash is taken from the source folder and the
 * build settings, so it changes only when one of them does.
 *
 * A relative path is resolved against the app root, not the working directory: the folder of the
 * nearest `cdk.json` above the app's entry file (`bin/app.ts`), else above the working directory, else
 * the working directory. So `StageCode.fromPython('functions/extract')` means the same folder under
 * `npx cdk synth`, `npx tsx bin/app.ts` and a Jest run from any folder of the app.
 */
export abstract class StageCode {
  /**
   * TypeScript or JavaScript, bundled with esbuild into one file.
   * @param entry the entry file, or a folder holding `index.ts`, `index.js`, `handler.ts` or `handler.js`;
   *   absolute, or relative to the app root (see {@link StageCode})
   */
  public static fromNodejs(entry: string, options: NodejsCodeOptions = {}): StageCode {
    return new BuiltCode(StageLanguage.NODEJS, LANGUAGES[StageLanguage.NODEJS], entry, options);
  }

  /**
   * Python sources, plus `requirements.txt` installed with pip as manylinux wheels for the function's
   * architecture and Python version.
   * @param dir the folder of the sources, absolute or relative to the app root
   */
  public static fromPython(dir: string, options: PythonCodeOptions = {}): StageCode {
    return new BuiltCode(StageLanguage.PYTHON, LANGUAGES[StageLanguage.PYTHON], dir, options);
  }

  /**
   * A Maven project, packaged with `mvn package`; its jar and runtime dependencies go under `lib/`.
   * @param dir the folder of `pom.xml`, absolute or relative to the app root
   */
  public static fromJava(dir: string, options: JavaCodeOptions): StageCode {
    return new BuiltCode(StageLanguage.JAVA, LANGUAGES[StageLanguage.JAVA], dir, options);
  }

  /**
   * A Go main package, built for Linux and the function's architecture into `bootstrap`
   * (runtime `provided.al2023`).
   * @param dir the module folder (holding `go.mod`), absolute or relative to the app root
   */
  public static fromGo(dir: string, options: GoBuildOptions = {}): StageCode {
    return new BuiltCode(StageLanguage.GO, LANGUAGES[StageLanguage.GO], dir, options);
  }

  /** A zip already in object storage (an OBS bucket). */
  public static fromObs(bucket: IBucket, key: string, options: ObsCodeOptions): StageCode {
    return new ObsCode(bucket, key, options);
  }

  /** Builds (or looks up) the code for a function or library at `scope`. */
  public abstract bind(scope: Construct, options: StageCodeBindOptions): StageCodeConfig;

  /** The same code as a library (layer) in the layout its runtime expects. @internal */
  public abstract _bindAsLibrary(scope: Construct, options: StageCodeBindOptions): StageCodeConfig;
}

class BuiltCode<O> extends StageCode {
  constructor(
    private readonly language: StageLanguage,
    private readonly support: LanguageSupport<O>,
    /** The path given to the factory: absolute, or relative to the app root. */
    private readonly given: string,
    private readonly options: O,
  ) {
    super();
  }

  public bind(scope: Construct, options: StageCodeBindOptions): StageCodeConfig {
    return this.bindAs(scope, options, BuildTarget.FUNCTION);
  }

  public _bindAsLibrary(scope: Construct, options: StageCodeBindOptions): StageCodeConfig {
    return this.bindAs(scope, options, BuildTarget.LIBRARY);
  }

  private bindAs(scope: Construct, options: StageCodeBindOptions, target: BuildTarget): StageCodeConfig {
    const entry = this.support.entry(this.options);
    const runtime = entry.runtime ?? this.support.defaultRuntime;
    if (!this.support.canRun(runtime)) {
      throw new StageValidationError(
        scope,
        `runtime ${runtime.name} cannot run ${this.language} code (given ${runtime.name}; allowed: a ${this.language} runtime such as ${this.support.defaultRuntime.name})`,
      );
    }
    const settings: BuildSettings = { architecture: options.architecture, runtime, target, owner: scope.node.path };
    const location = resolveCodePath(this.given);
    let builder: LanguageBuilder;
    let local: LocalBuild;
    try {
      builder = this.support.builder(location.path, this.options);
      local = new LocalBuild(builder, settings, assetHashSalt(scope));
    } catch (error) {
      if (error instanceof StageBuildError) {
        throw new StageValidationError(scope, `${error.message}${describeResolution(location)}`);
      }
      throw error;
    }
    // The hash is the build cache key, taken from the source once here: CDK fingerprints nothing. It is the same
    // whether CDK bundles the stack or skips it (`cdk deploy OtherStack`, `testApp()`), where nothing is built.
    const code = new StagedCode(builder.sourceDir, {
      assetHash: local.cacheKey(),
      bundling: { image: NO_DOCKER_IMAGE, local },
    });
    const source: SourceFact = {
      language: this.language,
      dir: location.path,
      sourceDir: builder.sourceDir,
      options: plainOptions(this.options),
    };
    return { code, runtime, handler: entry.handler, language: this.language, _source: source };
  }
}

/** The app's `@aws-cdk/core:assetHashSalt` context: CDK mixes it into every asset's fingerprint. */
function assetHashSalt(scope: Construct): string | undefined {
  const salt: unknown = scope.node.tryGetContext('@aws-cdk/core:assetHashSalt');
  return salt === undefined || salt === null ? undefined : String(salt);
}

/** Factory options as plain JSON: a runtime by its name, everything else as given. */
function plainOptions(options: unknown): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(options ?? {}, (_key, value: unknown) =>
      value instanceof Runtime ? { runtime: value.name } : value,
    ),
  ) as Record<string, unknown>;
}

/**
 * The code a {@link SourceFact} describes, made again the way the synth made it: `stagegraph dev` rebuilds one
 * function's code with it, so the asset hash and the build cache entry are the ones a synth would use.
 */
export function codeFromSource(source: SourceFact): StageCode {
  const language = source.language as StageLanguage;
  const support = LANGUAGES[language] as LanguageSupport<unknown> | undefined;
  if (!support) {
    throw new StageBuildError(
      `cannot rebuild code of language '${source.language}' (allowed: ${Object.keys(LANGUAGES).join(', ')})`,
    );
  }
  const options = JSON.parse(JSON.stringify(source.options), (_key, value: unknown) => {
    const named = value as { runtime?: unknown } | null;
    if (
      named &&
      typeof named === 'object' &&
      !Array.isArray(named) &&
      Object.keys(named).length === 1 &&
      typeof named.runtime === 'string'
    ) {
      return runtimeNamed(named.runtime);
    }
    return value;
  }) as unknown;
  return new BuiltCode(language, support, source.dir, options);
}

/** The Lambda runtime of a name (a name CDK does not list is made with the family its name says). */
export function runtimeNamed(name: string): Runtime {
  return Runtime.ALL.find(runtime => runtime.name === name) ?? new Runtime(name);
}

class ObsCode extends StageCode {
  constructor(
    private readonly bucket: IBucket,
    private readonly key: string,
    private readonly options: ObsCodeOptions,
  ) {
    super();
  }

  public bind(scope: Construct, _options: StageCodeBindOptions): StageCodeConfig {
    if (this.key.length === 0) {
      throw new StageValidationError(scope, 'StageCode.fromObs needs an object key (given an empty string)');
    }
    return {
      code: Code.fromBucket(this.bucket, this.key, this.options.objectVersion),
      runtime: this.options.runtime,
      handler: this.options.handler,
    };
  }

  public _bindAsLibrary(scope: Construct, options: StageCodeBindOptions): StageCodeConfig {
    return this.bind(scope, options);
  }
}
