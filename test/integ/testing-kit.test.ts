import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Stream, StreamEncryption } from 'aws-cdk-lib/aws-kinesis';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Duration } from 'aws-cdk-lib';
import {
  BillingMeter,
  Condition,
  DisTrigger,
  DmsTrigger,
  Flow,
  FunctionGraph,
  HttpTrigger,
  ObsBucket,
  ObsTrigger,
  SmnTrigger,
  StageCode,
  StageFunction,
  TimerTrigger,
} from '../../lib';
import { DeployedApp, LocalCloud, StepMock, testApp, waitFor } from '../../lib/testing';
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
    new HttpTrigger({ path: '/echo/{id}', methods: ['POST'] }),
    TimerTrigger.rate(Duration.days(1), { input: { timer: 'kit' } }),
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
// A flow with a retry and a catch: the charge is retried on Busy twice, and any other failure goes to Refund.
const refund = Flow.invoke('Refund', echo, { resultPath: '$.refund' });
const charging = new FunctionGraph(stack, 'Charging', {
  definition: Flow.sequence(
    Flow.invoke('Charge', echo, { resultPath: '$.charge' })
      .retry({ errors: ['Busy'], maxAttempts: 2, interval: Duration.seconds(1), backoffRate: 1 })
      .catch(Flow.sequence(refund, Flow.fail('Refunded', { error: 'Refunded', cause: 'the charge failed' }))),
    Flow.succeed('Charged'),
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

test('nextInvocation answers the event the function received and what it returned', async () => {
  const since = new Date();
  await deployed.upload(uploads, 'in/kit-event.jpg', 'bytes');
  const invocation = await deployed.nextInvocation(echo, {
    since,
    where: i => JSON.stringify(i.event ?? '').includes('in/kit-event.jpg'),
  });
  const record = (invocation.event as { Records: { s3: { object: { key: string } } }[] }).Records[0];
  expect(record.s3.object.key).toBe('in/kit-event.jpg');
  expect(invocation.result).toEqual({ echo: invocation.event });
  expect(invocation.failed).toBe(false);
});

test('request calls an HTTP route at its local URL: signed it runs the function, unsigned IAM refuses it', async () => {
  const signed = await timed('http', () => deployed.request(echo, '/echo/7', { body: { n: 1 } }));
  expect(signed.status).toBe(200);
  expect(signed.json()).toEqual({ method: 'POST', path: '/echo/7', body: '{"n":1}' });

  const unsigned = await deployed.request(echo, '/echo/7', { body: { n: 1 }, signed: false });
  expect(unsigned.status).toBe(403);
  await expect(deployed.request(echo, 'echo/7')).rejects.toThrow(/the path must start with \/ \(given 'echo\/7'\)/);
});

test("fireTimer fires the function's Timer now, through its deployed rule, with the rule's input", async () => {
  const invocation = await timed('timer', async () => {
    const since = new Date();
    const sent = await deployed.fireTimer(echo);
    expect(sent).toEqual({ timer: 'kit' });
    return deployed.nextInvocation(echo, { since, where: i => (i.event as { timer?: string }).timer === 'kit' });
  });
  expect(invocation.result).toEqual({ echo: { timer: 'kit' } });
  await expect(deployed.fireTimer(echo, TimerTrigger.rate(Duration.hours(1)))).rejects.toThrow(
    /KitTest\/Echo: no Timer rate\(1 hour\) \(its Timers: rate\(1 day\)\)/,
  );
});

describe('runFlow with mocked steps, on the real interpreter', () => {
  test('a mocked function step answers instead of the function: the same path as the real run', async () => {
    const mocked = await timed('flowMocked', () =>
      deployed.runFlow(flow, { order: 3, paid: true }, { mocks: { Echo: StepMock.returns({ mocked: true }) } }),
    );
    expect(mocked.status).toBe('SUCCEEDED');
    expect(mocked.steps.map(step => step.name)).toEqual(['Echo', 'Paid?', 'Done']);
    expect(mocked.steps[0].output).toEqual({ order: 3, paid: true, answer: { mocked: true } });
  });

  test('a retry: the step fails with Busy once, is retried, and the flow succeeds with the second answer', async () => {
    const run = await deployed.runFlow(
      charging,
      { order: 4 },
      { mocks: { Charge: [StepMock.throws('Busy', 'try again'), StepMock.returns({ charged: 4 })] } },
    );
    expect(run.status).toBe('SUCCEEDED');
    expect(run.steps.map(step => step.name)).toEqual(['Charge', 'Charged']);
    expect(run.output).toEqual({ order: 4, charge: { charged: 4 } });
  });

  test('a catch: an error not retried, and a timeout, take the failing branch through the real Refund', async () => {
    const declined = await deployed.runFlow(charging, { order: 5 }, { mocks: { Charge: StepMock.throws('Declined') } });
    expect(declined).toEqual(expect.objectContaining({ status: 'FAILED', error: 'Refunded' }));
    expect(declined.steps.map(step => step.name)).toEqual(['Charge', 'Refund', 'Refunded']);
    // Refund is not mocked: the real function ran and echoed what the catch passed on.
    expect(declined.steps[1].output).toEqual(
      expect.objectContaining({ error: { Error: 'Declined', Cause: 'Declined (mocked)' } }),
    );

    const late = await deployed.runFlow(charging, { order: 6 }, { mocks: { Charge: StepMock.timesOut() } });
    expect(late.status).toBe('FAILED');
    expect(late.steps[1].input).toEqual(
      expect.objectContaining({ error: expect.objectContaining({ Error: 'States.Timeout' }) }),
    );
  });

  test('a mock of a state the flow does not have is refused with the states it may mock', async () => {
    await expect(deployed.runFlow(charging, {}, { mocks: { Charj: StepMock.returns({}) } })).rejects.toThrow(
      /KitTest\/Charging has no task state 'Charj' to mock \(allowed: Charge, Refund\)/,
    );
    await expect(deployed.runFlow(charging, {}, { mocks: { Charged: StepMock.returns({}) } })).rejects.toThrow(
      /no task state 'Charged' to mock \(it is a Succeed state; allowed: Charge, Refund\)/,
    );
  });
});
