import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { HttpAuth, HttpTrigger, StageCode, StageFunction } from '../../lib';
import { LocalCloud, testApp } from '../../lib/testing';
import { FIXTURES } from '../helpers';

// A second deploy of an app whose REST API changed (a route added) keeps every route answering: CloudFormation makes a
// new deployment of the API and moves its stage to it. LocalStack could not update a stage, so every URL answered
// 404 after such a deploy (repairs.update_rest_api_stages).
jest.setTimeout(300_000);

function echoApp(routes: readonly string[]): Stack {
  const stack = new Stack(testApp({ build: true }), 'HttpRedeployTest');
  new StageFunction(stack, 'Echo', {
    code: StageCode.fromNodejs(path.join(FIXTURES, 'probe-nodejs')),
    memorySize: 128,
    triggers: routes.map(route => new HttpTrigger({ path: route, methods: ['GET'], auth: HttpAuth.NONE })),
  });
  return stack;
}

let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await LocalCloud.start({ projectDir: path.join(__dirname, '..', '..') });
});

afterAll(async () => {
  await cloud?.stop();
});

test('a route added by a second deploy answers, and the first one still does', async () => {
  const first = echoApp(['/one']);
  const before = await cloud.deploy(first);
  const fn = first.node.findChild('Echo');
  expect((await before.request(fn, '/one', { signed: false })).status).toBe(200);

  const second = echoApp(['/one', '/two']);
  const after = await cloud.deploy(second);
  const again = second.node.findChild('Echo');
  for (const route of ['/one', '/two']) {
    const response = await after.request(again, route, { signed: false });
    expect({ route, status: response.status }).toEqual({ route, status: 200 });
  }
});
