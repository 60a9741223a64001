import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { InvokeCommand, LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { ListSubscriptionsByTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { deployLocal } from '../../lib/app/deploy';
import { localClientConfig, localRestApiUrl, usesExternalLocalStack } from '../../lib/local/endpoint';
import { findDeployedFunction } from '../../lib/app/deployed';
import { installLocalStack } from '../../lib/local/install';
import { isAlive, startLocalStack, stopLocalStack } from '../../lib/local/localstack-process';
import { localPaths } from '../../lib/local/paths';
import { physicalIds } from '../integ/stack-resources';
import { logMessages } from '../integ/function-logs';
import { waitFor } from '../../lib/testing';

// State that survives `local down` + `local up` and a kill -9 of LocalStack: the embedded LocalStack of
// this folder's app (on the default port: this project runs alone, after the others), restarted mid-way
// through 300 messages of an SQS-triggered function that records each message it processes as an S3
// object. No mocks; everything is polled with deadlines.
jest.setTimeout(240_000);

const APP_DIR = __dirname;
const paths = localPaths(APP_DIR);
const stateDir = path.join(paths.filesystem, 'state');
const config = localClientConfig();
const s3 = new S3Client(config);
const sqs = new SQSClient(config);
const lambda = new LambdaClient(config);
const sns = new SNSClient(config);
const sfn = new SFNClient(config);
const cloudwatch = new CloudWatchClient(config);
const kinesis = new KinesisClient(config);
let outdir: string;
let functionName: string;
const physical: Record<string, string> = {};

interface Processed {
  /** Objects the function wrote: one per processing. */
  readonly objects: number;
  /** Distinct message ids among them. */
  readonly unique: number;
  /** Ids processed more than once, with how often. */
  readonly repeated: Record<string, number>;
}

/** What the function recorded for the messages whose ids start with `prefix`. */
async function processed(prefix: string): Promise<Processed> {
  const counts = new Map<string, number>();
  let objects = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: physical.Records, Prefix: `processed/${prefix}`, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      const id = (object.Key ?? '').split('/')[1];
      counts.set(id, (counts.get(id) ?? 0) + 1);
      objects++;
    }
    token = page.NextContinuationToken;
  } while (token);
  return { objects, unique: counts.size, repeated: Object.fromEntries([...counts].filter(([, n]) => n > 1)) };
}

async function send(prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: physical.Work,
        Entries: Array.from({ length: Math.min(10, count - i) }, (_, j) => ({
          Id: `m${j}`,
          MessageBody: JSON.stringify({ id: `${prefix}${i + j}` }),
        })),
      }),
    );
  }
}

async function putReadings(prefix: string, count: number): Promise<void> {
  await kinesis.send(
    new PutRecordsCommand({
      StreamName: physical.Readings,
      Records: Array.from({ length: count }, (_, i) => ({
        PartitionKey: `p${i}`,
        Data: Buffer.from(JSON.stringify({ id: `${prefix}${i}` })),
      })),
    }),
  );
}

async function queueIsEmpty(): Promise<boolean> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: physical.Work,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages) === 0 &&
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible) === 0
  );
}

/** Waits until the function has recorded every id of `prefix` and the queue is empty. */
async function allProcessed(prefix: string, count: number): Promise<Processed> {
  return waitFor(
    `${count} messages ${prefix}* processed`,
    async () => {
      const seen = await processed(prefix);
      return seen.unique >= count && (await queueIsEmpty()) ? seen : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
}

async function readObject(key: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: physical.Records, Key: key }));
  return object.Body!.transformToString();
}

async function ping(text: string): Promise<unknown> {
  const result = await lambda.send(
    new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify({ ping: text })) }),
  );
  return JSON.parse(Buffer.from(result.Payload ?? []).toString());
}

interface RestoreReport {
  readonly restoredAt: number;
  readonly durationMs: number;
  readonly savedAt?: number;
  readonly sizeBytes: number;
  readonly services: Record<
    string,
    {
      restored: boolean;
      error?: string;
      inFlightTotal?: number;
      objectsWithoutBody?: number;
      objectsChangedWhileSaving?: number;
    }
  >;
}

