import * as path from 'path';
import { App, Duration, Stack, Tags } from 'aws-cdk-lib';
import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStacksCommand,
  paginateListStackResources,
} from '@aws-sdk/client-cloudformation';
import { GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { DescribeRuleCommand, EventBridgeClient, ListRuleNamesByTargetCommand } from '@aws-sdk/client-eventbridge';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeSubscriptionFiltersCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListTagsCommand,
} from '@aws-sdk/client-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Stream } from 'aws-cdk-lib/aws-kinesis';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import {
  BillingMeter,
  DisTrigger,
  DmsTrigger,
  HttpAuth,
  HttpTrigger,
  ObsBucket,
  ObsTrigger,
  SmnTrigger,
  StageCode,
  StageFunction,
  TimerTrigger,
} from '../../lib';
import { meterFilterName, SHARED_METER_FILTER_NAME } from '../../lib/billing/meter-filter';
import { InlinePolicyRole } from '../../lib/inline-policy-role';
import { localClientConfig } from '../../lib/local/endpoint';
import { DeployedApp, LocalCloud, testApp, waitFor } from '../../lib/testing';
import { FIXTURES } from '../helpers';
import { logMessages } from './function-logs';

// A second deploy of a changed app changes what the app says. LocalStack's CloudFormation could not update a REST
// API's stage and reported the update done: after a route was added, every URL answered 404
// (repairs.update_rest_api_stages). It replaced the `live` alias of a function with reserved instances whose
// configuration changed, making the new one first under the same name: the deploy failed with "Alias already exists"
// (repairs.take_over_replaced_aliases). A Timer's new schedule is checked too (LocalStack replaces its rule).
// LocalStack's providers of alarms, a function's asynchronous invoke configuration, log groups and subscription
// filters had no update at all: a new budget, retryAttempts or logRetention changed nothing, and a log group's
// retention was ignored from its create on (repairs.update_in_place). A new memory size renames the billing meter's
// subscription filter, which carries it: the old one must go and the new one take its place. A bucket had no update
// either: an OBS trigger's new prefix was never applied; a method's update put its integration only: a route's new
// auth was not applied (NONE to IAM left it open). A DMS trigger's new batch size replaces the mapping's worker,
// whose predecessor must not leave the mapping reported Disabled (esm_polling._is_current). A property the second
// version removes (the function's environment, the SMN trigger's filter policy, the DMS trigger's batching window)
// kept its old value (repairs.clear_removed_properties). A resource LocalStack replaced was no longer listed by
// ListStackResources (repairs.list_replacements). A role's inline policy, which holds every grant, was not updated.
// A function's tags were not updated (repairs.update_function_tags). A renamed meter is a new meter function: the
// subscription filter of the stack's function log group kept delivering to the old one, which the deploy removed
// (LocalStack's provider has no update; repairs.honour_subscription_filter_names).
jest.setTimeout(300_000);

interface Version {
  readonly routes: readonly string[];
  readonly everyMinutes: number;
  readonly greeting: string;
  readonly memorySize: number;
  readonly retryAttempts: number;
  readonly logRetention: RetentionDays;
  readonly budgetUsd: number;
  /** The auth of the first route. */
  readonly auth: HttpAuth;
  readonly obsPrefix: string;
  readonly batchSize: number;
  /** Whether the function has an environment, the SMN trigger a filter policy, the DMS trigger a batching window. */
  readonly extras: boolean;
}

