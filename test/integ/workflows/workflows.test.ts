import { execFile } from 'child_process';
import * as path from 'path';
import { promisify } from 'util';
import { App } from 'aws-cdk-lib';
import {
  GetExecutionHistoryCommand,
  HistoryEvent,
  ListExecutionsCommand,
  DescribeExecutionCommand,
  SFNClient,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { localClientConfig } from '../../../lib/local/endpoint';
import { DeployedApp, LocalCloud, testApp, waitFor } from '../../../lib/testing';
import { flowTestApp } from './app';

// FunctionGraph flows on the local cloud, deployed and driven with the testing kit: Step Functions runs the ASL,
// the functions run in their own runtimes (Node.js, Python), and the results are read back through the Step
// Functions API.
jest.setTimeout(240_000);

const config = localClientConfig();
// StartSyncExecution's `sync-` host prefix does not resolve on a local endpoint.
const sfn = new SFNClient({ ...config, disableHostPrefix: true });
const sqs = new SQSClient(config);
const logs = new CloudWatchLogsClient(config);
const flows = flowTestApp(testApp({ build: true }));
let cloud: LocalCloud;
let deployed: DeployedApp;

async function history(executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

beforeAll(async () => {
  cloud = await LocalCloud.start({ projectDir: path.join(__dirname, '..', '..', '..') });
  deployed = await cloud.deploy(flows.stack);
});

afterAll(async () => {
  for (const client of [sfn, sqs, logs]) client.destroy();
  await cloud?.stop();
});

test('a flow with parallel, loop, choice, retry, catch and a subflow runs to the expected output', async () => {
  const run = await deployed.runFlow(flows.orchestra, { items: [1, 2, 3, 4] }, { timeoutMs: 90_000 });
  const executionArn = run.executionArn;

  expect(run.status).toBe('SUCCEEDED');
  const output = run.output as {
    fanOut: unknown;
    size: unknown;
    flaky: unknown;
    caught: unknown;
    recovered: unknown;
    child: { output: unknown; executionArn: string };
  };
  expect(output.fanOut).toEqual([{ sum: 10 }, [{ square: 1 }, { square: 4 }, { square: 9 }, { square: 16 }]]);
  expect(output.size).toEqual({ size: 'small' });
  expect(output.flaky).toEqual({ attempt: 1 });
  expect(output.caught).toMatchObject({ Error: 'BrokenError' });
  expect(output.recovered).toEqual({ error: 'BrokenError' });
  expect(output.child.output).toMatchObject({
    runtime: expect.stringMatching(/^node v/),
    received: { op: 'describe', from: executionArn.split(':').pop() },
  });
  expect(output.child.executionArn).toMatch(/:execution:stagegraph-test-child:/);

  const events = await history(executionArn);
  const failed = events
    .filter(e => e.type === 'LambdaFunctionFailed')
    .map(e => e.lambdaFunctionFailedEventDetails?.error);
  // Flaky failed once and was retried; Broken failed once and was caught.
  expect(failed.sort()).toEqual(['BrokenError', 'FlakyError']);
  const entered = run.steps.map(step => step.name);
  expect(entered).toEqual(
    expect.arrayContaining([
      'Fan out',
      'Sum',
      'Square each',
      'Square',
      'Big?',
      'Small',
      'Flaky',
      'Broken',
      'Recovered',
      'Run child',
      'Settle',
      'Done',
    ]),
  );
  expect(entered).not.toContain('Big');
  expect(entered.filter(name => name === 'Square')).toHaveLength(4);
});

test('the choice takes the other branch for other data', async () => {
  const run = await deployed.runFlow(flows.orchestra, { items: [5, 6] }, { timeoutMs: 90_000 });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output).toMatchObject({
    fanOut: [{ sum: 11 }, [{ square: 25 }, { square: 36 }]],
    size: { size: 'big' },
  });
});

test('executions at once log their history events to the flow log group', async () => {
  const runs = await Promise.all(
    [7, 8, 9].map(n => deployed.runFlow(flows.orchestra, { items: [n] }, { timeoutMs: 90_000 })),
  );
  const groups = await logs.send(
    new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/vendedlogs/states/FlowTestStack-Orchestra' }),
  );
  const logGroupName = groups.logGroups?.[0]?.logGroupName;
  expect(logGroupName).toBeDefined();
  for (const run of runs) {
    expect(run.status).toBe('SUCCEEDED');
    // Delivered asynchronously, as on AWS: read until the execution's last event is there.
    const events = await waitFor(`the log events of ${run.executionArn}`, async () => {
      const found: { at: number; type: string }[] = [];
      let nextToken: string | undefined;
      do {
        const page = await logs.send(new FilterLogEventsCommand({ logGroupName, nextToken }));
        for (const e of page.events ?? []) {
          const event = JSON.parse(e.message ?? '{}') as { type: string; execution_arn: string };
          if (event.execution_arn === run.executionArn) found.push({ at: e.timestamp ?? 0, type: event.type });
        }
        nextToken = page.nextToken;
      } while (nextToken);
      return found.some(e => e.type === 'ExecutionSucceeded') ? found : undefined;
    });
    expect(events[0].type).toBe('ExecutionStarted');
    expect(
      events.filter(e => e.type === 'TaskStateEntered' || e.type === 'ParallelStateEntered').length,
    ).toBeGreaterThan(0);
  }
});

/** The task token a callback published to the Requests topic, read from the queue subscribed to it. */
async function tokenFor(marker: string): Promise<string> {
  const queueUrl = await deployed.physicalId(flows.requestQueue);
  return waitFor(
    "the callback's task token in the request queue",
    async () => {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const message of Messages ?? []) {
        const body = JSON.parse(message.Body!) as { taskToken: string; input: { request: string } };
        if (body.input.request === marker) {
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
          return body.taskToken;
        }
      }
      return undefined;
    },
    { timeoutMs: 60_000, intervalMs: 0 },
  );
}

