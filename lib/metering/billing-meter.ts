import { ArnFormat, Aspects, IAspect, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import { topLevelStack } from '../stack-singleton';
import { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, CfnFunction, CfnPermission } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, RetentionDays, SubscriptionFilter } from 'aws-cdk-lib/aws-logs';
import { LambdaDestination } from 'aws-cdk-lib/aws-logs-destinations';
import { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { BILLING_NAMESPACE } from '../billing/billing-metrics';
import { BillingModel, BillingModelProps } from '../billing/billing-model';
import { UsageRecord } from '../billing/cost-estimate';
import { meterFilterName, SHARED_METER_FILTER_NAME } from '../billing/meter-filter';
import { StageValidationError } from '../errors';
import { allowMeterToRead, findFunctionLogs, FUNCTION_LOGS_TAG, FunctionLogs } from '../function/function-logs';
import { ownFunction } from '../function/own-function';
import { StageFunction } from '../function/stage-function';
import { InlinePolicyRole } from '../inline-policy-role';
import { acceptNagFindings } from '../nag-metadata';
import { USAGE_METADATA } from '../usage';
import { FunctionGraph } from '../workflow/function-graph';
import { AppDashboard } from './app-dashboard';
import { BillingMetrics } from './billing-metrics';
import { BudgetAlarm, BudgetOptions } from './budget-alarm';

export type { BudgetOptions } from './budget-alarm';

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
    return meters.get(topLevelStack(scope));
  }

  /** The name of the app in the metrics' `App` dimension. */
  public readonly appName: string;
  /** The metrics the meter publishes, for dashboards and alarms of your own. */
  public readonly metrics: BillingMetrics;
  /** The app's dashboard, unless switched off. */
  public readonly dashboard?: AppDashboard;
  /** The budget alarm, when a budget is given. */
  public readonly budgetAlarm?: Alarm;
  /** The topic the budget alarm notifies. */
  public readonly budgetTopic?: ITopic;
  private readonly model?: BillingModel;
  private meterFn?: StageFunction;
  private readonly metered = new Set<StageFunction>();

  constructor(scope: Construct, id: string, props: BillingMeterProps = {}) {
    super(scope, id);
    // The top-level stack, also for a meter made in a nested one: its functions and nested stacks are metered, and
    // `BillingMeter.of` finds it from any of them.
    const stack = topLevelStack(this);
    if (meters.has(stack)) {
      throw new StageValidationError(
        this,
        `the stack already has a billing meter, ${meters.get(stack)!.node.path} (allowed: one per stack)`,
      );
    }
    meters.set(stack, this);
    this.model = props.model;
    this.appName = props.appName ?? stack.stackName;
    this.metrics = new BillingMetrics(this.appName);
    // What estimates read: the model this meter applies to the functions of its stack.
    const record: UsageRecord = {
      meter: { stackPath: stack.node.path, ...(this.model ? { model: this.model.toJSON() } : {}) },
    };
    this.node.addMetadata(USAGE_METADATA, Lazy.any({ produce: () => record }));
    if (props.dashboard !== false) {
      this.dashboard = new AppDashboard(this, 'Dashboard', { metrics: this.metrics });
    }
    if (props.budget) {
      // 'Default' is hidden from logical ids: the alarm and topic keep the ids they had as the meter's children.
      const budget = new BudgetAlarm(this, 'Default', { ...props.budget, metrics: this.metrics });
      this.budgetAlarm = budget.alarm;
      this.budgetTopic = budget.topic;
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
    const meterFn = this.meterFunction();
    const shared = findFunctionLogs(fn);
    if (shared && fn.logGroup === shared.logGroup) {
      this.meterSharedGroup(shared, meterFn);
      // The meter may read the configuration of the functions it meters only: a function of a stack without a meter
      // has no tag, and CDK's template validation in `cdk synth` reads a property less per function.
      allowMeterToRead(shared, fn.lambda.node.defaultChild as CfnFunction);
    } else {
      const filter = new SubscriptionFilter(this, `Subscription${Names.nodeUniqueId(fn.node)}`, {
        logGroup: fn.logGroup,
        destination: new LambdaDestination(meterFn.lambda, { addPermissions: false }),
        // The meter checks each REPORT line against the configuration this name carries (meter-filter.ts).
        filterName: meterFilterName(
          Token.asString(fn.memorySize),
          Token.asString(fn.timeout.toSeconds()),
          fn.architecture.name,
        ),
        filterPattern: PLATFORM_LINES,
      });
      filter.node.addDependency(this.permissionFor(meterFn));
    }
    this.dashboard?.addFunction(fn);
  }

  /** Shows a flow's executions on the dashboard. */
  public addFlow(flow: FunctionGraph): void {
    this.dashboard?.addFlow(flow);
  }

  /**
   * One subscription filter of the stack's function log group: the meter reads each stream's function's
   * configuration from Lambda (a log group takes two filters, so not one per function).
   */
  private meterSharedGroup(logs: FunctionLogs, meterFn: StageFunction): void {
    // A child of the group, not of the meter: its logical id stays when the meter is renamed or moved (the filter's
    // name is fixed, and a new resource of the same name would fail, or its old one's removal delete it).
    if (logs.node.tryFindChild('MeterSubscription')) return;
    const filter = new SubscriptionFilter(logs, 'MeterSubscription', {
      logGroup: logs.logGroup,
      destination: new LambdaDestination(meterFn.lambda, { addPermissions: false }),
      filterName: SHARED_METER_FILTER_NAME,
      filterPattern: PLATFORM_LINES,
    });
    filter.node.addDependency(this.permissionFor(meterFn));
    const stack = Stack.of(this);
    // Of the functions that write to the group only, by the tag each has (a function's configuration holds its
    // environment variables).
    meterFn.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['lambda:GetFunctionConfiguration'],
        conditions: { StringEquals: { [`aws:ResourceTag/${FUNCTION_LOGS_TAG}`]: logs.logGroupName } },
        resources: [
          stack.formatArn({
            service: 'lambda',
            resource: 'function',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            resourceName: '*',
          }),
        ],
      }),
    );
    if (meterFn.role instanceof InlinePolicyRole) {
      acceptNagFindings(meterFn.role.cfnRole, [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "lambda:GetFunctionConfiguration of the functions tagged as writing to the stack's function log group (a condition on the tag): the meter checks each REPORT line there against its function's memory size and timeout",
          appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:lambda:.*:function:\\*$/g' }],
        },
      ]);
    }
  }

  /** The meter function: one per meter, applying each function's architecture's model (or the meter's own). */
  private meterFunction(): StageFunction {
    let fn = this.meterFn;
    if (!fn) {
      const models: Record<string, BillingModelProps> = this.model
        ? { '*': this.model.toJSON() }
        : {
            [Architecture.X86_64.name]: BillingModel.awsLambda(Architecture.X86_64).toJSON(),
            [Architecture.ARM_64.name]: BillingModel.awsLambda(Architecture.ARM_64).toJSON(),
          };
      fn = ownFunction(this, 'Meter', {
        handler: 'meter-handler',
        memorySize: 256,
        description: `Meters the functions of ${this.appName} with the ${this.model?.name ?? 'AWS Lambda'} model`,
        environment: { STAGEGRAPH_BILLING_MODELS: JSON.stringify(models), STAGEGRAPH_BILLING_APP: this.appName },
        // Its own log group: its REPORT lines in the function log group would reach it again, without end.
        logRetention: RetentionDays.ONE_MONTH,
      });
      meterFunctions.add(fn);
      fn.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': BILLING_NAMESPACE } },
        }),
      );
      if (fn.role instanceof InlinePolicyRole) {
        acceptNagFindings(fn.role.cfnRole, [
          {
            id: 'AwsSolutions-IAM5',
            reason: `cloudwatch:PutMetricData supports only Resource *; a condition limits it to the ${BILLING_NAMESPACE} namespace`,
            appliesTo: ['Resource::*'],
          },
        ]);
      }
      this.meterFn = fn;
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
      // Every function's own group, `/aws/lambda/<name>`, and the stack's function log group,
      // `/aws/lambda/<stack>/functions`.
      sourceArn: stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        resourceName: '/aws/lambda/*',
      }),
    });
    return permission;
  }
}

/** The platform's START and REPORT lines, in the text and in the JSON log format. */
const PLATFORM_LINES = FilterPattern.anyTerm(
  'START RequestId',
  'REPORT RequestId',
  'platform.start',
  'platform.report',
);

const meters = new WeakMap<Stack, BillingMeter>();
const meterFunctions = new WeakSet<StageFunction>();

function isMeterFunction(fn: StageFunction): boolean {
  return meterFunctions.has(fn);
}

/** Meters every StageFunction and shows every flow of the meter's stack. */
class MeterEveryFunction implements IAspect {
  constructor(private readonly billing: BillingMeter) {}

  public visit(node: IConstruct): void {
    // The functions of the meter's stack, nested stacks of functions included.
    if (topLevelStack(node) !== topLevelStack(this.billing)) return;
    if (node instanceof StageFunction) this.billing.meter(node);
    if (node instanceof FunctionGraph) this.billing.addFlow(node);
  }
}
