import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Architecture, Code, Runtime, RuntimeFamily } from 'aws-cdk-lib/aws-lambda';
import { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { StageBuildError, StageValidationError } from '../errors';
import { describeResolution, resolveCodePath } from './app-root';
import { BuildSettings, BuildTarget, LanguageBuilder, StageLanguage } from './builders/builder';
import { GoBuilder, GoBuildOptions } from './builders/go';
import { JavaBuilder } from './builders/java';
import { LocalBuild } from './builders/local-build';
import { NodejsBuilder, NodejsBuildOptions } from './builders/nodejs';
import { PythonBuilder } from './builders/python';

/**
 * CDK asks for an image with every bundling option; stagegraph's builds always run locally, so this
 * name is never pulled (a build that cannot run locally fails with its own error instead).
 */
const NO_DOCKER_IMAGE = DockerImage.fromRegistry('stagegraph/local-build-only');

/** Default runtimes, one per language. Python matches the local sandbox's interpreter. */
export const DEFAULT_RUNTIMES: Readonly<Record<StageLanguage, Runtime>> = {
  [StageLanguage.NODEJS]: Runtime.NODEJS_22_X,
  [StageLanguage.PYTHON]: Runtime.PYTHON_3_11,
  [StageLanguage.JAVA]: Runtime.JAVA_21,
  [StageLanguage.GO]: Runtime.PROVIDED_AL2023,
};

/** Options of {@link StageCode.fromNodejs}. */
export interface NodejsCodeOptions extends NodejsBuildOptions {
  /**
   * The exported function that handles events.
   * @default 'handler'
   */
  readonly handler?: string;
  /**
   * A Node.js runtime.
   * @default Runtime.NODEJS_22_X
   */
  readonly runtime?: Runtime;
}

/** Options of {@link StageCode.fromPython}. */
export interface PythonCodeOptions {
  /**
   * The handler as `module.function`.
   * @default 'index.handler'
   */
  readonly handler?: string;
  /**
   * A Python runtime; requirements are installed for its version.
   * @default Runtime.PYTHON_3_11 - the Python of the local sandbox, so native wheels load there too
   */
  readonly runtime?: Runtime;
}

/** Options of {@link StageCode.fromJava}. */
export interface JavaCodeOptions {
  /** The handler: `package.Class` or `package.Class::method`. */
  readonly handler: string;
  /**
   * A Java runtime.
   * @default Runtime.JAVA_21
   */
  readonly runtime?: Runtime;
}


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
    return new BuiltCode(StageLanguage.NODEJS, entry, resolved => new NodejsBuilder(resolved, options), options.runtime,
      `index.${options.handler ?? 'handler'}`);
  }

  /**
   * Python sources, plus `requirements.txt` installed with pip as manylinux wheels for the function's
   * architecture and Python version.
   * @param dir the folder of the sources, absolute or relative to the app root
   */
  public static fromPython(dir: string, options: PythonCodeOptions = {}): StageCode {
    return new BuiltCode(StageLanguage.PYTHON, dir, resolved => new PythonBuilder(resolved), options.runtime, options.handler ?? 'index.handler');
  }

  /**
   * A Maven project, packaged with `mvn package`; its jar and runtime dependencies go under `lib/`.
   * @param dir the folder of `pom.xml`, absolute or relative to the app root
   */
  public static fromJava(dir: string, options: JavaCodeOptions): StageCode {
    return new BuiltCode(StageLanguage.JAVA, dir, resolved => new JavaBuilder(resolved), options.runtime, options.handler);
  }

  /**
   * A Go main package, built for Linux and the function's architecture into `bootstrap`
   * (runtime `provided.al2023`).
   * @param dir the module folder (holding `go.mod`), absolute or relative to the app root
   */
  public static fromGo(dir: string, options: GoBuildOptions = {}): StageCode {
    return new BuiltCode(StageLanguage.GO, dir, resolved => new GoBuilder(resolved, options), undefined, 'bootstrap');
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

const RUNTIME_FAMILIES: Readonly<Record<StageLanguage, RuntimeFamily>> = {
  [StageLanguage.NODEJS]: RuntimeFamily.NODEJS,
  [StageLanguage.PYTHON]: RuntimeFamily.PYTHON,
  [StageLanguage.JAVA]: RuntimeFamily.JAVA,
  [StageLanguage.GO]: RuntimeFamily.OTHER,
};

class BuiltCode extends StageCode {
  constructor(
    private readonly language: StageLanguage,
    /** The path given to the factory: absolute, or relative to the app root. */
    private readonly given: string,
    private readonly makeBuilder: (resolved: string) => LanguageBuilder,
    private readonly runtime: Runtime | undefined,
    private readonly handler: string,
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
    const runtime = this.runtime ?? DEFAULT_RUNTIMES[this.language];
    if (runtime.family !== RUNTIME_FAMILIES[this.language] || (this.language === StageLanguage.GO && !runtime.name.startsWith('provided'))) {
      throw new StageValidationError(scope,
        `runtime ${runtime.name} cannot run ${this.language} code (given ${runtime.name}; allowed: a ${this.language} runtime such as ${DEFAULT_RUNTIMES[this.language].name})`);
    }
    const settings: BuildSettings = { architecture: options.architecture, runtime, target, owner: scope.node.path };
    const location = resolveCodePath(this.given);
    let builder: LanguageBuilder;
    let local: LocalBuild;
    try {
      builder = this.makeBuilder(location.path);
      local = new LocalBuild(builder, settings);
    } catch (error) {
      if (error instanceof StageBuildError) {
        throw new StageValidationError(scope, `${error.message}${describeResolution(location)}`);
      }
      throw error;
    }
    const code = Code.fromAsset(builder.sourceDir, {
      assetHashType: AssetHashType.SOURCE,
      exclude: [...builder.exclude],
      bundling: { image: NO_DOCKER_IMAGE, local },
    });
    return { code, runtime, handler: this.handler, language: this.language };
  }
}

class ObsCode extends StageCode {
  constructor(private readonly bucket: IBucket, private readonly key: string, private readonly options: ObsCodeOptions) {
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
