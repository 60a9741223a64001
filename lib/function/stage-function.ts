import { Annotations, Duration, Lazy, Names, RemovalPolicy, Token } from 'aws-cdk-lib';
import { Effect, IPrincipal, IRole, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Alias,
  Architecture,
  CfnFunction,
  Function as LambdaFunction,
  IFunction,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { ILogGroup, LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { StageValidationError } from '../errors';
import { InlinePolicyRole } from '../inline-policy-role';
import { acceptNagFindings } from '../nag-metadata';
import { cpuOf } from './languages/builder';
import { LANGUAGES, StageLanguage } from './languages/registry';
import { hostCpu } from './native-architecture';
import { sharedDeadLetterQueue, validateDuration, validateWholeNumber } from './private/validate';
import { StageFunctionBase } from './stage-function-base';
import {
  MAX_EVENT_AGE_RANGE,
  MAX_LIBRARIES,
  MEMORY_SIZE_RANGE,
  RETRY_ATTEMPTS_RANGE,
  StageFunctionProps,
  TIMEOUT_RANGE,
} from './stage-function-props';
import type { ITrigger } from './trigger';
import { checkTraffic, FunctionTraffic, FunctionUsage, USAGE_METADATA } from '../usage';
import { FunctionFact, MODEL_METADATA, SourceFact } from '../model';
import { functionPlacement } from './placement';
import { topLevelStack } from '../stack-singleton';
import { FunctionLogs } from './function-logs';

/**
 * A FunctionStage function: code plus a memory size.
 *
 * Synthesizes to a Lambda function and its execution role, with no custom resource; the function writes to its
 * stack's one log group ({@link FunctionLogs}), which has a retention. The role has no managed policy: its one inline
 * policy allows writing to the function's own streams of that group, and every grant to the function. Failed
 * asynchronous events are kept in a dead-letter queue by default.
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
  /**
   * The log group the function writes to: its stack's {@link FunctionLogs} group, shared with the stack's other
   * functions (the function's streams are `YYYY/MM/DD/<function name>[<version>]<id>`), or its own,
   * `/aws/lambda/<function name>`, when `logRetention` or `logRemovalPolicy` is given.
   */
  public readonly logGroup: ILogGroup;
  /** The runtime the code runs on. */
  public readonly runtime: Runtime;
  /** The language stagegraph built the code from; undefined for code from OBS. */
  public readonly language?: StageLanguage;
  /** Where the code is built from (for `stagegraph dev`). */
  private readonly source?: SourceFact;
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
  /** The stack's function log group, when the function writes to it. */
  private readonly sharedLogs?: FunctionLogs;

  constructor(scope: Construct, id: string, props: StageFunctionProps) {
    // Where its stack's resources allow: in a nested stack of functions when the stack opted in.
    super(...functionPlacement(scope, id));
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
    this.source = config._source;
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
    // Every function of the stack writes to the stack's one log group (its streams are named after it), unless it
    // keeps logs of its own: a group named as Lambda's default, made before the function so that it keeps its
    // retention.
    const ownLogs = props.logRetention !== undefined || props.logRemovalPolicy !== undefined;
    const sharedLogs = ownLogs ? undefined : FunctionLogs.of(this);
    this.sharedLogs = sharedLogs;
    let logGroup: ILogGroup;
    if (sharedLogs) {
      logGroup = sharedLogs.logGroup;
      for (const statement of sharedLogs.statementsFor(this, functionName)) role.addToPrincipalPolicy(statement);
      acceptNagFindings(role.cfnRole, [sharedLogs.nagAcceptance(this, functionName)]);
    } else {
      logGroup = new LogGroup(this, 'LogGroup', {
        logGroupName: `/aws/lambda/${functionName}`,
        retention: props.logRetention ?? RetentionDays.ONE_MONTH,
        removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
      });
      // logs:CreateLogStream and logs:PutLogEvents on the group's ARN, `.../log-group:<name>:*`: its streams. The
      // statement `logGroup.grantWrite(role)` makes, put straight into the inline policy (a grant's checks of
      // accounts and resource policies cost 0.1 ms a function, and cannot apply to a group in the function's own
      // stack).
      role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      );
    }
    this.logGroup = logGroup;

    const tracing = props.tracing ?? Tracing.DISABLED;
    this.lambda = new LambdaFunction(this, 'Function', {
      code: config.code,
      runtime: config.runtime,
      handler: config.handler,
      memorySize: props.memorySize,
      timeout: this.timeout,
      // Written when x86_64 too: a function changed back from arm64 must say so (a deploy that drops the property
      // need not reset it).
      architecture: this.architecture,
      environment: props.environment,
      description: props.description,
      functionName,
      tracing,
      ...(props.loggingFormat ? { loggingFormat: props.loggingFormat } : {}),
      // LoggingConfig.LogGroup, the group's Ref: the function is made after it (its environments log while they
      // start), and the L2 makes no group of its own (as it does with `@aws-cdk/aws-lambda:useCdkManagedLogGroup`).
      logGroup,
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
    }

    this.node.addMetadata(
      MODEL_METADATA,
      Lazy.any({ produce: () => ({ function: this.fact(props, functionName, config.handler, libraries) }) }),
    );

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
        // The top-level stack: a function in a nested stack of functions is metered by its stack's meter.
        stackPath: topLevelStack(this).node.path,
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

  /** The plain facts renderers for other targets read: recorded as `MODEL_METADATA`. */
  private fact(
    props: StageFunctionProps,
    functionName: string,
    handler: string,
    libraries: readonly { readonly node: { readonly path: string } }[],
  ): FunctionFact {
    const code = (this.lambda.node.defaultChild as CfnFunction).code as CfnFunction.CodeProperty;
    const retention = this.sharedLogs?.retention ?? props.logRetention ?? RetentionDays.ONE_MONTH;
    return {
      path: this.node.path,
      functionName,
      runtime: this.runtime.name,
      ...(this.language ? { language: this.language } : {}),
      handler,
      memoryMb: this.memorySize,
      timeoutSeconds: this.timeout.toSeconds(),
      architecture: this.architecture.name,
      ...(props.environment ? { environment: props.environment } : {}),
      ...(props.description ? { description: props.description } : {}),
      libraries: libraries.map(library => library.node.path),
      ...(props.reservedInstances !== undefined ? { reservedInstances: props.reservedInstances } : {}),
      ...(props.retryAttempts !== undefined ? { retryAttempts: props.retryAttempts } : {}),
      ...(props.maxEventAge !== undefined ? { maxEventAgeSeconds: props.maxEventAge.toSeconds() } : {}),
      deadLetter: this.deadLetterQueue !== undefined,
      ...(retention === RetentionDays.INFINITE ? {} : { logRetentionDays: retention }),
      ...(this.language === undefined ? { codeObject: { bucket: code.s3Bucket, key: code.s3Key } } : {}),
      ...(this.source ? { source: this.source } : {}),
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