function probeApp(version: Version): {
  readonly stack: Stack;
  readonly fn: StageFunction;
  readonly reserved: StageFunction;
  readonly meter: BillingMeter;
  readonly bucket: ObsBucket;
  readonly topic: Topic;
} {
  const stack = new Stack(testApp({ build: true }), 'RedeployTest');
  const code = StageCode.fromNodejs(path.join(FIXTURES, 'probe-nodejs'));
  const meter = new BillingMeter(stack, 'Billing', { dashboard: false, budget: { limitUsd: version.budgetUsd } });
  const bucket = new ObsBucket(stack, 'Uploads');
  const queue = new Queue(stack, 'Jobs');
  const topic = new Topic(stack, 'Events');
  const fn = new StageFunction(stack, 'Echo', {
    code,
    memorySize: version.memorySize,
    retryAttempts: version.retryAttempts,
    logRetention: version.logRetention,
    ...(version.extras ? { environment: { COLOUR: 'red' } } : {}),
    triggers: [
      ...version.routes.map(
        (route, i) => new HttpTrigger({ path: route, methods: ['GET'], auth: i === 0 ? version.auth : HttpAuth.NONE }),
      ),
      TimerTrigger.rate(Duration.minutes(version.everyMinutes)),
      new ObsTrigger(bucket, { prefix: version.obsPrefix }),
      new DmsTrigger(queue, {
        batchSize: version.batchSize,
        ...(version.extras ? { maxBatchingWindow: Duration.seconds(2) } : {}),
      }),
      new SmnTrigger(
        topic,
        version.extras ? { filterPolicy: { colour: SubscriptionFilter.stringFilter({ allowlist: ['red'] }) } } : {},
      ),
    ],
  });
  // A grant the second version removes: the role's inline policy (every grant of a StageFunction) must lose it.
  if (version.extras) topic.grantPublish(fn);
  // Tags of the function only: one the second version changes, one it removes.
  const onFunction = { includeResourceTypes: ['AWS::Lambda::Function'] };
  Tags.of(fn).add('greeting', version.greeting, onFunction);
  if (version.extras) Tags.of(fn).add('colour', 'red', onFunction);
  // It writes to the stack's function log group, then (the second version) to a group of its own.
  const reserved = new StageFunction(stack, 'Reserved', {
    code,
    memorySize: 128,
    reservedInstances: 1,
    environment: { GREETING: version.greeting },
    ...(version.extras ? {} : { logRetention: RetentionDays.ONE_DAY }),
  });
  return { stack, fn, reserved, meter, bucket, topic };
}

const config = localClientConfig();
const lambda = new LambdaClient(config);
const events = new EventBridgeClient(config);
const cloudwatch = new CloudWatchClient(config);
const logs = new CloudWatchLogsClient(config);
const s3 = new S3Client({ ...config, forcePathStyle: true });
const sns = new SNSClient(config);
const cloudformation = new CloudFormationClient(config);
const iam = new IAMClient(config);
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await LocalCloud.start({ projectDir: path.join(__dirname, '..', '..') });
});

afterAll(async () => {
  lambda.destroy();
  events.destroy();
  cloudwatch.destroy();
  logs.destroy();
  s3.destroy();
  sns.destroy();
  cloudformation.destroy();
  iam.destroy();
  await cloud?.stop();
});

/**
 * What a deployed version of the app answers: each route's status, the schedules of the function's rules, and the
 * greeting of the version its reserved function's `live` alias serves.
 */
