import { ArnFormat, Aspects, Duration, IAspect, Names, Stack, Token } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, MetricOptions, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnPermission } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, SubscriptionFilter } from 'aws-cdk-lib/aws-logs';
import { LambdaDestination } from 'aws-cdk-lib/aws-logs-destinations';
import { ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { StageValidationError } from '../errors';
import { InlinePolicyRole } from '../inline-policy-role';
import { acceptNagFindings } from '../nag-metadata';
import { OWN_FUNCTION_RUNTIME, ownSourceFile } from '../project';
import { StageCode } from '../function/stage-code';
import { StageFunction } from '../function/stage-function';
import { AppDashboard } from '../monitoring/app-dashboard';
import { FunctionGraph } from '../workflow/function-graph';
import { APP_DIMENSION, BILLING_NAMESPACE, BillingMetric, FUNCTION_DIMENSION } from './billing-metrics';
import { BillingModel } from './billing-model';
import { meterFilterName } from './meter-filter';
import { registerModelResolver } from './model-registry';

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

/** Properties of a {@link BillingMeter}. */
export interface BillingMeterProps {
  /**
   * The billing model of every metered function.
   * @default - the AWS Lambda model of each function's architecture (`BillingModel.awsLambda`)
   */
  readonly model?: BillingModel;
  /**
   * The name of the app in the `App` dimension of the metrics.
   * @default - the stack's name
   */
  readonly appName?: string;
  /**
   * Make a CloudWatch dashboard of the app.
   * @default true
   */
  readonly dashboard?: boolean;
  /**
   * Alarm when the app's cost passes a budget.
   * @default - no budget alarm
   */
  readonly budget?: BudgetOptions;
}

/**
 * Pay-per-use billing for every FunctionStage function of a stack: a meter function subscribed to each
 * function's log group reads the platform's REPORT lines (text or JSON log format; a line the function prints
 * itself is not billed: see the README), applies the billing model and publishes per function and
 * per app metrics into the `Stagegraph/Billing` namespace (invocations, billed milliseconds, GB-seconds,
 * cost, cold starts, init duration). The metered functions do nothing extra. One meter per stack, found
 * with `BillingMeter.of(stack)`; functions added to the stack after it are metered too.
 *
 * Optionally a dashboard of the app and a budget alarm that notifies an SMN topic.
 */
export class BillingMeter extends Construct {
  /** The meter of a stack, if it has one. */
  public static of(scope: IConstruct): BillingMeter | undefined {
    return meters.get(Stack.of(scope));
  }

  /** The name of the app in the metrics' `App` dimension. */
  public readonly appName: string;
  /** The app's dashboard, unless switched off. */
  public readonly dashboard?: AppDashboard;
  /** The budget alarm, when a budget is given. */
  public readonly budgetAlarm?: Alarm;
  /** The topic the budget alarm notifies. */
  public readonly budgetTopic?: ITopic;
  private readonly model?: BillingModel;
  private readonly meterFunctions = new Map<string, StageFunction>();
  private readonly metered = new Set<StageFunction>();

  constructor(scope: Construct, id: string, props: BillingMeterProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    if (meters.has(stack)) {
      throw new StageValidationError(this, `the stack already has a billing meter, ${meters.get(stack)!.node.path} (allowed: one per stack)`);
    }
    meters.set(stack, this);
    registerModelResolver(stack, fn => this.modelOf(fn as StageFunction));
    this.model = props.model;
    this.appName = props.appName ?? stack.stackName;
    if (props.dashboard !== false) {
      this.dashboard = new AppDashboard(this, 'Dashboard', { meter: this });
    }
    if (props.budget) {
      const { limitUsd } = props.budget;
      const period = props.budget.period ?? Duration.days(1);
      if (!(limitUsd > 0)) throw new StageValidationError(this, `budget.limitUsd must be more than 0 (given ${limitUsd})`);
      const minutes = period.toMinutes({ integral: false });
      if (!period.isUnresolved() && (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440)) {
        throw new StageValidationError(this, `budget.period must be whole minutes from 1 minute to 1 day (given ${period.toHumanString()})`);
      }
      this.budgetTopic = props.budget.topic ?? new Topic(this, 'BudgetTopic', { enforceSSL: true });
      this.budgetAlarm = new Alarm(this, 'BudgetAlarm', {
        alarmDescription: `The cost of ${this.appName} passed ${limitUsd} USD in ${period.toHumanString()}`,
        metric: this.metricCostUsd({ period, statistic: Stats.SUM }),
        threshold: limitUsd,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      this.budgetAlarm.addAlarmAction(new SnsAction(this.budgetTopic));
    }
    Aspects.of(stack).add(new MeterEveryFunction(this));
  }

  /** The billing model of a function. */
  public modelOf(fn: StageFunction): BillingModel {
    return this.model ?? BillingModel.awsLambda(fn.architecture);
  }

  /** Meters a function now (the meter does it for every function of its stack at synth anyway). */
  public meter(fn: StageFunction): void {
    if (this.metered.has(fn) || isMeterFunction(fn)) return;
    this.metered.add(fn);
    const meterFn = this.meterFunctionFor(this.modelOf(fn));
    const filter = new SubscriptionFilter(this, `Subscription${Names.nodeUniqueId(fn.node)}`, {
      logGroup: fn.logGroup,
      destination: new LambdaDestination(meterFn.lambda, { addPermissions: false }),
      // The meter checks each REPORT line against the configuration this name carries (meter-filter.ts).
      filterName: meterFilterName(Token.asString(fn.memorySize), Token.asString(fn.timeout.toSeconds())),
      // The platform's START and REPORT lines, in the text and in the JSON log format.
      filterPattern: FilterPattern.anyTerm('START RequestId', 'REPORT RequestId', 'platform.start', 'platform.report'),
    });
    filter.node.addDependency(this.permissionFor(meterFn));
    this.dashboard?.addFunction(fn);
  }

  /** Shows a flow's executions on the dashboard. */
  public addFlow(flow: FunctionGraph): void {
    this.dashboard?.addFlow(flow);
  }

  /** Any metric of the billing namespace, for the whole app or (with `fn`) one function. */
  public metric(metricName: BillingMetric, fn?: StageFunction, props: MetricOptions = {}): Metric {
    return new Metric({
      namespace: BILLING_NAMESPACE,
      metricName,
      dimensionsMap: fn ? { [FUNCTION_DIMENSION]: fn.functionName } : { [APP_DIMENSION]: this.appName },
      statistic: Stats.SUM,
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** Cost before the free tier, USD. @default sum over 5 minutes */
  public metricCostUsd(props?: MetricOptions, fn?: StageFunction): Metric {
    return this.metric(BillingMetric.COST_USD, fn, props);
  }

  /** Invocations metered. @default sum over 5 minutes */
  public metricInvocations(props?: MetricOptions, fn?: StageFunction): Metric {
    return this.metric(BillingMetric.INVOCATIONS, fn, props);
  }

  /** Billed milliseconds. @default sum over 5 minutes */
  public metricBilledDurationMillis(props?: MetricOptions, fn?: StageFunction): Metric {
    return this.metric(BillingMetric.BILLED_DURATION_MILLIS, fn, props);
  }

  /** GB-seconds. @default sum over 5 minutes */
  public metricGbSeconds(props?: MetricOptions, fn?: StageFunction): Metric {
    return this.metric(BillingMetric.GB_SECONDS, fn, props);
  }

  /** Cold starts. @default sum over 5 minutes */
  public metricColdStarts(props?: MetricOptions, fn?: StageFunction): Metric {
    return this.metric(BillingMetric.COLD_STARTS, fn, props);
  }

  private meterFunctionFor(model: BillingModel): StageFunction {
    const key = JSON.stringify(model.toJSON());
    let fn = this.meterFunctions.get(key);
    if (!fn) {
      const id = this.meterFunctions.size === 0 ? 'Meter' : `Meter${this.meterFunctions.size + 1}`;
      fn = new StageFunction(this, id, {
        code: StageCode.fromNodejs(ownSourceFile(__dirname, 'meter-handler'), { runtime: OWN_FUNCTION_RUNTIME }),
        memorySize: 256,
        description: `Meters the functions of ${this.appName} with the ${model.name} model`,
        environment: { STAGEGRAPH_BILLING_MODEL: key, STAGEGRAPH_BILLING_APP: this.appName },
      });
      meterFunctions.add(fn);
      fn.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': BILLING_NAMESPACE } },
      }));
      if (fn.role instanceof InlinePolicyRole) {
        acceptNagFindings(fn.role.cfnRole, [{
          id: 'AwsSolutions-IAM5',
          reason: `cloudwatch:PutMetricData supports only Resource *; a condition limits it to the ${BILLING_NAMESPACE} namespace`,
          appliesTo: ['Resource::*'],
        }]);
      }
      this.meterFunctions.set(key, fn);
    }
    return fn;
  }

  /** One permission per meter function lets CloudWatch Logs of this account and region invoke it. */
  private permissionFor(meterFn: StageFunction): CfnPermission {
    const id = `${meterFn.node.id}LogsPermission`;
    const existing = this.node.tryFindChild(id) as CfnPermission | undefined;
    if (existing) return existing;
    const stack = Stack.of(this);
    const permission = new CfnPermission(this, id, {
      action: 'lambda:InvokeFunction',
      functionName: meterFn.lambda.functionArn,
      principal: new ServicePrincipal('logs.amazonaws.com').service,
      sourceAccount: stack.account,
      sourceArn: stack.formatArn({ service: 'logs', resource: 'log-group', arnFormat: ArnFormat.COLON_RESOURCE_NAME, resourceName: '/aws/lambda/*' }),
    });
    return permission;
  }
}

const meters = new WeakMap<Stack, BillingMeter>();
const meterFunctions = new WeakSet<StageFunction>();

function isMeterFunction(fn: StageFunction): boolean {
  return meterFunctions.has(fn);
}

/** Meters every StageFunction and shows every flow of the meter's stack. */
class MeterEveryFunction implements IAspect {
  constructor(private readonly billing: BillingMeter) {}

  public visit(node: IConstruct): void {
    if (Stack.of(node) !== Stack.of(this.billing)) return;
    if (node instanceof StageFunction) this.billing.meter(node);
    if (node instanceof FunctionGraph) this.billing.addFlow(node);
  }
}
