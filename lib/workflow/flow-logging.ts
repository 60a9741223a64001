import { Names, RemovalPolicy } from 'aws-cdk-lib';
import { ILogGroup, LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { LogLevel, LogOptions } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { StageValidationError } from '../errors';

/** What a flow logs, and where: the execution history events of Step Functions, in CloudWatch Logs. */
export interface FlowLogging {
  /**
   * Which events are logged: `LogLevel.ALL` (every state entered and exited, every task scheduled,
   * started and finished), `ERROR`, `FATAL` or `OFF`.
   * @default LogLevel.ALL - an execution's whole path, as cdk-nag's AwsSolutions-SF1 asks; `ERROR` logs
   * only failures, for less ingestion (an EXPRESS flow's logs at ALL can cost more than the flow)
   */
  readonly level?: LogLevel;
  /**
   * Log each state's input, output and error too. They may hold personal data and secrets.
   * @default false - events only: which state, when, and the error names
   */
  readonly includeExecutionData?: boolean;
  /**
   * The log group.
   * @default - a new group `/aws/vendedlogs/states/<stack>-<path>-<hash>` (the prefix spares CloudWatch
   * Logs' resource policy an entry per group), kept for `retention` and removed with the flow
   */
  readonly logGroup?: ILogGroup;
  /**
   * How long the new log group keeps the logs; give `logGroup` a retention of its own instead.
   * @default RetentionDays.ONE_MONTH
   */
  readonly retention?: RetentionDays;
}

/**
 * The state machine's log options for a flow's `logging`, with the log group created when none is
 * given; undefined when the level is OFF.
 */
export function flowLogOptions(
  scope: Construct,
  logging: FlowLogging = {},
): (LogOptions & { readonly destination: ILogGroup }) | undefined {
  const level = logging.level ?? LogLevel.ALL;
  if (!Object.values(LogLevel).includes(level)) {
    throw new StageValidationError(scope, `logging.level must be ALL, ERROR, FATAL or OFF (given '${String(level)}')`);
  }
  if (logging.logGroup && logging.retention !== undefined) {
    throw new StageValidationError(
      scope,
      `logging.retention applies to the log group stagegraph creates, not to the given logging.logGroup ${logging.logGroup.node.path}: set the retention on that group`,
    );
  }
  if (level === LogLevel.OFF) {
    if (logging.logGroup || logging.includeExecutionData) {
      throw new StageValidationError(
        scope,
        'logging.level is OFF, so logging.logGroup and logging.includeExecutionData do nothing: leave them out or choose a level',
      );
    }
    return undefined;
  }
  const destination =
    logging.logGroup ??
    new LogGroup(scope, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(scope, { maxLength: 450, separator: '-' })}`,
      retention: logging.retention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  return { destination, level, includeExecutionData: logging.includeExecutionData ?? false };
}