async function observed(deployed: DeployedApp, app: ReturnType<typeof probeApp>, routes: readonly string[]) {
  const { fn, reserved } = app;
  const statuses: Record<string, number> = {};
  for (const route of routes) statuses[route] = (await deployed.request(fn, route, { signed: false })).status;
  const { Configuration } = await lambda.send(new GetFunctionCommand({ FunctionName: await deployed.physicalId(fn) }));
  const { RuleNames } = await events.send(new ListRuleNamesByTargetCommand({ TargetArn: Configuration!.FunctionArn! }));
  const schedules = await Promise.all(
    (RuleNames ?? []).map(async Name => (await events.send(new DescribeRuleCommand({ Name }))).ScheduleExpression),
  );
  const answer = await lambda.send(
    new InvokeCommand({
      FunctionName: await deployed.physicalId(reserved),
      Qualifier: 'live',
      Payload: JSON.stringify({ action: 'env' }),
    }),
  );
  const { greeting } = JSON.parse(Buffer.from(answer.Payload ?? new Uint8Array()).toString('utf-8')) as {
    greeting: string;
  };
  // Where the alias's version writes its logs, and that its REPORT line is there (as `stagegraph logs` reads it).
  const reservedName = await deployed.physicalId(reserved);
  const { FunctionVersion } = await lambda.send(new GetAliasCommand({ FunctionName: reservedName, Name: 'live' }));
  const reservedLogGroup = (
    await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: reservedName, Qualifier: FunctionVersion }))
  ).LoggingConfig?.LogGroup;
  const reservedReported = await waitFor(`the REPORT line of ${reservedName}'s live alias`, async () =>
    (await logMessages(reservedName)).some(m => m.startsWith(`REPORT RequestId: ${answer.$metadata.requestId}`))
      ? true
      : undefined,
  );
  const functionName = Configuration!.FunctionName!;
  // None at all is a finding too (LocalStack replaced the configuration and its old resource's removal deleted it).
  const retryAttempts = await lambda
    .send(new GetFunctionEventInvokeConfigCommand({ FunctionName: functionName, Qualifier: '$LATEST' }))
    .then(
      config => config.MaximumRetryAttempts,
      (error: Error) => error.name,
    );
  const logGroupName = `/aws/lambda/${functionName}`;
  const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }));
  const { subscriptionFilters } = await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName }));
  const { MetricAlarms } = await cloudwatch.send(
    new DescribeAlarmsCommand({ AlarmNames: [await deployed.physicalId(app.meter.budgetAlarm!)] }),
  );
  return {
    statuses,
    schedules,
    greeting,
    reservedLogGroup: reservedLogGroup === `/aws/lambda/${reservedName}` ? 'its own' : reservedLogGroup,
    reservedReported,
    memorySize: Configuration!.MemorySize,
    retryAttempts,
    retentionInDays: logGroups?.find(g => g.logGroupName === logGroupName)?.retentionInDays,
    meterFilters: (subscriptionFilters ?? []).map(f => f.filterName),
    budgetThresholds: (MetricAlarms ?? []).map(a => a.Threshold),
    obsPrefixes: await obsPrefixes(await deployed.physicalId(app.bucket)),
    mappings: await settledMappings(functionName),
    environment: Configuration!.Environment?.Variables?.COLOUR,
    tags: await userTags(Configuration!.FunctionArn!),
    filterPolicies: await filterPolicies(await deployed.physicalId(app.topic)),
    unlisted: await unlisted(app.stack),
    mayPublish: await allows(await deployed.physicalId((fn.role as InlinePolicyRole).cfnRole), 'sns:Publish'),
  };
}

/** The function's tags that the app sets (not the billing meter's, not CloudFormation's `aws:` ones). */
async function userTags(functionArn: string): Promise<Record<string, string>> {
  const { Tags: tags } = await lambda.send(new ListTagsCommand({ Resource: functionArn }));
  return Object.fromEntries(Object.entries(tags ?? {}).filter(([key]) => key === 'greeting' || key === 'colour'));
}

/** The key prefixes of the bucket's function notifications. */
async function obsPrefixes(bucket: string): Promise<string[]> {
  const notifications = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
  return (notifications.LambdaFunctionConfigurations ?? []).map(
    c => c.Filter?.Key?.FilterRules?.find(rule => rule.Name?.toLowerCase() === 'prefix')?.Value ?? '',
  );
}

/** The filter policy of each of the topic's subscriptions, or 'none'. */
async function filterPolicies(topicArn: string): Promise<unknown[]> {
  const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
  return Promise.all(
    (Subscriptions ?? []).map(async ({ SubscriptionArn }) => {
      const { Attributes } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
      return Attributes?.FilterPolicy ? (JSON.parse(Attributes.FilterPolicy) as unknown) : 'none';
    }),
  );
}

/** Whether a role's inline policies allow an action (as IAM's API returns them). */
async function allows(roleName: string, action: string): Promise<boolean> {
  const { PolicyNames } = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
  for (const PolicyName of PolicyNames ?? []) {
    const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName }));
    if (decodeURIComponent(PolicyDocument ?? '').includes(`"${action}"`)) return true;
  }
  return false;
}