test('a callback waits until an SMN message on the resume topic brings its token back', async () => {
  const marker = `approve-${Date.now()}`;
  const executionArn = await deployed.startFlow(flows.approval, { request: marker });
  const taskToken = await tokenFor(marker);
  expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');

  await deployed.publish(flows.approval.resumeTopic, { taskToken, output: { approved: true, by: 'tester' } });
  const execution = await deployed.flowExecution(executionArn);

  expect(execution.status).toBe('SUCCEEDED');
  expect(execution.output).toEqual({ request: marker, approval: { approved: true, by: 'tester' } });
});

test('an answer with an error fails the callback node', async () => {
  const marker = `reject-${Date.now()}`;
  const executionArn = await deployed.startFlow(flows.approval, { request: marker });
  const taskToken = await tokenFor(marker);

  await deployed.publish(flows.approval.resumeTopic, { taskToken, error: 'Declined', cause: 'not today' });
  const execution = await deployed.flowExecution(executionArn);

  expect(execution.status).toBe('FAILED');
  expect(execution.error).toBe('Declined');
});

/** A POST with a JSON body to a route of the stack's REST API (public routes: unsigned): status and parsed body. */
async function post(route: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await deployed.request(flows.stack, route, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signed: false,
  });
  return { status: response.status, body: response.json() };
}

test('a callback can be answered over HTTP; malformed answers get 400 and leave it waiting', async () => {
  const marker = `http-${Date.now()}`;
  const executionArn = await deployed.startFlow(flows.approval, { request: marker });
  const taskToken = await tokenFor(marker);

  expect(await post('/approvals', { output: { approved: true } })).toEqual({
    status: 400,
    body: { message: expect.stringMatching(/"taskToken" string/) },
  });
  expect(await post('/approvals', 'not json')).toMatchObject({ status: 400 });
  expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
  expect(await post('/approvals', { taskToken, output: { approved: true, by: 'web' } })).toEqual({
    status: 200,
    body: { resumed: true },
  });

  const execution = await deployed.flowExecution(executionArn);
  expect(execution.status).toBe('SUCCEEDED');
  expect((execution.output as { approval: unknown }).approval).toEqual({ approved: true, by: 'web' });
});

