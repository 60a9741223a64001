import { IConstruct } from 'constructs';

/** What went wrong, as the kinds of stagegraph's own errors tell it. */
export enum StagegraphErrorKind {
  /** Input to a construct, a trigger, a flow or a billing model that is not allowed; found at synth time. */
  VALIDATION = 'validation',
  /** A build tool or the app's own synthesis that could not run or failed. */
  TOOLCHAIN = 'toolchain',
  /** The local cloud: not installed, not running, not reachable, or the app not deployed to it. */
  LOCAL_CLOUD = 'local-cloud',
  /** A command line the CLI cannot act on. */
  USAGE = 'usage',
}

/**
 * The base of every error stagegraph throws on purpose: its message says what happened and what to do, so the
 * CLI prints the message alone (and the stack only with `--stack-trace`); any other error is a defect, printed with
 * its stack.
 */
export abstract class StagegraphError extends Error {
  /** What kind of problem it is. */
  public abstract readonly kind: StagegraphErrorKind;

  protected constructor(message: string) {
    super(message);
    // The class's own name (`LocalCloudError`, ...), for stacks and for `error.name` checks.
    this.name = new.target.name;
  }
}

/**
 * Input that is not allowed where no construct is involved (a billing model, a setting, a flow name, a `--since`,
 * a folder without cdk.json): validation kind, exit code 1.
 */
export class StageInputError extends StagegraphError {
  public readonly kind = StagegraphErrorKind.VALIDATION;

  constructor(message: string) {
    super(message);
  }
}

/**
 * A problem with the input given to a stagegraph construct, found at synth time.
 *
 * The message says what is wrong, the value given and what is allowed, and ends with the
 * construct path, for example
 * `memorySize must be between 128 and 10240 MB (given 100) in App/Stack/Thumbnail`.
 */
export class StageValidationError extends StagegraphError {
  public readonly kind = StagegraphErrorKind.VALIDATION;
  /** The path of the construct whose input is wrong. */
  public readonly constructPath: string;

  constructor(scope: IConstruct, message: string) {
    super(`${message} in ${scope.node.path}`);
    this.constructPath = scope.node.path;
  }
}

/**
 * A build of function code that could not run or failed: names the command and carries its output.
 */
export class StageBuildError extends StagegraphError {
  public readonly kind = StagegraphErrorKind.TOOLCHAIN;

  constructor(message: string) {
    super(message);
  }
}

/**
 * A problem with the local cloud: not installed, not running, not reachable, or an app not deployed to
 * it. The message says what happened and what to do next; `exitCode` is what the CLI exits with.
 */
export class LocalCloudError extends StagegraphError {
  public readonly kind = StagegraphErrorKind.LOCAL_CLOUD;
  /** 3: the local cloud is not running or not reachable; 4: the app or function is not deployed; 1: anything else. */
  public readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** A command line the CLI cannot act on (a missing file, an event that is not JSON): exit code 2. */
export class UsageError extends StagegraphError {
  public readonly kind = StagegraphErrorKind.USAGE;

  constructor(message: string) {
    super(message);
  }
}

/**
 * An error in a trigger's settings, found when the trigger is created: names the trigger, the value and what is
 * allowed.
 */
export class TriggerValidationError extends StagegraphError {
  public readonly kind = StagegraphErrorKind.VALIDATION;

  constructor(trigger: string, message: string) {
    super(`${trigger}: ${message}`);
  }
}

/** A problem in a flow definition: names the node, the value given and what is allowed. */
export class FlowValidationError extends StagegraphError {
  public readonly kind = StagegraphErrorKind.VALIDATION;

  constructor(message: string) {
    super(message);
  }
}

/** One part of an app that a target cannot express. */
export interface TargetRefusal {
  /** The path of the construct concerned. */
  readonly constructPath: string;
  /** What is wrong: the value given and what is allowed. */
  readonly message: string;
}

/**
 * Parts of an app that a target other than AWS cannot express (a runtime FunctionGraph does not offer, a DMS trigger
 * without a Kafka instance, a flow node the FunctionGraph workflow API has no form for), refused when the app is
 * rendered for that target: each names the construct, the value given and what is allowed.
 */
export class TargetMappingError extends StagegraphError {
  public readonly kind = StagegraphErrorKind.VALIDATION;
  /** The path of the first construct that cannot be mapped. */
  public readonly constructPath: string;

  constructor(
    /** The target, e.g. `huawei`. */
    public readonly target: string,
    /** Every part refused, at least one. */
    public readonly refusals: readonly TargetRefusal[],
  ) {
    super(
      refusals.length === 1
        ? `${refusals[0].message} in ${refusals[0].constructPath} (target ${target})`
        : `${refusals.length} parts of the app cannot be mapped to the ${target} target:\n` +
            refusals.map(r => `  - ${r.message} in ${r.constructPath}`).join('\n'),
    );
    this.constructPath = refusals[0]?.constructPath ?? '';
  }
}
