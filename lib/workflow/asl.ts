/**
 * The Amazon States Language as the flow nodes render it: JSONPath query language only (LocalStack
 * core cannot run JSONata). Values may hold CDK tokens (function ARNs); the FunctionGraph resolves them.
 */

/** One retrier of a state. */
export interface AslRetrier {
  readonly ErrorEquals: string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

/** One catcher of a state. */
export interface AslCatcher {
  readonly ErrorEquals: string[];
  readonly ResultPath?: string | null;
  readonly Next: string;
}

/** One rule of a Choice state: a comparison, or a combination of rules. */
export interface AslChoiceRule {
  readonly [field: string]: unknown;
}

/** A state: the fields of every state type, as ASL names them. */
export interface AslState {
  readonly Type: 'Task' | 'Pass' | 'Choice' | 'Wait' | 'Succeed' | 'Fail' | 'Parallel' | 'Map';
  readonly Comment?: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly [field: string]: unknown;
}

/** States and where they start: a whole state machine, a Parallel branch or a Map's item processor. */
export interface AslStates {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
}

/** A whole state machine definition. */
export interface AslDefinition extends AslStates {
  readonly Comment?: string;
  readonly TimeoutSeconds?: number;
  readonly QueryLanguage?: 'JSONPath';
}

/** Error names a retry or catch can match, as Step Functions spells them. */
export class FlowErrors {
  /** Any error but `States.Runtime`. */
  public static readonly ALL = 'States.ALL';
  /** A node ran longer than its timeout, or a callback got no answer in time. */
  public static readonly TIMEOUT = 'States.Timeout';
  /** A function or task failed with an error the runtime reported. */
  public static readonly TASK_FAILED = 'States.TaskFailed';
  /** The flow had no permission to run a node. */
  public static readonly PERMISSIONS = 'States.Permissions';
  /** A branch of a parallel node failed. */
  public static readonly BRANCH_FAILED = 'States.BranchFailed';
  /** No branch of a choice matched and it has no default. */
  public static readonly NO_CHOICE_MATCHED = 'States.NoChoiceMatched';
  /** A result did not fit the result path. */
  public static readonly RESULT_PATH_MATCH_FAILURE = 'States.ResultPathMatchFailure';
  /** A callback's heartbeat did not come in time. */
  public static readonly HEARTBEAT_TIMEOUT = 'States.HeartbeatTimeout';
  /** The transient errors of the Lambda service: retried on every function node unless switched off. */
  public static readonly LAMBDA_SERVICE_ERRORS: readonly string[] = [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
  ];

  private constructor() {}
}
