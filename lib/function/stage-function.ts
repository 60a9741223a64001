import { Annotations, Duration, Lazy, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Effect, IPrincipal, IRole, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Alias,
  Architecture,
  CfnFunction,
  Function as LambdaFunction,
  IFunction,
  LoggingFormat,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { ILogGroup, LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { StageValidationError } from '../errors';
import { InlinePolicyRole } from '../inline-policy-role';
import { acceptNagFindings } from '../nag-metadata';
import { stackSingleton } from '../stack-singleton';
import { cpuOf } from './languages/builder';
import { LANGUAGES, StageLanguage } from './languages/registry';
import { hostCpu } from './native-architecture';
import { StageCode } from './stage-code';
import { StageFunctionBase } from './stage-function-base';
import { StageLibrary } from './stage-library';
import type { ITrigger } from './trigger';
import { checkTraffic, FunctionTraffic, FunctionUsage, USAGE_METADATA } from '../usage';

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
   * characters): known before deployment, so the role may write to the function's own log group only
   */
  readonly functionName?: string;
  /**
   * How long the function's logs are kept, in its own log group `/aws/lambda/<function name>`.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * What happens to the log group when the function is removed from the stack.
   * @default RemovalPolicy.DESTROY - the group is named after the function and useless without it
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

/**
 * A FunctionStage function: code plus a memory size.
 *
 * Synthesizes to a Lambda function, its execution role and an explicit log group with a retention,
 * with no custom resource. The role has no managed policy: its one inline policy allows writing to
 * the function's own log group, and every grant to the function. Failed asynchronous events are kept
 * in a dead-letter queue by default.
 *
 * @example
 * new StageFunction(this, 'Hello', {
 *   code: StageCode.fromNodejs('functions/hello'),
 *   memorySize: 256,
 * });
 */
export class StageFunction extends StageFunctionBase {
  public readonly functionName: string;
  public readonly functionArn: string;
  public readonly invokeTarget: IFunction;
  /** The underlying Lambda function, for everything stagegraph does not wrap. */
  public readonly lambda: LambdaFunction;
  /**
   * The execution role. Grants to it, to the function (`bucket.grantRead(fn)`) and to `lambda` all go
   * into the role's one inline policy: no IAM policy resource.
   */
  public readonly role: IRole;
  /** The execution role, adding statements to its inline policy: `bucket.grantRead(fn)` and the like. */
  public readonly grantPrincipal: IPrincipal;
  /** The function's log group, `/aws/lambda/<function name>`. */
  public readonly logGroup: ILogGroup;
  /** The runtime the code runs on. */
  public readonly runtime: Runtime;
  /** The language stagegraph built the code from; undefined for code from OBS. */
  public readonly language?: StageLanguage;
  /** Memory in MB. */
  public readonly memorySize: number;
  /** The timeout of one invocation. */
  public readonly timeout: Duration;
  /** The architecture of the code. */
  public readonly architecture: Architecture;
  /** The queue that keeps failed asynchronous events, if enabled. */
  public readonly deadLetterQueue?: IQueue;
  /** The `live` alias, when reserved instances are set. */
  public readonly alias?: Alias;
  /** The traffic declared for estimates. */
  public readonly traffic?: FunctionTraffic;

  constructor(scope: Construct, id: string, props: StageFunctionProps) {
    super(scope, id);
    validateWholeNumber(this, 'memorySize', props.memorySize, MEMORY_SIZE_RANGE, 'MB');
    this.timeout = props.timeout ?? Duration.seconds(30);
    validateDuration(this, 'timeout', this.timeout, TIMEOUT_RANGE);
    if (props.retryAttempts !== undefined) {
      validateWholeNumber(this, 'retryAttempts', props.retryAttempts, RETRY_ATTEMPTS_RANGE, 'retries');
    }
    if (props.maxEventAge !== undefined) {
      validateDuration(this, 'maxEventAge', props.maxEventAge, MAX_EVENT_AGE_RANGE);
    }
    if (
      props.reservedInstances !== undefined &&
      !Token.isUnresolved(props.reservedInstances) &&
      (!Number.isInteger(props.reservedInstances) || props.reservedInstances < 1)
    ) {
      throw new StageValidationError(
        this,
        `reservedInstances must be a whole number of at least 1 (given ${props.reservedInstances}); leave it out for none`,
      );
    }
    const libraries = props.libraries ?? [];
    if (libraries.length > MAX_LIBRARIES) {
      throw new StageValidationError(
        this,
        `a function takes at most ${MAX_LIBRARIES} libraries (given ${libraries.length})`,
      );
    }

    this.memorySize = props.memorySize;
    if (props.traffic) {
      const problem = checkTraffic('traffic.invocationsPerMonth', props.traffic.invocationsPerMonth);
      if (problem) throw new StageValidationError(this, problem);
      this.traffic = props.traffic;
    }
    this.node.addMetadata(USAGE_METADATA, Lazy.any({ produce: () => this.usage() }));
    this.architecture = props.architecture ?? Architecture.X86_64;
    const config = props.code.bind(this, { architecture: this.architecture });
    this.runtime = config.runtime;
    this.language = config.language;
    for (const library of libraries) {
      if (library.runtime.family !== this.runtime.family) {
        throw new StageValidationError(
          this,
          `library ${library.node.path} is built for ${library.runtime.name}, which cannot be used by ${this.runtime.name} (allowed: a library of the same language)`,
        );
      }
    }

    if (props.deadLetterQueueEnabled !== false) {
      this.deadLetterQueue = props.deadLetterQueue ?? sharedDeadLetterQueue(this);
    } else if (props.deadLetterQueue) {
      throw new StageValidationError(this, 'deadLetterQueue is given but deadLetterQueueEnabled is false: choose one');
    }

    // Every grant to the function goes into one inline policy of its role: no IAM policy resource
    // per function, whatever triggers and grants it has, and no managed policy.
    const role = new InlinePolicyRole(this, 'ExecutionRole', {
      roleId: 'ServiceRole',
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      policyName: 'StageFunction',
    });
    this.role = role;
    this.grantPrincipal = role;
    if (this.deadLetterQueue) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['sqs:SendMessage'],
          resources: [this.deadLetterQueue.queueArn],
        }),
      );
    }

    // The name is known before deployment: the log group, and the role's permission to write to it,
    // name it without referring to the function, which refers to the role.
    const functionName = props.functionName ?? Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    // Lambda writes to /aws/lambda/<name> (LocalStack too, whatever LoggingConfig says), so the
    // explicit group carries that name; created before the function, it keeps its retention.
    const logGroup = new LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.logGroup = logGroup;
    // logs:CreateLogStream and logs:PutLogEvents on the group's ARN, `.../log-group:<name>:*`: its streams.
    logGroup.grantWrite(role);

    const tracing = props.tracing ?? Tracing.DISABLED;
    this.lambda = new LambdaFunction(this, 'Function', {
      code: config.code,
      runtime: config.runtime,
      handler: config.handler,
      memorySize: props.memorySize,
      timeout: this.timeout,
      architecture: this.architecture,
      environment: props.environment,
      description: props.description,
      functionName,
      tracing,
      ...(props.loggingFormat ? { loggingFormat: props.loggingFormat } : {}),
      layers: libraries.map(library => library.layer),
      role,
    });
    if (tracing !== Tracing.DISABLED) {
      acceptNagFindings(role.cfnRole, [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support only Resource *',
          appliesTo: ['Resource::*'],
        },
      ]);
    }
    if (this.deadLetterQueue) {
      // Set on the resource directly: the L2 property would grant again through a separate policy.
      (this.lambda.node.defaultChild as CfnFunction).deadLetterConfig = { targetArn: this.deadLetterQueue.queueArn };
    }
    if (props.retryAttempts !== undefined || props.maxEventAge !== undefined) {
      this.lambda.configureAsyncInvoke({ retryAttempts: props.retryAttempts, maxEventAge: props.maxEventAge });
    }

    if (props.reservedInstances !== undefined) {
      this.alias = new Alias(this, 'Live', {
        aliasName: 'live',
        version: this.lambda.currentVersion,
        provisionedConcurrentExecutions: props.reservedInstances,
      });
      // Provisioned environments log while they start: the group must exist first.
      this.alias.node.addDependency(logGroup);
    }

    this.functionName = this.lambda.functionName;
    this.functionArn = this.lambda.functionArn;
    this.invokeTarget = this.alias ?? this.lambda;
    this.warnIfNotRunnableHere();
    for (const trigger of props.triggers ?? []) {
      this.addTrigger(trigger);
    }
  }

  /** The facts estimates and bills read: recorded as `USAGE_METADATA`. */
  private usage(): { readonly function: FunctionUsage } {
    return {
      function: {
        path: this.node.path,
        stackPath: Stack.of(this).node.path,
        memoryMb: this.memorySize,
        architecture: this.architecture.name,
        ...(this.traffic
          ? {
              invocationsPerMonth: this.traffic.invocationsPerMonth,
              averageDurationMillis: this.traffic.averageDuration.toMilliseconds(),
            }
          : {}),
      },
    };
  }

  /** Adds an event source (OBS, SMN, HTTP, DIS, DMS, Timer): calls `trigger.bind(this)`. */
  public addTrigger(trigger: ITrigger): void {
    trigger.bind(this);
  }

  /** Native code built for another CPU than this machine's cannot run in the local sandbox. */
  private warnIfNotRunnableHere(): void {
    const host = hostCpu();
    const native = this.language !== undefined && LANGUAGES[this.language].nativeCode;
    if (native && host && cpuOf(this.architecture) !== host) {
      Annotations.of(this).addWarningV2(
        'stagegraph:architecture-mismatch',
        `built for ${cpuOf(this.architecture)}, so this ${host} machine cannot run it in the local sandbox`,
      );
    }
  }
}

/** The stack's shared dead-letter queue, found or created. */
function sharedDeadLetterQueue(scope: Construct): IQueue {
  return stackSingleton<IQueue>(
    scope,
    SHARED_DEAD_LETTER_QUEUE_ID,
    stack =>
      new Queue(stack, SHARED_DEAD_LETTER_QUEUE_ID, {
        retentionPeriod: Duration.days(14),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      }),
  );
}

interface Range {
  readonly min: number;
  readonly max: number;
}

function validateWholeNumber(scope: Construct, name: string, value: number, range: Range, unit: string): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new StageValidationError(
      scope,
      `${name} must be a whole number from ${range.min} to ${range.max} ${unit} (given ${value})`,
    );
  }
}

function validateDuration(scope: Construct, name: string, value: Duration, range: Range): void {
  if (value.isUnresolved()) {
    return;
  }
  const millis = value.toMilliseconds();
  if (millis % 1000 !== 0 || millis < range.min * 1000 || millis > range.max * 1000) {
    throw new StageValidationError(
      scope,
      `${name} must be whole seconds from ${range.min} to ${range.max} seconds (given ${value.toHumanString()})`,
    );
  }
}
