import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { LanguageBuilder } from './builder';

/** How a function of a language is named to Lambda: its handler, and the runtime when the options choose one. */
export interface LanguageEntry {
  readonly handler: string;
  /** @default - the language's default runtime */
  readonly runtime?: Runtime;
}

/**
 * One language stagegraph builds and runs, described in one place: the shape of SST's runtime handlers.
 *
 * Each `languages/<language>.ts` exports one; `languages/registry.ts` lists them. `StageCode`,
 * `StageFunction` and the local cloud's install read them from there.
 *
 * @typeParam O the options of the language's `StageCode.fromX` factory
 * @typeParam Id the language id
 */
export interface LanguageSupport<O = never, Id extends string = string> {
  /** The language id, a `StageLanguage` value: `StageFunction.language`, and part of the asset hash. */
  readonly language: Id;
  /** The runtime of code whose options choose none. */
  readonly defaultRuntime: Runtime;
  /** Whether a Lambda runtime runs this language's code (its family, and for some languages its name). */
  canRun(runtime: Runtime): boolean;
  /**
   * Whether a build holds machine code of the function's architecture (an executable, native wheels),
   * which a machine of another CPU cannot run in the local sandbox.
   */
  readonly nativeCode: boolean;
  /** The folder of a library (layer) that its runtime loads, e.g. `python` for `/opt/python`. */
  readonly libraryFolder: string;
  /** The builder of the code in `dir` (absolute). @throws StageBuildError when the folder holds no such code */
  builder(dir: string, options: O): LanguageBuilder;
  /** The handler and runtime the factory options give. */
  entry(options: O): LanguageEntry;
  /**
   * What `stagegraph local install` puts in place for this language.
   * @default - nothing: the local cloud runs the language with what it has
   */
  readonly local?: LocalSupport;
}

/** What the local cloud installs so that it can run a language's functions. */
export interface LocalSupport {
  /**
   * Pinned versions the install fetches, part of the install's stamp (a new pin reinstalls).
   * @default []
   */
  readonly pins?: readonly string[];
  /** The runtime interface clients to install on this machine, in order. */
  runtimeClients(context: LocalInstallContext): readonly RuntimeClientInstall[];
}

/** What the local install knows about this machine and where things go. */
export interface LocalInstallContext {
  /** The folder of the runtime interface clients, one subfolder each (`python3.11`, `java`). */
  readonly runtimeSupport: string;
  /** stagegraph's LocalStack extension in the package (`localstack/`), with its own build files. */
  readonly extensionDir: string;
  /** The Python versions of this machine that functions can run on, each with its interpreter. */
  readonly pythons: ReadonlyArray<{ readonly version: string; readonly executable: string }>;
}

/** One command of the local install that puts a runtime interface client in place. */
export interface RuntimeClientInstall {
  /** The progress line shown before it runs. */
  readonly step: string;
  readonly command: string;
  readonly args: readonly string[];
  /** What is installed, for messages: `the Java runtime interface client`. */
  readonly what: string;
  /** What to install when the command is missing: `a JDK and Apache Maven`. */
  readonly install: string;
}