/** The resources of the stack's template that ListStackResources leaves out (a replaced one was). */
async function unlisted(stack: Stack): Promise<string[]> {
  const template = (stack.node.root as App).synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, unknown>;
  };
  const listed = new Set<string>();
  for await (const page of paginateListStackResources({ client: cloudformation }, { StackName: stack.stackName })) {
    for (const resource of page.StackResourceSummaries ?? []) listed.add(resource.LogicalResourceId ?? '');
  }
  return Object.keys(template.Resources).filter(id => !listed.has(id) && id !== 'CDKMetadata');
}

/** The function's event source mappings once none is changing (Creating, Enabling, Updating...): state and batch. */
async function settledMappings(
  functionName: string,
): Promise<Array<{ state?: string; batchSize?: number; window?: number }>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { EventSourceMappings } = await lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: functionName }),
    );
    const mappings = (EventSourceMappings ?? []).map(m => ({
      state: m.State,
      batchSize: m.BatchSize,
      window: m.MaximumBatchingWindowInSeconds ?? 0,
    }));
    if (mappings.every(m => m.state === 'Enabled' || m.state === 'Disabled') || Date.now() > deadline) return mappings;
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

test('a second deploy of a changed app: routes and their auth, schedule, alias version, retries, log retention, memory (and meter filter), budget, OBS prefix, DMS batch size, function tags, and what it removed are all in place', async () => {
  const first = probeApp({
    routes: ['/one'],
    everyMinutes: 5,
    greeting: 'first',
    memorySize: 128,
    retryAttempts: 0,
    logRetention: RetentionDays.ONE_WEEK,
    budgetUsd: 10,
    auth: HttpAuth.NONE,
    obsPrefix: 'a/',
    batchSize: 5,
    extras: true,
  });
  // Both deploys' observations are compared at the end: a failure shows every setting that did not follow.
  const seenFirst = await observed(await cloud.deploy(first.stack), first, ['/one']);

  const second = probeApp({
    routes: ['/one', '/two'],
    everyMinutes: 1,
    greeting: 'second',
    memorySize: 256,
    retryAttempts: 2,
    logRetention: RetentionDays.ONE_MONTH,
    budgetUsd: 5,
    auth: HttpAuth.IAM,
    obsPrefix: 'b/',
    batchSize: 2,
    extras: false,
  });
  const seenSecond = await observed(await cloud.deploy(second.stack), second, ['/one', '/two']);
  expect({ first: seenFirst, second: seenSecond }).toEqual({
    first: {
      statuses: { '/one': 200 },
      schedules: ['rate(5 minutes)'],
      greeting: 'first',
      reservedLogGroup: '/aws/lambda/RedeployTest/functions',
      reservedReported: true,
      memorySize: 128,
      retryAttempts: 0,
      retentionInDays: 7,
      meterFilters: [meterFilterName('128', '30')],
      budgetThresholds: [10],
      obsPrefixes: ['a/'],
      mappings: [{ state: 'Enabled', batchSize: 5, window: 2 }],
      environment: 'red',
      tags: { greeting: 'first', colour: 'red' },
      filterPolicies: [{ colour: ['red'] }],
      unlisted: [],
      mayPublish: true,
    },
    second: {
      // Unsigned: refused once the route takes IAM.
      statuses: { '/one': 403, '/two': 200 },
      schedules: ['rate(1 minute)'],
      greeting: 'second',
      reservedLogGroup: 'its own',
      reservedReported: true,
      memorySize: 256,
      retryAttempts: 2,
      retentionInDays: 30,
      meterFilters: [meterFilterName('256', '30')],
      budgetThresholds: [5],
      obsPrefixes: ['b/'],
      mappings: [{ state: 'Enabled', batchSize: 2, window: 0 }],
      environment: undefined,
      tags: { greeting: 'second' },
      filterPolicies: ['none'],
      // The meter's subscription filter, replaced by the memory change, is listed too.
      unlisted: [],
      mayPublish: false,
    },
  });
});

