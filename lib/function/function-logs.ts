import { ArnFormat, Aws, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { StageValidationError } from '../errors';
import { NagAcceptance, statementFindingsOf } from '../nag-metadata';
import { topLevelStack } from '../stack-singleton';

/** Properties of a stack's {@link FunctionLogs}. */
export interface FunctionLogsProps {
  /**
   * How long the functions' logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly retention?: RetentionDays;
  /**
   * What happens to the log group when it is removed from the stack.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The tag of each function that writes to a stack's function log group and that a billing meter meters, its value the
 * group's name: the meter may read the configuration of those functions only. A stack without a meter has no tag.
 */
export const FUNCTION_LOGS_TAG = 'stagegraph:function-logs';

/** The id a stack's function log group gets when a function makes it. */
export const FUNCTION_LOGS_ID = 'FunctionLogs';

/**
 * The one log group that the FunctionStage functions of a stack write to, through Lambda's `LoggingConfig`,
 * named `/aws/lambda/<stack name>/functions`. Lambda names each function's streams
 * `YYYY/MM/DD/<function name>[<version>]<environment id>`, and each function's role may put events into its own
 * streams only. A function with its own `logRetention` or `logRemovalPolicy` keeps a log group of its own instead.
 *
 * The first function of a stack makes it with the defaults; to choose the retention, make it yourself before the
 * first function, with the id `FunctionLogs` (another id is another logical id for the same group name: a stack
 * deployed before would fail to make it):
 *
 * @example
 * new FunctionLogs(stack, 'FunctionLogs', { retention: RetentionDays.ONE_WEEK });
 */
export class FunctionLogs extends Construct {
  /** The function log group of a scope's stack (the top-level one, through nested stacks), made when missing. */
  public static of(scope: IConstruct): FunctionLogs {
    const stack = topLevelStack(scope);
    return groups.get(stack) ?? new FunctionLogs(stack, FUNCTION_LOGS_ID);
  }

  /** The log group. */
  public readonly logGroup: LogGroup;
  /** Its name, `/aws/lambda/<stack name>/functions`: a function name cannot hold a `/`, so no function's own. */
  public readonly logGroupName: string;
  /** How long the functions' logs are kept. */
  public readonly retention: RetentionDays;
  private readonly findingsByStack = new WeakMap<Stack, string[]>();

  constructor(scope: Construct, id: string, props: FunctionLogsProps = {}) {
    super(scope, id);
    const stack = topLevelStack(this);
    const existing = groups.get(stack);
    if (existing) {
      throw new StageValidationError(
        this,
        `the stack already has a function log group, ${existing.node.path} (allowed: one per stack, made before the stack's first function)`,
      );
    }
    if (Stack.of(this) !== stack) {
      throw new StageValidationError(
        this,
        `a function log group belongs to a top-level stack, not the nested stack ${Stack.of(this).node.path}`,
      );
    }
    groups.set(stack, this);
    this.logGroupName = `/aws/lambda/${stack.stackName}/functions`;
    this.retention = props.retention ?? RetentionDays.ONE_MONTH;
    this.logGroup = new LogGroup(this, 'Group', {
      logGroupName: this.logGroupName,
      retention: this.retention,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
  }

  /**
   * What a function's role needs to write its logs here: creating streams in the group, and putting events into
   * the streams Lambda names after the function only (`.../log-stream:*\/<name>[*`), so that no function can write
   * lines into another's streams (the billing meter reads REPORT lines by stream).
   */
  public statementsFor(scope: IConstruct, functionName: string): PolicyStatement[] {
    // Formatted in the function's stack (a nested one, maybe) from the name: no reference to the parent stack.
    const stack = Stack.of(scope);
    // In a stack of no given account and region, the ARN as one Fn::Sub string rather than formatArn's Fn::Join of
    // its parts: the same ARN and the same cdk-nag findings, in a fifth of the role policy's bytes, which CDK's
    // template validation reads in every `cdk synth`. (A region or account given is written as formatArn writes it.)
    const agnostic = stack.region === Aws.REGION && stack.account === Aws.ACCOUNT_ID;
    const arn = (resourceName: string) =>
      agnostic && !Token.isUnresolved(resourceName)
        ? Fn.sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${resourceName}`)
        : stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            resourceName,
          });
    return [
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream'],
        resources: [arn(`${this.logGroupName}:*`)],
      }),
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:PutLogEvents'],
        resources: [arn(`${this.logGroupName}:log-stream:*/${functionName}[*`)],
      }),
    ];
  }

  /**
   * cdk-nag's IAM5 of the two statements of `statementsFor`, accepted with the reason: exactly their two resources'
   * findings, as resolved in the function's stack. For a name that is a token (known at deployment only), the two
   * findings by pattern instead, matched when the tree is validated, after every reference is resolved.
   */
  public nagAcceptance(scope: IConstruct, functionName: string): NagAcceptance {
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    return {
      id: 'AwsSolutions-IAM5',
      reason:
        "logs:CreateLogStream in the stack's function log group, logs:PutLogEvents into the function's own streams of it only: Lambda names them YYYY/MM/DD/<function>[<version>]<id>",
      appliesTo: Token.isUnresolved(functionName)
        ? [
            {
              regex: `/^Resource::arn:.+:logs:.+:${escape(`log-group:${this.logGroupName}:`)}(\\*|log-stream:\\*\\/[^/[]+\\[\\*)$/`,
            },
          ]
        : this.resourceFindings(scope, functionName),
    };
  }

  /**
   * The `Resource::` findings of `statementsFor` for a name that is no token: resolved once per stack with a stand-in
   * for the name, which the name then replaces (a resolve per function cost about 0.2 ms of its synth).
   */
  private resourceFindings(scope: IConstruct, functionName: string): string[] {
    const stack = Stack.of(scope);
    let findings = this.findingsByStack.get(stack);
    if (findings === undefined) {
      findings = statementFindingsOf(scope, this.statementsFor(scope, NAME_STAND_IN)).filter(finding =>
        finding.startsWith('Resource::'),
      );
      this.findingsByStack.set(stack, findings);
    }
    return findings.map(finding => finding.split(NAME_STAND_IN).join(functionName));
  }
}

/** Stands for a function's name in the findings resolved once per stack: a function name has no `%`. */
const NAME_STAND_IN = '%function-name%';

const groups = new WeakMap<Stack, FunctionLogs>();

/** The function log group of a scope's top-level stack, if it has one. */
export function findFunctionLogs(scope: IConstruct): FunctionLogs | undefined {
  return groups.get(topLevelStack(scope));
}

/**
 * Lets a billing meter read the configuration of a function that writes to a stack's function log group: tags it with
 * {@link FUNCTION_LOGS_TAG}, the condition of the meter's `lambda:GetFunctionConfiguration`.
 */
export function allowMeterToRead(logs: FunctionLogs, fn: CfnFunction): void {
  fn.tags.setTag(FUNCTION_LOGS_TAG, logs.logGroupName);
}
