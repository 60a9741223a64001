import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  HistoryEvent,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { deployLocal } from '../../../lib/app/deploy';
import { LOCAL_ACCOUNT, LOCAL_REGION, localClientConfig, localRestApiUrl } from '../../../lib/local/endpoint';
import { physicalIds } from '../stack-resources';
import { poll } from '../poll';

// FunctionGraph flows on the local cloud: Step Functions runs the ASL, the functions run in their own
// runtimes (Node.js, Python), and the results are read back through the Step Functions API.
jest.setTimeout(240_000);

const config = localClientConfig();
// StartSyncExecution's `sync-` host prefix does not resolve on a local endpoint.
const sfn = new SFNClient({ ...config, disableHostPrefix: true });
const sns = new SNSClient(config);
const sqs = new SQSClient(config);
const s3 = new S3Client(config);
const physical: Record<string, string> = {};
let outdir: string;

const flowArn = (name: string) =>
  `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:stagegraph-test-${name}`;

async function finished(executionArn: string, deadlineMs = 90_000): Promise<DescribeExecutionCommandOutput> {
  return poll(
    `execution ${executionArn} to finish`,
    async () => {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return execution.status === 'RUNNING' ? undefined : execution;
    },
    deadlineMs,
    200,
  );
}

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
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-flows-'));
  await deployLocal({ projectDir: __dirname, outdir });
  Object.assign(physical, await physicalIds('FlowTestStack'));
});

afterAll(() => {
  for (const client of [sfn, sns, sqs, s3]) client.destroy();
  fs.rmSync(outdir, { recursive: true, force: true });
});

test('a flow with parallel, loop, choice, retry, catch and a subflow runs to the expected output', async () => {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: flowArn('orchestra'),
      input: JSON.stringify({ items: [1, 2, 3, 4] }),
    }),
  );
  const execution = await finished(executionArn!);

  expect(execution.status).toBe('SUCCEEDED');
  const output = JSON.parse(execution.output!);
  expect(output.fanOut).toEqual([{ sum: 10 }, [{ square: 1 }, { square: 4 }, { square: 9 }, { square: 16 }]]);
  expect(output.size).toEqual({ size: 'small' });
  expect(output.flaky).toEqual({ attempt: 1 });
  expect(output.caught).toMatchObject({ Error: 'BrokenError' });
  expect(output.recovered).toEqual({ error: 'BrokenError' });
  expect(output.child.output).toMatchObject({
    runtime: expect.stringMatching(/^node v/),
    received: { op: 'describe', from: executionArn!.split(':').pop() },
  });
  expect(output.child.executionArn).toMatch(/:execution:stagegraph-test-child:/);

  const events = await history(executionArn!);
  const failed = events
    .filter(e => e.type === 'LambdaFunctionFailed')
    .map(e => e.lambdaFunctionFailedEventDetails?.error);
  // Flaky failed once and was retried; Broken failed once and was caught.
  expect(failed.sort()).toEqual(['BrokenError', 'FlakyError']);
  const entered = events.filter(e => e.type?.endsWith('StateEntered')).map(e => e.stateEnteredEventDetails?.name);
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
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: flowArn('orchestra'), input: JSON.stringify({ items: [5, 6] }) }),
  );
  const execution = await finished(executionArn!);
  expect(execution.status).toBe('SUCCEEDED');
  expect(JSON.parse(execution.output!)).toMatchObject({
    fanOut: [{ sum: 11 }, [{ square: 25 }, { square: 36 }]],
    size: { size: 'big' },
  });
});

/** The task token a callback published to the Requests topic, read from the queue subscribed to it. */
async function tokenFor(marker: string): Promise<string> {
  return poll(
    "the callback's task token in the request queue",
    async () => {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: physical.RequestQueue, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const message of Messages ?? []) {
        const body = JSON.parse(message.Body!) as { taskToken: string; input: { request: string } };
        if (body.input.request === marker) {
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: physical.RequestQueue, ReceiptHandle: message.ReceiptHandle }),
          );
          return body.taskToken;
        }
      }
      return undefined;
    },
    60_000,
    0,
  );
}