/** A stack of its own with one Node.js probe function of 128 MB, for a scenario of two deploys. */
function probeStack(stackName: string, functionId: string): { stack: Stack; fn: StageFunction } {
  const stack = new Stack(testApp({ build: true }), stackName);
  const fn = new StageFunction(stack, functionId, {
    code: StageCode.fromNodejs(path.join(FIXTURES, 'probe-nodejs')),
    memorySize: 128,
  });
  return { stack, fn };
}

test("a renamed billing meter: the filter of the stack's function log group delivers to the new meter function", async () => {
  // The filter is a child of the group, so its logical id stays; its destination is a new function.
  const version = (meterId: string) => {
    const { stack } = probeStack('MeterRenameTest', 'Shared');
    return { stack, meter: new BillingMeter(stack, meterId, { dashboard: false }) };
  };
  const seen: string[][] = [];
  for (const meterId of ['Billing', 'Metering']) {
    const { stack, meter } = version(meterId);
    seen.push(await sharedGroupFilters(await cloud.deploy(stack), stack, meter));
  }
  expect(seen).toEqual([[`${SHARED_METER_FILTER_NAME} -> the meter`], [`${SHARED_METER_FILTER_NAME} -> the meter`]]);
});

/** Where the subscription filters of the stack's function log group deliver: the meter's function, or an ARN. */
async function sharedGroupFilters(deployed: DeployedApp, stack: Stack, meter: BillingMeter): Promise<string[]> {
  const meterFn = meter.node.findChild('Meter') as StageFunction;
  const { Configuration } = await lambda.send(
    new GetFunctionCommand({ FunctionName: await deployed.physicalId(meterFn) }),
  );
  const { subscriptionFilters } = await logs.send(
    new DescribeSubscriptionFiltersCommand({ logGroupName: `/aws/lambda/${stack.stackName}/functions` }),
  );
  return (subscriptionFilters ?? []).map(filter =>
    filter.destinationArn === Configuration!.FunctionArn
      ? `${filter.filterName} -> the meter`
      : `${filter.filterName} -> ${filter.destinationArn}`,
  );
}

test('a deploy of the version whose update failed says it was not deployed, not "no changes"', async () => {
  // A DIS trigger's new starting position replaces its mapping, which Lambda refuses while the old one exists (AWS
  // too). LocalStack's rollback then keeps the failed template: the same version deployed again found no changes.
  const version = (startingPosition: StartingPosition) => {
    const { stack, fn } = probeStack('RollbackTest', 'Reader');
    fn.addTrigger(new DisTrigger(new Stream(stack, 'Readings'), { startingPosition }));
    return stack;
  };
  await deleteStack('RollbackTest'); // one a stopped earlier run left
  try {
    await cloud.deploy(version(StartingPosition.LATEST));
    await expect(cloud.deploy(version(StartingPosition.TRIM_HORIZON))).rejects.toThrow(/failed/);
    await expect(cloud.deploy(version(StartingPosition.TRIM_HORIZON))).rejects.toThrow(
      'RollbackTest was not updated. The last update failed, and the local cloud rolled it back',
    );
  } finally {
    await deleteStack('RollbackTest');
  }
});

/** Deletes a stack and waits until it is gone (a stack that is not there is gone). */
async function deleteStack(StackName: string): Promise<void> {
  await cloudformation.send(new DeleteStackCommand({ StackName }));
  await waitFor(
    `the deletion of ${StackName}`,
    async () => {
      const status = await cloudformation.send(new DescribeStacksCommand({ StackName })).then(
        ({ Stacks }) => Stacks?.[0]?.StackStatus,
        () => 'gone',
      );
      return status === 'gone' || status === 'DELETE_COMPLETE' || status === 'DELETE_FAILED' ? true : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );
}
