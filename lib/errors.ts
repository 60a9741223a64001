import { IConstruct } from 'constructs';

/**
 * A problem with the input given to a stagegraph construct, found at synth time.
 *
 * The message says what is wrong, the value given and what is allowed, and ends with the
 * construct path, for example
 * `memorySize must be between 128 and 10240 MB (given 100) in App/Stack/Thumbnail`.
 */
export class StageValidationError extends Error {
  /** The path of the construct whose input is wrong. */
  public readonly constructPath: string;

  constructor(scope: IConstruct, message: string) {
    super(`${message} in ${scope.node.path}`);
    this.name = 'StageValidationError';
    this.constructPath = scope.node.path;
  }
}

/**
 * A build of function code that could not run or failed: names the command and carries its output.
 */
export class StageBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StageBuildError';
  }
}

/**
 * A problem with the local cloud: not installed, not running, not reachable, or an app not deployed to
 * it. The message says what happened and what to do next; `exitCode` is what the CLI exits with.
 */
export class LocalCloudError extends Error {
  /** 3: the local cloud is not running or not reachable; 4: the app or function is not deployed; 1: anything else. */
  public readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'LocalCloudError';
    this.exitCode = exitCode;
  }
}

/** A command line the CLI cannot act on (a missing file, an event that is not JSON): exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
