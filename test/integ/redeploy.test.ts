import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import { DescribeRuleCommand, EventBridgeClient, ListRuleNamesByTargetCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { HttpAuth, HttpTrigger, StageCode, StageFunction, TimerTrigger } from '../../lib';
import { localClientConfig } from '../../lib/local/endpoint';
import { DeployedApp, LocalCloud, testApp } from '../../lib/testing';
import { FIXTURES } from '../helpers';

// A second deploy of a changed app changes what the app says. LocalStack's CloudFormation could not update a REST
// API's stage and reported the update done: after a route was added, every URL answered 404
// (repairs.update_rest_api_stages). A Timer's new schedule is checked too (LocalStack replaces its rule).
jest.setTimeout(300_000);

interface Version {
  readonly routes: readonly string[];
  readonly everyMinutes: number;
}

function probeApp(version: Version): { readonly stack: Stack; readonly fn: StageFunction } {
  const stack = new Stack(testApp({ build: true }), 'RedeployTest');
  const fn = new StageFunction(stack, 'Echo', {
    code: StageCode.fromNodejs(path.join(FIXTURES, 'probe-nodejs')),
    memorySize: 128,
    triggers: [
      ...version.routes.map(route => new HttpTrigger({ path: route, methods: ['GET'], auth: HttpAuth.NONE })),
      TimerTrigger.rate(Duration.minutes(version.everyMinutes)),
    ],
  });
  return { stack, fn };
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

/** What a deployed version of the app answers: each route's status, and the schedules of the function's rules. */
async function observed(deployed: DeployedApp, fn: StageFunction, routes: readonly string[]) {
  const statuses: Record<string, number> = {};
  for (const route of routes) statuses[route] = (await deployed.request(fn, route, { signed: false })).status;
  const { Configuration } = await lambda.send(new GetFunctionCommand({ FunctionName: await deployed.physicalId(fn) }));
  const { RuleNames } = await events.send(new ListRuleNamesByTargetCommand({ TargetArn: Configuration!.FunctionArn! }));
  const schedules = await Promise.all(
    (RuleNames ?? []).map(async Name => (await events.send(new DescribeRuleCommand({ Name }))).ScheduleExpression),
  );
  return { statuses, schedules };
}

test('a second deploy of a changed app: a new route and the old one answer, and the Timer runs on its new schedule', async () => {
  const first = probeApp({ routes: ['/one'], everyMinutes: 5 });
  expect(await observed(await cloud.deploy(first.stack), first.fn, ['/one'])).toEqual({
    statuses: { '/one': 200 },
    schedules: ['rate(5 minutes)'],
  });

  const second = probeApp({ routes: ['/one', '/two'], everyMinutes: 1 });
  expect(await observed(await cloud.deploy(second.stack), second.fn, ['/one', '/two'])).toEqual({
    statuses: { '/one': 200, '/two': 200 },
    schedules: ['rate(1 minute)'],
  });
});
