import { Duration } from 'aws-cdk-lib';
import { Metric, MetricOptions, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { APP_DIMENSION, BILLING_NAMESPACE, BillingMetric, FUNCTION_DIMENSION } from '../billing/billing-metrics';
import type { IStageFunction } from '../function/stage-function-base';

/** Options of a billing metric: CloudWatch's, and the function it is about. */
export interface BillingMetricOptions extends MetricOptions {
  /**
   * The function whose figures the metric shows.
   * @default - the whole app (the `App` dimension)
   */
  readonly fn?: IStageFunction;
}

/**
 * The metrics the billing meter publishes into `Stagegraph/Billing`, for dashboards and alarms of your own:
 * `BillingMeter.of(stack).metrics.costUsd({ fn })`. Sums over 5 minutes unless the options say otherwise.
 */
export class BillingMetrics {
  /** @param appName the name of the app in the metrics' `App` dimension */
  constructor(public readonly appName: string) {}

  /** Any metric of the billing namespace, for the whole app or (with `fn`) one function. */
  public metric(metricName: BillingMetric, options: BillingMetricOptions = {}): Metric {
    const { fn, ...props } = options;
    return new Metric({
      namespace: BILLING_NAMESPACE,
      metricName,
      dimensionsMap: fn ? { [FUNCTION_DIMENSION]: fn.functionName } : { [APP_DIMENSION]: this.appName },
      statistic: Stats.SUM,
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** Cost before the free tier, USD. */
  public costUsd(options?: BillingMetricOptions): Metric {
    return this.metric(BillingMetric.COST_USD, options);
  }

  /** Invocations metered. */
  public invocations(options?: BillingMetricOptions): Metric {
    return this.metric(BillingMetric.INVOCATIONS, options);
  }

  /** Billed milliseconds. */
  public billedDurationMillis(options?: BillingMetricOptions): Metric {
    return this.metric(BillingMetric.BILLED_DURATION_MILLIS, options);
  }

  /** GB-seconds. */
  public gbSeconds(options?: BillingMetricOptions): Metric {
    return this.metric(BillingMetric.GB_SECONDS, options);
  }

  /** Cold starts. */
  public coldStarts(options?: BillingMetricOptions): Metric {
    return this.metric(BillingMetric.COLD_STARTS, options);
  }

  /** INIT duration of cold starts, milliseconds. */
  public initDurationMillis(options?: BillingMetricOptions): Metric {
    return this.metric(BillingMetric.INIT_DURATION_MILLIS, options);
  }
}
