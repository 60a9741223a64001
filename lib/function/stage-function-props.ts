import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { Architecture, LoggingFormat, Tracing } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { FunctionTraffic } from '../usage';
import type { StageCode } from './stage-code';
import type { StageLibrary } from './stage-library';
import type { ITrigger } from './trigger';

/** Memory sizes Lambda accepts, in MB. */
export const MEMORY_SIZE_RANGE = { min: 128, max: 10240 } as const;
/** Timeouts Lambda accepts, in seconds. */
export const TIMEOUT_RANGE = { min: 1, max: 900 } as const;
/** Retries of a failed asynchronous invocation that Lambda accepts. */
export const RETRY_ATTEMPTS_RANGE = { min: 0, max: 2 } as const;
/** Ages of an asynchronous event that Lambda accepts, in seconds. */
export const MAX_EVENT_AGE_RANGE = { min: 60, max: 6 * 3600 } as const;
/** Libraries (layers) one function can use. */
export const MAX_LIBRARIES = 5;

/** The id of the dead-letter queue that the functions of a stack share. */
export const SHARED_DEAD_LETTER_QUEUE_ID = 'StageDeadLetters';

/** Properties of a {@link StageFunction}: code and a memory size; everything else has a default. */
export interface StageFunctionProps {
  /** The function's code: `StageCode.fromNodejs/fromPython/fromJava/fromGo(dir)` or `StageCode.fromObs`. */
  readonly code: StageCode;
  /**
   * Memory in MB, whole MB from 128 to 10240. CPU is allotted in proportion, and billing is
   * duration times memory.
   */
  readonly memorySize: number;
  /**
   * How long one invocation may run, whole seconds from 1 to 900.
   * @default Duration.seconds(30) - enough for a Java cold start in the local sandbox
   */
  readonly timeout?: Duration;
  /**
   * The CPU architecture the code is built for and runs on.
   * @default Architecture.X86_64 - the same artifact runs in the local sandbox on x86 machines;
   * ARM_64 is about 20% cheaper on AWS
   */
  readonly architecture?: Architecture;
  /**
   * Environment variables of the function.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * A description of the function.
   * @default - none
   */
  readonly description?: string;
  /**
   * The name of the function, at most 64 characters.
   * @default - the stack name, the construct path and a hash (`Stack-Thumbnail-1A2B3C4D`, at most 64
   * characters): known before deployment, so the role may write to the function's own log streams only
   */
  readonly functionName?: string;
  /**
   * How long the function's logs are kept. Given, the function has a log group of its own,
   * `/aws/lambda/<function name>`, with this retention.
   * @default - the function writes to its stack's one log group, {@link FunctionLogs} (a month, unless the stack's
   * `FunctionLogs` says otherwise), in streams named after it
   */
  readonly logRetention?: RetentionDays;
  /**
   * What happens to the function's own log group when the function is removed from the stack. Given, the function
   * has a log group of its own, as with `logRetention`.
   * @default - the stack's function log group (`RemovalPolicy.DESTROY` unless its `FunctionLogs` says otherwise); with
   * `logRetention`, `RemovalPolicy.DESTROY`: the group is named after the function and useless without it
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * The format of the function's logs: `LoggingFormat.TEXT`, or `LoggingFormat.JSON` (the runtime writes
   * console lines as JSON objects, the platform writes `platform.start` and `platform.report` events).
   * The billing meter reads both.
   * @default LoggingFormat.TEXT
   */
  readonly loggingFormat?: LoggingFormat;
  /**
   * X-Ray tracing.
   * @default Tracing.DISABLED
   */
  readonly tracing?: Tracing;
  /**
   * Libraries (layers) of the function, at most 5, built for the same runtime family.
   * @default - none
   */
  readonly libraries?: StageLibrary[];
  /**
   * Reserved instances: this many execution environments are kept initialized behind an alias
   * named `live` (provisioned concurrency), and triggers invoke that alias.
   * @default - none: environments start on demand
   */
  readonly reservedInstances?: number;
  /**
   * How often a failed asynchronous invocation (OBS, SMN, Timer triggers) is retried, 0 to 2.
   * @default 2
   */
  readonly retryAttempts?: number;
  /**
   * How long an asynchronous event may wait to be processed, 60 seconds to 6 hours.
   * @default Duration.hours(6)
   */
  readonly maxEventAge?: Duration;
  /**
   * Keep asynchronous events that still fail after the retries in an SQS queue.
   * @default true
   */
  readonly deadLetterQueueEnabled?: boolean;
  /**
   * The queue that keeps failed asynchronous events.
   * @default - one queue shared by the functions of the stack, `StageDeadLetters`, keeping messages 14 days,
   * encrypted with SQS-managed keys and refusing requests without TLS (`aws:SecureTransport`)
   */
  readonly deadLetterQueue?: IQueue;
  /**
   * Event sources of the function; the same as calling `addTrigger` for each.
   * @default - none
   */
  readonly triggers?: ITrigger[];
  /**
   * The traffic you expect, for `stagegraph cost` and `estimateCost`.
   * @default - no traffic of its own (flows that invoke it still count)
   */
  readonly traffic?: FunctionTraffic;
}
