import { Duration, NestedStack, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Architecture, LoggingFormat } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BillingMeter, BillingModel, Flow, FunctionGraph } from '../../../lib';
import { unbuiltStack } from '../../helpers';
import { fixtureFunction } from '../triggers/helpers';

/** A function the meter may read: tagged with the stack's function log group. */
const TAGGED = { Tags: [{ Key: 'stagegraph:function-logs', Value: '/aws/lambda/Stack/functions' }] };

describe('BillingMeter', () => {
  let stack: Stack;
  beforeEach(() => {
    stack = unbuiltStack();
  });

  test('tags the functions it meters, in nested stacks too; a stack without a meter has no tags', () => {
    fixtureFunction(stack, 'Alone');
    const plainTemplate = Template.fromStack(stack);
    plainTemplate.resourceCountIs('AWS::Lambda::Function', 1);
    plainTemplate.hasResourceProperties('AWS::Lambda::Function', { Tags: Match.absent() });

    const metered = unbuiltStack();
    const nested = new NestedStack(metered, 'Nested');
    fixtureFunction(nested, 'Inner');
    new BillingMeter(metered, 'Billing');
    Template.fromStack(nested).resourcePropertiesCountIs('AWS::Lambda::Function', TAGGED, 1);
    // The meter writes to a group of its own, and is not tagged.
    Template.fromStack(metered).resourcePropertiesCountIs('AWS::Lambda::Function', TAGGED, 0);
  });

  test("a meter made in a nested stack meters the top-level stack's functions, and is found from them", () => {
    const inner = new NestedStack(stack, 'Inner');
    fixtureFunction(stack, 'Outer');
    const meter = new BillingMeter(inner, 'Billing');
    const other = new NestedStack(stack, 'Other');
    fixtureFunction(other, 'Elsewhere');

    expect(BillingMeter.of(stack)).toBe(meter);
    expect(BillingMeter.of(other)).toBe(meter);
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::Lambda::Function', TAGGED, 1);
    Template.fromStack(other).resourcePropertiesCountIs('AWS::Lambda::Function', TAGGED, 1);
    expect(() => new BillingMeter(other, 'Second')).toThrow(/already has a billing meter/);
  });

  test("subscribes the stack's function log group once, whatever functions write to it, before or after the meter", () => {
    fixtureFunction(stack, 'Before');
    new BillingMeter(stack, 'Billing');
    fixtureFunction(stack, 'After');

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Logs::SubscriptionFilter', 1);
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: { Ref: Match.stringLikeRegexp('^FunctionLogsGroup') },
      // The platform's START and REPORT lines of both log formats; the meter reads each stream's function's
      // configuration from Lambda to check them against.
      FilterPattern: '?"START RequestId" ?"REPORT RequestId" ?"platform.start" ?"platform.report"',
      FilterName: 'stagegraph-meter-functions',
      DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BillingMeterFunction'), 'Arn'] },
    });
    template.resourcePropertiesCountIs('AWS::Lambda::Function', TAGGED, 2);
    // The filter is the group's child: renaming the meter keeps its logical id (its name is fixed).
    expect(Object.keys(template.findResources('AWS::Logs::SubscriptionFilter'))).toEqual([
      expect.stringMatching(/^FunctionLogsMeterSubscription/),
    ]);
    // The meter itself is not metered, and writes to a group of its own: its REPORT lines would meter themselves
    // forever.
    template.resourceCountIs('AWS::Lambda::Function', 3);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          STAGEGRAPH_BILLING_MODELS: JSON.stringify({
            x86_64: BillingModel.AWS_LAMBDA_X86_64.toJSON(),
            arm64: BillingModel.AWS_LAMBDA_ARM_64.toJSON(),
          }),
          STAGEGRAPH_BILLING_APP: 'Stack',
        },
      },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^BillingMeterLogGroup') } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.stringLikeRegexp('^/aws/lambda/Stack-Billing-Meter-'),
    });
    // It may read the configuration of functions.
    template.hasResource('AWS::IAM::Role', {
      Properties: Match.objectLike({
        Policies: [
          Match.objectLike({
            PolicyDocument: {
              Statement: Match.arrayWith([
                {
                  Action: 'lambda:GetFunctionConfiguration',
                  // Of the functions that write to the group only: each is tagged with its name.
                  Condition: {
                    StringEquals: { 'aws:ResourceTag/stagegraph:function-logs': '/aws/lambda/Stack/functions' },
                  },
                  Effect: 'Allow',
                  Resource: {
                    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:us-east-1:111111111111:function:*']],
                  },
                },
              ]),
            },
          }),
        ],
      }),
      Metadata: {
        cdk_nag: {
          rules_to_suppress: Match.arrayWith([
            Match.objectLike({
              id: 'AwsSolutions-IAM5',
              applies_to: [{ regex: '/^Resource::arn:<AWS::Partition>:lambda:.*:function:\\*$/g' }],
            }),
          ]),
        },
      },
    });
    // One permission lets CloudWatch Logs of this account invoke the meter; the filter waits for it.
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'logs.amazonaws.com',
      SourceAccount: '111111111111',
      SourceArn: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:111111111111:log-group:/aws/lambda/*']],
      },
    });
    const filters = template.findResources('AWS::Logs::SubscriptionFilter');
    for (const filter of Object.values(filters))
      expect(filter.DependsOn).toEqual([expect.stringMatching(/^BillingMeterLogsPermission/)]);
  });

  test('a function with a log group of its own gets a filter whose name carries its memory size, timeout and architecture', () => {
    new BillingMeter(stack, 'Billing');
    fixtureFunction(stack, 'Big', {
      memorySize: 1769,
      timeout: Duration.minutes(2),
      loggingFormat: LoggingFormat.JSON,
      logRetention: RetentionDays.ONE_WEEK,
    });
    fixtureFunction(stack, 'Arm', { architecture: Architecture.ARM_64, logRetention: RetentionDays.ONE_WEEK });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 1769, LoggingConfig: { LogFormat: 'JSON' } });
    template.resourceCountIs('AWS::Logs::SubscriptionFilter', 2);
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: { Ref: Match.stringLikeRegexp('^BigLogGroup') },
      FilterName: 'stagegraph-meter-1769mb-120s',
    });
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: { Ref: Match.stringLikeRegexp('^ArmLogGroup') },
      FilterName: 'stagegraph-meter-128mb-30s-arm64',
      DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BillingMeterFunction'), 'Arn'] },
    });
  });

  test('the meter may publish into its namespace only, and runs on Node.js 24', () => {
    new BillingMeter(stack, 'Billing');
    fixtureFunction(stack, 'Fn');
    const template = Template.fromStack(stack);
    // PutMetricData takes only Resource *: accepted for cdk-nag, with the reason, on the meter's role.
    template.hasResource('AWS::IAM::Role', {
      Properties: Match.objectLike({
        Policies: Match.arrayWith([
          Match.objectLike({
            PolicyDocument: {
              Statement: Match.arrayWith([
                {
                  Action: 'cloudwatch:PutMetricData',
                  Effect: 'Allow',
                  Resource: '*',
                  Condition: { StringEquals: { 'cloudwatch:namespace': 'Stagegraph/Billing' } },
                },
              ]),
            },
          }),
        ]),
      }),
      Metadata: {
        cdk_nag: {
          rules_to_suppress: Match.arrayWith([
            Match.objectLike({ id: 'AwsSolutions-IAM5', applies_to: ['Resource::*'] }),
          ]),
        },
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: { Variables: Match.objectLike({ STAGEGRAPH_BILLING_APP: 'Stack' }) },
    });
  });

  test("one meter function for every architecture, or the meter's own model for all", () => {
    new BillingMeter(stack, 'Billing', { model: BillingModel.HUAWEI_FUNCTIONGRAPH });
    fixtureFunction(stack, 'X86');
    fixtureFunction(stack, 'Arm', { architecture: Architecture.ARM_64 });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 3);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          STAGEGRAPH_BILLING_MODELS: JSON.stringify({ '*': BillingModel.HUAWEI_FUNCTIONGRAPH.toJSON() }),
        }),
      },
    });
  });

  test("a dashboard with the app's cost and a row per function and flow", () => {
    new BillingMeter(stack, 'Billing', { model: BillingModel.HUAWEI_FUNCTIONGRAPH });
    const fn = fixtureFunction(stack, 'Api');
    new FunctionGraph(stack, 'Orders', { definition: Flow.invoke('Call', fn) });

    // Rows are added at synth, when the meter visits the stack's functions and flows.
    const [dashboard] = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const text of [
      'Stagegraph/Billing',
      'CostUsd',
      'ColdStarts',
      'Stack/Api: duration p50, p99 (ms)',
      'p99',
      'Stack/Orders: executions',
      'ExecutionsStarted',
    ]) {
      expect(body).toContain(text);
    }
  });

  test("a budget alarm sums the app's cost per period and notifies an SMN topic", () => {
    new BillingMeter(stack, 'Billing', { budget: { limitUsd: 5, period: Duration.hours(6) } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Stagegraph/Billing',
      MetricName: 'CostUsd',
      Dimensions: [{ Name: 'App', Value: 'Stack' }],
      Statistic: 'Sum',
      Period: 21600,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^BillingBudgetTopic') }],
    });
    // TLS only; not encrypted, as a CloudWatch alarm cannot publish to a topic under SNS's AWS managed key.
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.absent() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: Match.stringLikeRegexp('^BillingBudgetTopic') }],
      PolicyDocument: {
        Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
      },
    });
  });

  test('fails on a second meter in a stack, and on budgets CloudWatch cannot alarm on', () => {
    new BillingMeter(stack, 'Billing');
    expect(() => new BillingMeter(stack, 'Again')).toThrow(
      'the stack already has a billing meter, Stack/Billing (allowed: one per stack) in Stack/Again',
    );
    expect(() => new BillingMeter(unbuiltStack(), 'B', { budget: { limitUsd: 0 } })).toThrow(
      /budget.limitUsd must be more than 0 \(given 0\)/,
    );
    expect(() => new BillingMeter(unbuiltStack(), 'B', { budget: { limitUsd: 1, period: Duration.days(2) } })).toThrow(
      /budget.period must be whole minutes from 1 minute to 1 day \(given 2 days\)/,
    );
  });
});