test('a callback waits until an SMN message on the resume topic brings its token back', async () => {
  const marker = `approve-${Date.now()}`;
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: flowArn('approval'), input: JSON.stringify({ request: marker }) }),
  );
  const taskToken = await tokenFor(marker);
  expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');

  await sns.send(
    new PublishCommand({
      TopicArn: physical.ApprovalResumeTopic,
      Message: JSON.stringify({ taskToken, output: { approved: true, by: 'tester' } }),
    }),
  );
  const execution = await finished(executionArn!);

  expect(execution.status).toBe('SUCCEEDED');
  expect(JSON.parse(execution.output!)).toEqual({ request: marker, approval: { approved: true, by: 'tester' } });
});

test('an answer with an error fails the callback node', async () => {
  const marker = `reject-${Date.now()}`;
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: flowArn('approval'), input: JSON.stringify({ request: marker }) }),
  );
  const taskToken = await tokenFor(marker);

  await sns.send(
    new PublishCommand({
      TopicArn: physical.ApprovalResumeTopic,
      Message: JSON.stringify({ taskToken, error: 'Declined', cause: 'not today' }),
    }),
  );
  const execution = await finished(executionArn!);

  expect(execution.status).toBe('FAILED');
  expect(execution.error).toBe('Declined');
});

/** A POST with a JSON body to a route of the stack's REST API: status and parsed body. */
async function post(route: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${localRestApiUrl(physical.StageHttpApi)}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

test('a callback can be answered over HTTP; malformed answers get 400 and leave it waiting', async () => {
  const marker = `http-${Date.now()}`;
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: flowArn('approval'), input: JSON.stringify({ request: marker }) }),
  );
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

  const execution = await finished(executionArn!);
  expect(execution.status).toBe('SUCCEEDED');
  expect(JSON.parse(execution.output!).approval).toEqual({ approved: true, by: 'web' });
});

test('an OBS upload starts one execution with the object as input', async () => {
  const key = `incoming/report ${Date.now()}.txt`;
  await s3.send(new PutObjectCommand({ Bucket: physical.Inbox, Key: key, Body: 'twelve bytes' }));

  const executionArn = await poll(
    'an execution started by the upload',
    async () => {
      const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: flowArn('on-upload') }));
      for (const execution of executions ?? []) {
        const described = await sfn.send(new DescribeExecutionCommand({ executionArn: execution.executionArn }));
        if (JSON.parse(described.input ?? '{}').key === key) return execution.executionArn;
      }
      return undefined;
    },
    60_000,
    300,
  );
  const execution = await finished(executionArn);

  expect(execution.status).toBe('SUCCEEDED');
  expect(JSON.parse(execution.input!)).toMatchObject({
    trigger: 'obs',
    bucket: physical.Inbox,
    key,
    size: 12,
    eventName: 'ObjectCreated:Put',
  });
  expect(JSON.parse(execution.output!)).toMatchObject({
    received: { op: 'describe', key, bucket: physical.Inbox, size: 12 },
  });
});

test('an EXPRESS flow runs synchronously and answers with its output', async () => {
  const result = await sfn.send(
    new StartSyncExecutionCommand({ stateMachineArn: flowArn('quick'), input: JSON.stringify({ items: [2, 3, 5] }) }),
  );

  expect(result.status).toBe('SUCCEEDED');
  expect(JSON.parse(result.output!)).toEqual({ total: 10 });
});

test("an HTTP trigger on an EXPRESS flow answers with the flow's output", async () => {
  expect(await post('/quick', { items: [1, 2] })).toEqual({ status: 200, body: { total: 3 } });
  // A body the flow cannot use fails the execution, and the caller gets its error.
  expect(await post('/quick', { numbers: [1, 2] })).toEqual({
    status: 500,
    body: { status: 'FAILED', error: expect.any(String), cause: expect.stringMatching(/\$\.body\.items/) },
  });
});
