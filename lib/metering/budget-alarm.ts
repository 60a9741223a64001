import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { StageValidationError } from '../errors';
import { BillingMetrics } from './billing-metrics';

/** A budget: an alarm when the app's cost in a period passes a limit. */
export interface BudgetOptions {
  /** The limit, USD, more than 0. */
  readonly limitUsd: number;
  /**
   * The period the cost is summed over, whole minutes from 1 minute to 1 day.
   * @default Duration.days(1)
   */
  readonly period?: Duration;
  /**
   * The SMN topic the alarm notifies.
   * @default - a new topic, `BudgetTopic`, refusing requests without TLS (`aws:SecureTransport`) and not
   * encrypted: a CloudWatch alarm cannot publish to a topic encrypted with SNS's AWS managed key, so give
   * a topic of yours encrypted with a customer managed key that lets `cloudwatch.amazonaws.com` use it
   */
  readonly topic?: ITopic;
}

/** Properties of a {@link BudgetAlarm}. */
export interface BudgetAlarmProps extends BudgetOptions {
  /** The metrics of the app whose cost the alarm watches. */
  readonly metrics: BillingMetrics;
}

/** An alarm that notifies an SMN topic when the app's metered cost in a period passes a limit. */
export class BudgetAlarm extends Construct {
  /** The alarm (`BudgetAlarm` below the scope it is given). */
  public readonly alarm: Alarm;
  /** The topic it notifies. */
  public readonly topic: ITopic;

  /** Adds the alarm and, unless one is given, its topic to `scope` (ids `BudgetAlarm`, `BudgetTopic`). */
  constructor(scope: Construct, id: string, props: BudgetAlarmProps) {
    super(scope, id);
    const { limitUsd, metrics } = props;
    const period = props.period ?? Duration.days(1);
    if (!(limitUsd > 0))
      throw new StageValidationError(this, `budget.limitUsd must be more than 0 (given ${limitUsd})`);
    const minutes = period.toMinutes({ integral: false });
    if (!period.isUnresolved() && (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440)) {
      throw new StageValidationError(
        this,
        `budget.period must be whole minutes from 1 minute to 1 day (given ${period.toHumanString()})`,
      );
    }
    this.topic = props.topic ?? new Topic(this, 'BudgetTopic', { enforceSSL: true });
    this.alarm = new Alarm(this, 'BudgetAlarm', {
      alarmDescription: `The cost of ${metrics.appName} passed ${limitUsd} USD in ${period.toHumanString()}`,
      metric: metrics.costUsd({ period, statistic: Stats.SUM }),
      threshold: limitUsd,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(new SnsAction(this.topic));
  }
}
