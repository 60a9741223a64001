import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Stream, StreamEncryption } from 'aws-cdk-lib/aws-kinesis';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import {
  BillingMeter,
  Condition,
  DisTrigger,
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
import { FIXTURES } from '../helpers';

// The testing kit as a user's integration test uses it: the local cloud the integ project started is reused, an
// app synthesized here is deployed once, events go to its constructs, and the waits read what the function did.
jest.setTimeout(300_000);

const stack = new Stack(testApp({ build: true }), 'KitTest');
const uploads = new ObsBucket(stack, 'Uploads');
const topic = new Topic(stack, 'Orders', { enforceSSL: true });
const queue = new Queue(stack, 'Jobs', { enforceSSL: true });
const stream = new Stream(stack, 'Readings', { shardCount: 1, encryption: StreamEncryption.MANAGED });
const echo = new StageFunction(stack, 'Echo', {
  code: StageCode.fromNodejs(path.join(FIXTURES, 'echo-nodejs')),
  memorySize: 128,
  triggers: [
    new ObsTrigger(uploads, { prefix: 'in/' }),
    new SmnTrigger(topic, { filterPolicy: { kind: SubscriptionFilter.stringFilter({ allowlist: ['order'] }) } }),
    new DmsTrigger(queue),
    new DisTrigger(stream),
  ],
});

// A flow over the function: a choice on what it answered, a failing branch.
const flow = new FunctionGraph(stack, 'Checkout', {
  definition: Flow.sequence(
    Flow.invoke('Echo', echo, { resultPath: '$.answer' }),
    Flow.choice('Paid?')
      .when(Condition.booleanEquals('$.paid', true), Flow.succeed('Done'))
      .otherwise(Flow.fail('Unpaid', { error: 'Unpaid', cause: 'the order was not paid' })),
  ),
});
new BillingMeter(stack, 'Billing', { dashboard: false });

let cloud: LocalCloud;
let deployed: DeployedApp;
const timings: Record<string, number> = {};

beforeAll(async () => {
  const started = Date.now();
  cloud = await LocalCloud.start({ projectDir: path.join(__dirname, '..', '..') });
  timings.start = Date.now() - started;
  deployed = await cloud.deploy(stack);
  timings.deploy = Date.now() - started - timings.start;
});

afterAll(async () => {
  process.stderr.write(`[testing-kit] timings (ms): ${JSON.stringify(timings)}\n`);
  await cloud?.stop();
});

async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    timings[name] = Date.now() - started;
  }
}

test('reuses the running local cloud and resolves constructs to what CloudFormation made', async () => {
  expect(cloud.started).toBe(false);
  expect(deployed.stacks.map(s => s.stackName)).toEqual(['KitTest']);
  expect(await deployed.physicalId(uploads)).toMatch(/^uploads-[0-9a-f]{8}-000000000000-us-east-1$/);
  expect(await deployed.physicalId(topic)).toMatch(/^arn:aws:sns:us-east-1:000000000000:/);
  expect(await deployed.physicalId(queue)).toMatch(/^http.*Jobs/);
});

test('invoke runs the function in its runtime and answers its result', async () => {
  const result = await timed('invoke', () => deployed.invoke(echo, { ping: 'kit' }));
  expect(result).toEqual({ echo: { ping: 'kit' } });
});

test('an upload to the bucket runs the function: the wait sees its log and REPORT figures', async () => {
  const invocation = await timed('obs', async () => {
    const since = new Date();
    await deployed.upload(uploads, 'in/kit-photo.jpg', 'bytes');
    return deployed.nextInvocation(echo, { since, where: i => i.logs.some(l => l.includes('in/kit-photo.jpg')) });
  });
  expect(invocation.logs.join('\n')).toContain('"eventSource":"aws:s3"');
  expect(invocation.report.memorySizeMb).toBe(128);
  expect(invocation.report.billedDurationMillis).toBeGreaterThan(0);
});

test('a message published with attributes passes the filter policy and runs the function', async () => {
  const invocation = await timed('smn', async () => {
    const since = new Date();
    await deployed.publish(topic, { order: 42 }, { kind: 'order' });
    return deployed.nextInvocation(echo, { since, where: i => i.logs.some(l => l.includes('{\\"order\\":42}')) });
  });
  expect(invocation.logs.join('\n')).toContain('"EventSource":"aws:sns"');
});

test('a message sent to the queue and a record put to the stream each run the function', async () => {
  const fromQueue = await timed('dms', async () => {
    const since = new Date();
    await deployed.sendMessage(queue, { job: 'kit-job' });
    return deployed.nextInvocation(echo, { since, where: i => i.logs.some(l => l.includes('kit-job')) });
  });
  expect(fromQueue.logs.join('\n')).toContain('"eventSource":"aws:sqs"');

  const data = Buffer.from(JSON.stringify({ reading: 7 })).toString('base64');
  const fromStream = await timed('dis', async () => {
    const since = new Date();
    await deployed.putRecord(stream, { reading: 7 });
    return deployed.nextInvocation(echo, { since, where: i => i.logs.some(l => l.includes(data)), timeoutMs: 60_000 });
  });
  expect(fromStream.logs.join('\n')).toContain('"eventSource":"aws:kinesis"');
});

test('a wait that sees nothing fails with what it waited for', async () => {
  await expect(
    deployed.nextInvocation(echo, { where: i => i.logs.some(l => l.includes('never printed')), timeoutMs: 1_500 }),
  ).rejects.toThrow(/timed out after 1500 ms waiting for an invocation of KitTest\/Echo/);
});

test('a construct of another app is refused with its path', async () => {
  const other = new Stack(testApp(), 'NotDeployed');
  const bucket = new ObsBucket(other, 'Elsewhere');
  await expect(deployed.physicalId(bucket)).rejects.toThrow(
    /NotDeployed\/Elsewhere is not deployed in stack NotDeployed/,
  );
});

test("runFlow runs a flow on the real interpreter: the path taken, each state's input and output, a failing branch", async () => {
  const paid = await timed('flow', () => deployed.runFlow(flow, { order: 1, paid: true }));
  expect(paid.status).toBe('SUCCEEDED');
  expect(paid.steps.map(step => step.name)).toEqual(['Echo', 'Paid?', 'Done']);
  expect(paid.steps[0].output).toEqual({ order: 1, paid: true, answer: { echo: { order: 1, paid: true } } });

  const unpaid = await deployed.runFlow(flow, { order: 2, paid: false });
  expect(unpaid).toEqual(
    expect.objectContaining({ status: 'FAILED', error: 'Unpaid', cause: 'the order was not paid' }),
  );
  expect(unpaid.steps.map(step => step.name)).toEqual(['Echo', 'Paid?', 'Unpaid']);
});

test('the bill of a function during the test: its metered invocations, billed milliseconds and cost', async () => {
  const since = new Date();
  for (let i = 0; i < 3; i++) await deployed.invoke(echo, { bill: i });
  const bill = await timed('bill', () =>
    waitFor(
      'three metered invocations of KitTest/Echo',
      async () => {
        const read = await deployed.bill(since, [echo]);
        return read.total.invocations >= 3 ? read : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    ),
  );
  expect(bill.functions.map(line => line.name)).toEqual([await deployed.physicalId(echo)]);
  expect(bill.total.billedDurationMillis).toBeGreaterThan(0);
  expect(bill.total.costUsd).toBeGreaterThan(0);
});