test('an OBS upload starts one execution with the object as input', async () => {
  const key = `incoming/report ${Date.now()}.txt`;
  await deployed.upload(flows.inbox, key, 'twelve bytes');
  const bucket = await deployed.physicalId(flows.inbox);
  const stateMachineArn = await deployed.physicalId(flows.onUpload);

  const executionArn = await waitFor(
    'an execution started by the upload',
    async () => {
      const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
      for (const execution of executions ?? []) {
        const described = await sfn.send(new DescribeExecutionCommand({ executionArn: execution.executionArn }));
        if (JSON.parse(described.input ?? '{}').key === key) return execution.executionArn;
      }
      return undefined;
    },
    { timeoutMs: 60_000, intervalMs: 300 },
  );
  const execution = await deployed.flowExecution(executionArn);

  expect(execution.status).toBe('SUCCEEDED');
  expect(execution.steps[0].input).toMatchObject({
    trigger: 'obs',
    bucket,
    key,
    size: 12,
    eventName: 'ObjectCreated:Put',
  });
  expect(execution.output).toMatchObject({
    received: { op: 'describe', key, bucket, size: 12 },
  });
});

test('an EXPRESS flow runs synchronously and answers with its output, through the API, the testing kit and flow run', async () => {
  const result = await sfn.send(
    new StartSyncExecutionCommand({
      stateMachineArn: await deployed.physicalId(flows.quick),
      input: JSON.stringify({ items: [2, 3, 5] }),
    }),
  );

  expect(result.status).toBe('SUCCEEDED');
  expect(JSON.parse(result.output!)).toEqual({ total: 10 });

  // The testing kit and `flow run` run it so too (DescribeExecution has no EXPRESS executions to describe).
  expect(await deployed.runFlow(flows.quick, { items: [1, 4] })).toMatchObject({
    status: 'SUCCEEDED',
    output: { total: 5 },
    steps: [],
  });
  const assembly = (flows.stack.node.root as App).outdir;
  const ran = await promisify(execFile)(path.join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'tsx'), [
    path.join(__dirname, '..', '..', '..', 'bin', 'stagegraph.ts'),
    'flow',
    'run',
    'Quick',
    '{"items":[2,2]}',
    '--out',
    assembly,
    '--json',
  ]);
  expect(JSON.parse(ran.stdout)).toMatchObject({ status: 'SUCCEEDED', output: { total: 4 } });
});

test("an HTTP trigger on an EXPRESS flow answers with the flow's output", async () => {
  expect(await post('/quick', { items: [1, 2] })).toEqual({ status: 200, body: { total: 3 } });
  // A body the flow cannot use fails the execution, and the caller gets its error.
  expect(await post('/quick', { numbers: [1, 2] })).toEqual({
    status: 500,
    body: { status: 'FAILED', error: expect.any(String), cause: expect.stringMatching(/\$\.body\.items/) },
  });
});

test('stagegraph flow run, list and show: the status, the path taken, the failed state and the output', async () => {
  const assembly = (flows.stack.node.root as App).outdir;
  const cli = (...args: string[]) =>
    promisify(execFile)(path.join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'tsx'), [
      path.join(__dirname, '..', '..', '..', 'bin', 'stagegraph.ts'),
      'flow',
      ...args,
    ]);

  const ran = await cli('run', 'Orchestra', '{"items":[1,2]}', '--out', assembly);
  expect(ran.stdout).toMatch(/^FlowTestStack\/Orchestra {2}SUCCEEDED {2}in \d+\.\d s/);
  // The parallel branches' states interleave in any order; after them the path is fixed.
  expect(ran.stdout).toMatch(
    /path: Fan out -> .* -> Big\? -> Small -> Flaky -> Broken -> Recovered -> Run child -> Settle -> Done\n/,
  );
  expect(ran.stdout).toContain('"fanOut":[{"sum":3},[{"square":1},{"square":4}]]');

  // Without items the fan-out cannot run: the command fails and names the state that failed.
  const failed = await cli('run', 'Orchestra', '{"numbers":[1]}', '--out', assembly).catch(
    (error: { code: number; stdout: string }) => error,
  );
  expect('code' in failed && failed.code).toBe(1);
  expect(failed.stdout).toMatch(/FAILED/);
  expect(failed.stdout).toMatch(/failed in: (Fan out|Sum|Square each)/);
  const executionArn = /execution: (\S+)/.exec(failed.stdout)?.[1] ?? '';

  const listed = await cli('list', 'Orchestra', '--out', assembly);
  expect(listed.stdout.split('\n')[0]).toContain(executionArn);
  const shown = await cli('show', executionArn, '--json');
  expect(JSON.parse(shown.stdout)).toMatchObject({ executionArn, status: 'FAILED' });
});
