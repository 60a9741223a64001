import { Duration, IResource, Resource } from 'aws-cdk-lib';
import { Metric, MetricOptions, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { Grant, IGrantable, IPrincipal } from 'aws-cdk-lib/aws-iam';
import { IFunction } from 'aws-cdk-lib/aws-lambda';

/** A FunctionStage function: something that can be invoked, granted and measured, and be granted access. */
export interface IStageFunction extends IResource, IGrantable {
  /** The name of the Lambda function. @attribute */
  readonly functionName: string;
  /** The ARN of the Lambda function. @attribute */
  readonly functionArn: string;
  /** The Lambda function (or its `live` alias when reserved instances are set) that events should target. */
  readonly invokeTarget: IFunction;

  /** Lets `grantee` invoke the function. */
  grantInvoke(grantee: IGrantable): Grant;
  /** Any metric of the `AWS/Lambda` namespace for this function. */
  metric(metricName: string, props?: MetricOptions): Metric;
  /** Number of invocations. @default sum over 5 minutes */
  metricInvocations(props?: MetricOptions): Metric;
  /** Number of invocations that ended in a function error. @default sum over 5 minutes */
  metricErrors(props?: MetricOptions): Metric;
  /** Number of invocation requests that were throttled. @default sum over 5 minutes */
  metricThrottles(props?: MetricOptions): Metric;
  /** Time the handler ran, in milliseconds. @default average over 5 minutes */
  metricDurationMillis(props?: MetricOptions): Metric;
  /** Number of instances processing events at once. @default maximum over 5 minutes */
  metricConcurrentExecutions(props?: MetricOptions): Metric;
}

/** The default period of every metric method. */
const DEFAULT_PERIOD = Duration.minutes(5);

/**
 * Grants and metrics of a FunctionStage function, from its name and its Lambda function alone:
 * shared by every kind of {@link IStageFunction}.
 */
export abstract class StageFunctionBase extends Resource implements IStageFunction {
  public abstract readonly functionName: string;
  public abstract readonly functionArn: string;
  public abstract readonly invokeTarget: IFunction;
  public abstract readonly grantPrincipal: IPrincipal;

  public grantInvoke(grantee: IGrantable): Grant {
    return this.invokeTarget.grantInvoke(grantee);
  }

  public metric(metricName: string, props: MetricOptions = {}): Metric {
    return new Metric({
      namespace: 'AWS/Lambda',
      metricName,
      dimensionsMap: { FunctionName: this.functionName },
      period: DEFAULT_PERIOD,
      ...props,
    }).attachTo(this);
  }

  public metricInvocations(props?: MetricOptions): Metric {
    return this.metric('Invocations', { statistic: Stats.SUM, ...props });
  }

  public metricErrors(props?: MetricOptions): Metric {
    return this.metric('Errors', { statistic: Stats.SUM, ...props });
  }

  public metricThrottles(props?: MetricOptions): Metric {
    return this.metric('Throttles', { statistic: Stats.SUM, ...props });
  }

  public metricDurationMillis(props?: MetricOptions): Metric {
    return this.metric('Duration', { statistic: Stats.AVERAGE, ...props });
  }

  public metricConcurrentExecutions(props?: MetricOptions): Metric {
    return this.metric('ConcurrentExecutions', { statistic: Stats.MAXIMUM, ...props });
  }
}
