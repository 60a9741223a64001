import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { deployedFunctionIds, findDeployedFunction } from '../../lib/app/deployed';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import {
  BillingMeter,
  DmsTrigger,
  Flow,
  FunctionGraph,
  ObsBucket,
  ObsTrigger,
  SmnTrigger,
  StageCode,
  StageFunction,
} from '../../lib';
import { DeployedApp, LocalCloud, testApp, waitFor } from '../../lib/testing';
import { NESTED_FUNCTION_STACKS } from '../../lib/function/placement';
import { FIXTURES } from '../helpers';

// An app opted in to nested stacks of functions, deployed to the local cloud: events reach functions in nested
// stacks through the parent's bucket, topic and queues, a flow in the parent calls them, the meter meters them, and
// every lookup (the kit's, the CLI's) finds them through their nested stack.
jest.setTimeout(300_000);

const stack = new Stack(testApp({ build: true, app: { context: { [NESTED_FUNCTION_STACKS]: 3 } } }), 'NestedTest');
const uploads = new ObsBucket(stack, 'Uploads');
const topic = new Topic(stack, 'Events', { enforceSSL: true });
const fns = Array.from(
  { length: 5 },
  (_, i) =>
    new StageFunction(stack, `Echo${i}`, {
      code: StageCode.fromNodejs(path.join(FIXTURES, 'echo-nodejs')),
      memorySize: 128,
      triggers: [
        new ObsTrigger(uploads, { prefix: `fn${i}/` }),
        new SmnTrigger(topic),
        new DmsTrigger(new Queue(stack, `Jobs${i}`, { enforceSSL: true })),
      ],
    }),
);
const flow = new FunctionGraph(stack, 'Relay', {
  definition: Flow.sequence(
    Flow.invoke('First', fns[0], { resultPath: '$.first' }),
    Flow.invoke('Last', fns[4], { resultPath: '$.last' }),
    Flow.succeed('Done'),
  ),
});
new BillingMeter(stack, 'Billing', { dashboard: false });

let cloud: LocalCloud;
let deployed: DeployedApp;

beforeAll(async () => {
  cloud = await LocalCloud.start({ projectDir: path.join(__dirname, '..', '..') });
  deployed = await cloud.deploy(stack);
});

afterAll(async () => {
  await cloud?.stop();
});

test('the functions are in nested stacks and each one runs', async () => {
  // Each in the nested stack its path hashes to, of three.
  for (const fn of fns) expect(fn.node.path).toMatch(/^NestedTest\/Functions[123]\/Echo\d$/);
  expect(new Set(fns.map(fn => fn.node.path.split('/')[1])).size).toBeGreaterThan(1);
  for (const fn of fns) {
    expect(await deployed.invoke(fn, { ping: fn.node.id })).toEqual({ echo: { ping: fn.node.id } });
  }
});

test("an upload to the parent's bucket runs the function in its nested stack", async () => {
  const since = new Date();
  await deployed.upload(uploads, 'fn3/photo.jpg', 'bytes');
  const invocation = await deployed.nextInvocation(fns[3], {
    since,
    where: i => i.logs.some(l => l.includes('fn3/photo.jpg')),
  });
  expect(invocation.logs.join('\n')).toContain('"eventSource":"aws:s3"');
});

test("a message to the parent's topic reaches every function, a queue message its own", async () => {
  const since = new Date();
  await deployed.publish(topic, { hello: 'nested' });
  for (const fn of fns) {
    await deployed.nextInvocation(fn, { since, where: i => i.logs.some(l => l.includes('nested')) });
  }
  const queued = new Date();
  const queue = stack.node.findChild('Jobs2') as Queue;
  await deployed.sendMessage(queue, { job: 'two' });
  await deployed.nextInvocation(fns[2], { since: queued, where: i => i.logs.some(l => l.includes('two')) });
});

test('a flow in the parent calls functions in nested stacks', async () => {
  const run = await deployed.runFlow(flow, { order: 1 });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output).toMatchObject({ first: { echo: { order: 1 } } });
});

test('the bill meters the functions of the nested stacks', async () => {
  const since = new Date(Date.now() - 60_000);
  await deployed.invoke(fns[1], { bill: true });
  const bill = await waitFor(
    'a metered invocation of Echo1',
    async () => {
      const read = await deployed.bill(since, [fns[1]]);
      return read.total.invocations >= 1 ? read : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 1000 },
  );
  expect(bill.functions.map(line => line.name)).toEqual([await deployed.physicalId(fns[1])]);
  expect(bill.total.costUsd).toBeGreaterThan(0);
});

test('the CLI finds a function of a nested stack by its name, and names the bill lines by construct path', async () => {
  const assembly = (stack.node.root as App).outdir;
  const found = await findDeployedFunction(assembly, 'Echo3');
  expect(found).toEqual({ id: fns[3].node.path, functionName: await deployed.physicalId(fns[3]) });
  const ids = await deployedFunctionIds(assembly);
  expect(ids.get(await deployed.physicalId(fns[4]))).toBe(fns[4].node.path);
});
