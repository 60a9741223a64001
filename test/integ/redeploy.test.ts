import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import { DescribeRuleCommand, EventBridgeClient, ListRuleNamesByTargetCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { HttpAuth, HttpTrigger, StageCode, StageFunction, TimerTrigger } from '../../lib';
import { localClientConfig } from '../../lib/local/endpoint';
import { DeployedApp, LocalCloud, testApp } from '../../lib/testing';
import { FIXTURES } from '../helpers';

// A second deploy of a changed app changes what the app says. LocalStack's CloudFormation could not update a REST
// API's stage and reported the update done: after a route was added, every URL answered 404
// (repairs.update_rest_api_stages). It replaced the `live` alias of a function with reserved instances whose
// configuration changed, making the new one first under the same name: the deploy failed with "Alias already exists"
// (repairs.take_over_replaced_aliases). A Timer's new schedule is checked too (LocalStack replaces its rule).
jest.setTimeout(300_000);

interface Version {
  readonly routes: readonly string[];
  readonly everyMinutes: number;
  readonly greeting: string;
}

function probeApp(version: Version): {
  readonly stack: Stack;
  readonly fn: StageFunction;
  readonly reserved: StageFunction;
} {
  const stack = new Stack(testApp({ build: true }), 'RedeployTest');
  const code = StageCode.fromNodejs(path.join(FIXTURES, 'probe-nodejs'));
  const fn = new StageFunction(stack, 'Echo', {
    code,
    memorySize: 128,
    triggers: [
      ...version.routes.map(route => new HttpTrigger({ path: route, methods: ['GET'], auth: HttpAuth.NONE })),
      TimerTrigger.rate(Duration.minutes(version.everyMinutes)),
    ],
  });
  const reserved = new StageFunction(stack, 'Reserved', {
    code,
    memorySize: 128,
    reservedInstances: 1,
    environment: { GREETING: version.greeting },
  });
  return { stack, fn, reserved };
}

const config = localClientConfig();
const lambda = new LambdaClient(config);
const events = new EventBridgeClient(config);
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await LocalCloud.start({ projectDir: path.join(__dirname, '..', '..') });
});

afterAll(async () => {
  lambda.destroy();
  events.destroy();
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
  return { statuses, schedules, greeting };
}

test('a second deploy of a changed app: a new route and the old one answer, the Timer runs on its new schedule, and the alias serves the new version', async () => {
  const first = probeApp({ routes: ['/one'], everyMinutes: 5, greeting: 'first' });
  expect(await observed(await cloud.deploy(first.stack), first, ['/one'])).toEqual({
    statuses: { '/one': 200 },
    schedules: ['rate(5 minutes)'],
    greeting: 'first',
  });

  const second = probeApp({ routes: ['/one', '/two'], everyMinutes: 1, greeting: 'second' });
  expect(await observed(await cloud.deploy(second.stack), second, ['/one', '/two'])).toEqual({
    statuses: { '/one': 200, '/two': 200 },
    schedules: ['rate(1 minute)'],
    greeting: 'second',
  });
});