/** What the start begun at `startedMs` restored (RESTORE.json of an earlier start does not count). */
async function restoreReport(startedMs: number): Promise<RestoreReport> {
  return waitFor(
    'RESTORE.json of this start',
    async () => {
      try {
        const report = JSON.parse(fs.readFileSync(path.join(stateDir, 'RESTORE.json'), 'utf-8')) as RestoreReport;
        return report.restoredAt * 1000 >= startedMs ? report : undefined;
      } catch {
        return undefined;
      }
    },
    { timeoutMs: 10_000, intervalMs: 100 },
  );
}

/**
 * When the save of the last complete snapshot began (seconds since the epoch): it holds every change
 * acknowledged before then.
 */
function savedAt(): number {
  try {
    const generation = fs.readFileSync(path.join(stateDir, 'snapshot', 'CURRENT'), 'utf-8').trim();
    return (
      JSON.parse(fs.readFileSync(path.join(stateDir, 'snapshot', generation, 'SAVED.json'), 'utf-8')) as {
        savedAt: number;
      }
    ).savedAt;
  } catch {
    return 0;
  }
}

const describeLocal = usesExternalLocalStack() ? describe.skip : describe;

describeLocal('state that survives a restart', () => {
  beforeAll(async () => {
    // This app's own LocalStack, from a clean state.
    await stopLocalStack(APP_DIR);
    fs.rmSync(stateDir, { recursive: true, force: true });
    installLocalStack({ projectDir: APP_DIR });
    await startLocalStack({ projectDir: APP_DIR });
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-restart-'));
    const started = Date.now();
    await deployLocal({ projectDir: APP_DIR, outdir });
    process.stderr.write(`[restart] app deployed in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    Object.assign(physical, await physicalIds('RestartTestStack'));
    functionName = (await findDeployedFunction(outdir, 'Recorder')).functionName;
  });

  afterAll(async () => {
    await stopLocalStack(APP_DIR);
    for (const client of [s3, sqs, lambda, sns, sfn, cloudwatch, kinesis]) {
      client.destroy();
    }
    if (outdir) {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('local down + local up mid-way: every message processed exactly once, objects, functions and the rest still there', async () => {
    await s3.send(
      new PutObjectCommand({ Bucket: physical.Records, Key: 'before/down.txt', Body: 'uploaded before the restart' }),
    );
    await sns.send(new PublishCommand({ TopicArn: physical.Notices, Message: 'notice before the restart' }));
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: physical.Flow, input: '{"step":1}' }),
    );
    await waitFor(
      'the execution to succeed',
      async () => (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'SUCCEEDED' || undefined,
    );
    await putReadings('s', 5);
    await waitFor('5 Kinesis records processed', async () => ((await processed('s')).unique === 5 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    await send('r', 300);
    const before = await waitFor(
      '90 messages processed',
      async () => {
        const seen = await processed('r');
        return seen.unique >= 90 ? seen : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );

    const stopped = Date.now();
    await stopLocalStack(APP_DIR);
    const down = Date.now() - stopped;
    const started = Date.now();
    await startLocalStack({ projectDir: APP_DIR });
    const up = Date.now() - started;
    const report = await restoreReport(started);
    process.stderr.write(
      `[restart] stopped after ${before.unique} messages in ${down} ms; up with the state restored in ${up} ms ` +
        `(restore ${report.durationMs} ms, ${(report.sizeBytes / 1024).toFixed(0)} KiB saved)\n`,
    );
    expect(Object.entries(report.services).filter(([, s]) => !s.restored)).toEqual([]);

    // No redeploy: the same names answer.
    expect(await readObject('before/down.txt')).toBe('uploaded before the restart');
    expect(await ping('after the restart')).toEqual({ pong: 'after the restart' });

    const after = await allProcessed('r', 300);
    const inFlight = report.services.sqs?.inFlightTotal ?? 0;
    if (after.objects !== after.unique) {
      process.stderr.write(
        `[restart] processed twice: ${JSON.stringify(after.repeated)} (in flight at the stop: ${inFlight})\n`,
      );
    }
    expect(after.unique).toBe(300);
    expect(after.objects - after.unique).toBe(0);

    // The Kinesis mapping goes on after the last record it processed: the first five are not repeated.
    await putReadings('t', 5);
    await waitFor(
      '5 more Kinesis records processed',
      async () => ((await processed('t')).unique === 5 ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(await processed('s')).toEqual({ objects: 5, unique: 5, repeated: {} });
    expect(await processed('t')).toEqual({ objects: 5, unique: 5, repeated: {} });

    // The rest of the app: the subscription and the message it delivered, the execution and its
    // history, the function's logs and metrics, its mappings, its REST API.
    const subscriptions = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: physical.Notices }));
    expect(subscriptions.Subscriptions).toHaveLength(1);
    const inbox = await sqs.send(new ReceiveMessageCommand({ QueueUrl: physical.Inbox, WaitTimeSeconds: 1 }));
    expect((inbox.Messages ?? []).map(m => m.Body)).toEqual(['notice before the restart']);
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('SUCCEEDED');
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect((history.events ?? []).map(e => e.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    const logLines = (await logMessages(functionName)).filter(m => m.includes('recorded r0 '));
    expect(logLines.length).toBeGreaterThanOrEqual(1);
    const metrics = await cloudwatch.send(
      new ListMetricsCommand({ Namespace: 'AWS/Lambda', MetricName: 'Invocations' }),
    );
    expect((metrics.Metrics ?? []).some(m => (m.Dimensions ?? []).some(d => d.Value === functionName))).toBe(true);
    const mappings = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName }));
    expect((mappings.EventSourceMappings ?? []).map(m => m.State)).toEqual(['Enabled', 'Enabled']);
    const api = await fetch(`${localRestApiUrl(physical.StageHttpApi)}/items/7`);
    expect(api.status).toBe(200);
    expect(await api.json()).toEqual({ path: '/items/7' });
  });

  test('kill -9 of LocalStack: objects and functions survive, and processing resumes without losing a message', async () => {
    await s3.send(
      new PutObjectCommand({ Bucket: physical.Records, Key: 'before/kill.txt', Body: 'uploaded before the kill' }),
    );
    await send('k', 100);
    const sent = Date.now() / 1000;
    await waitFor('20 messages processed', async () => ((await processed('k')).unique >= 20 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    // A kill loses what was acknowledged after the last save began (every 5 s by default): wait for a
    // save begun after the last message was sent, so that the kill must lose none of them.
    await waitFor('a save after the last message was sent', async () => (savedAt() > sent ? true : undefined), {
      timeoutMs: 20_000,
      intervalMs: 200,
    });

    const pid = Number((JSON.parse(fs.readFileSync(paths.pid, 'utf-8')) as { pid: number }).pid);
    const killed = Date.now();
    process.kill(pid, 'SIGKILL');
    // Gone with all its threads: until the last one has exited, its port still accepts connections.
    await waitFor('LocalStack to be gone', async () => (isAlive(pid) ? undefined : true), {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    const started = Date.now();
    await startLocalStack({ projectDir: APP_DIR });
    const report = await restoreReport(started);
    const lostSeconds = report.savedAt ? killed / 1000 - report.savedAt : NaN;
    process.stderr.write(
      `[restart] up after kill -9 in ${Date.now() - started} ms; restored the save made ${lostSeconds.toFixed(1)} s before the kill\n`,
    );
    expect(Object.entries(report.services).filter(([, s]) => !s.restored)).toEqual([]);
    // Every restored object has its body: those put while the save went on (after it had read their bucket) are
    // left to the next save, as those put after it.
    process.stderr.write(
      `[restart] S3 objects put or deleted while the last save went on: ${report.services.s3?.objectsChangedWhileSaving}\n`,
    );
    expect(report.services.s3?.objectsWithoutBody).toBe(0);

    expect(await readObject('before/kill.txt')).toBe('uploaded before the kill');
    expect(await readObject('before/down.txt')).toBe('uploaded before the restart');
    expect(await ping('after the kill')).toEqual({ pong: 'after the kill' });

    // Nothing is lost. Work done after the last save is done again (at least once): count it.
    const after = await allProcessed('k', 100);
    const inFlight = report.services.sqs?.inFlightTotal ?? 0;
    process.stderr.write(
      `[restart] after kill -9: ${after.unique} messages, ${after.objects - after.unique} processed twice ` +
        `(${inFlight} were in flight at the last save)${after.objects > after.unique ? `: ${JSON.stringify(after.repeated)}` : ''}\n`,
    );
    expect(after.unique).toBe(100);
  });
});
