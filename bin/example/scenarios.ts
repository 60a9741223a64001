// Drives the four scenarios of the example app on a deployed stack, with real inputs, through the
// AWS SDK, and reports what happened. Used by `npm start` (bin/start.ts) and the integration test.
import * as fs from 'fs';
import * as path from 'path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
export const EXAMPLE_STACK = 'StagegraphExample';

/** Where the example's resources are, from the stack's outputs. */
export interface ExampleOutputs {
  readonly BucketName: string;
  readonly InboxQueueUrl: string;
  readonly ReadingsQueueUrl: string;
  readonly TelemetryStreamName: string;
  /** The shared REST API of the HTTP triggers: every stack with one has this output. */
  readonly StageHttpApiId: string;
  readonly DocumentFlowArn: string;
  readonly AlertsTopicArn: string;
  readonly ThumbnailTopicArn: string;
  readonly AggregatesTopicArn: string;
}

/** The SDK settings and endpoint of the cloud the example runs on. */
export interface ExampleCloud {
  readonly config: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
    forcePathStyle: boolean;
  };
  /** The base URL of the stack's REST API stage, e.g. `http://127.0.0.1:4566/_aws/execute-api/<id>/live`. */
  readonly apiUrl: (apiId: string) => string;
}

/** A notification read from the inbox queue: its topic's ARN, subject and JSON message. */
export interface Notification {
  readonly topic: string;
  readonly subject?: string;
  readonly message: Record<string, unknown>;
}

async function poll<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  deadlineMs = 90_000,
  intervalMs = 300,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${deadlineMs / 1000} s waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, intervalMs));
  }
}

/** The example's notifications: every message of the alert, thumbnail and aggregate topics lands in one queue. */
export class Inbox {
  private readonly seen: Notification[] = [];
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** Waits until `count` notifications match, reading (and deleting) what arrives meanwhile. */
  public async waitFor(
    what: string,
    match: (n: Notification) => boolean,
    count = 1,
    deadlineMs = 90_000,
  ): Promise<Notification[]> {
    return poll(
      what,
      async () => {
        const { Messages } = await this.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        if (Messages && Messages.length > 0) {
          for (const m of Messages) {
            const envelope = JSON.parse(m.Body ?? '{}') as { TopicArn?: string; Subject?: string; Message?: string };
            let message: Record<string, unknown>;
            try {
              message = JSON.parse(envelope.Message ?? '{}');
            } catch {
              message = { text: envelope.Message };
            }
            this.seen.push({ topic: envelope.TopicArn ?? '', subject: envelope.Subject, message });
          }
          await this.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: this.queueUrl,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          );
        }
        const found = this.seen.filter(match);
        return found.length >= count ? found : undefined;
      },
      deadlineMs,
      0,
    );
  }
}

/** The stack's outputs. */
export async function exampleOutputs(cloud: ExampleCloud): Promise<ExampleOutputs> {
  const cloudformation = new CloudFormationClient(cloud.config);
  try {
    const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: EXAMPLE_STACK }));
    return Object.fromEntries(
      (Stacks?.[0]?.Outputs ?? []).map(o => [o.OutputKey, o.OutputValue]),
    ) as unknown as ExampleOutputs;
  } finally {
    cloudformation.destroy();
  }
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(data: Buffer): { width: number; height: number } {
  if (data.subarray(1, 4).toString('ascii') !== 'PNG') throw new Error('not a PNG');
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

/** Scenario 1: upload a real image; its thumbnail appears under thumbnails/ and a message on the topic. */
export async function runFileProcessing(cloud: ExampleCloud, out: ExampleOutputs, inbox: Inbox, run: string) {
  const s3 = new S3Client(cloud.config);
  try {
    const image = fs.readFileSync(path.join(EXAMPLES, 'landscape.png'));
    const key = `uploads/landscape-${run}.png`;
    await s3.send(new PutObjectCommand({ Bucket: out.BucketName, Key: key, Body: image, ContentType: 'image/png' }));
    const [event] = await inbox.waitFor(
      'the thumbnail notification',
      n => n.topic === out.ThumbnailTopicArn && n.message.source === key,
    );
    const thumbnail = Buffer.from(
      await (
        await s3.send(new GetObjectCommand({ Bucket: out.BucketName, Key: String(event.message.thumbnail) }))
      ).Body!.transformToByteArray(),
    );
    return {
      upload: { key, ...pngSize(image) },
      thumbnail: { key: String(event.message.thumbnail), bytes: thumbnail.length, ...pngSize(thumbnail) },
      notification: event.message,
    };
  } finally {
    s3.destroy();
  }
}

/** Scenario 2: readings of three devices to the queue and the stream; aggregates per device and an alert come back. */
export async function runIot(cloud: ExampleCloud, out: ExampleOutputs, inbox: Inbox, run: string) {
  const sqs = new SQSClient(cloud.config);
  const kinesis = new KinesisClient(cloud.config);
  try {
    const devices = [`cooler-${run}`, `office-${run}`, `furnace-${run}`];
    const temperatures: Record<string, number[]> = {
      [devices[0]]: [4.5, 5.0, 4.8, 5.2, 4.9, 5.1, 4.7, 5.3, 4.6, 5.0],
      [devices[1]]: [21.0, 21.5, 22.0, 21.8, 22.3, 21.2, 21.9, 22.1, 21.4, 21.6],
      [devices[2]]: [28.0, 29.5, 31.0, 33.5, 36.0, 34.5, 32.0, 30.5, 29.0, 28.5],
    };
    const readings = Object.entries(temperatures).flatMap(([device, values]) =>
      values.map((temperature, i) => ({ device, temperature, seq: i })),
    );
    for (let i = 0; i < readings.length; i += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: out.ReadingsQueueUrl,
          Entries: readings.slice(i, i + 10).map((r, j) => ({ Id: String(j), MessageBody: JSON.stringify(r) })),
        }),
      );
    }
    // The same devices also report through the stream (a second channel: DIS).
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: out.TelemetryStreamName,
        Records: devices.map(device => ({
          PartitionKey: device,
          Data: Buffer.from(JSON.stringify({ device, temperature: 20 })),
        })),
      }),
    );
    const ours = (n: Notification) => devices.includes(String(n.message.device));
    const dms = await poll(
      'all queued readings aggregated',
      async () => {
        const found = await inbox.waitFor(
          'DMS aggregates',
          n => ours(n) && n.message.source === 'dms' && n.topic === out.AggregatesTopicArn,
          3,
        );
        const counted = found.reduce((sum, n) => sum + Number(n.message.count), 0);
        return counted >= readings.length ? found : undefined;
      },
      120_000,
      0,
    );
    const dis = await inbox.waitFor(
      'DIS aggregates',
      n => ours(n) && n.message.source === 'dis' && n.topic === out.AggregatesTopicArn,
      3,
    );
    // One alert per batch with a reading over the threshold: the readings usually come in one batch (the mapping
    // waits up to 2 s for 100), but a busy machine can split them, as AWS can; the batch with the hottest reading
    // raises the alert that carries it.
    const hottest = Math.max(...temperatures[devices[2]]);
    const alerts = await poll(
      'the temperature alert with the hottest reading',
      async () => {
        const found = await inbox.waitFor('a temperature alert', n => ours(n) && n.topic === out.AlertsTopicArn);
        return found.some(n => Number(n.message.max) === hottest) ? found : undefined;
      },
      90_000,
      0,
    );
    const perDevice = Object.fromEntries(
      devices.map(device => {
        const parts = dms
          .filter(n => n.message.device === device)
          .map(n => n.message as { count: number; min: number; max: number; mean: number });
        const count = parts.reduce((sum, p) => sum + p.count, 0);
        return [
          device,
          {
            count,
            min: Math.min(...parts.map(p => p.min)),
            max: Math.max(...parts.map(p => p.max)),
            mean: parts.reduce((sum, p) => sum + p.mean * p.count, 0) / count,
          },
        ];
      }),
    );
    return {
      devices,
      sent: readings.length,
      perDevice,
      streamAggregates: dis.map(n => n.message),
      alerts: alerts.map(n => n.message),
    };
  } finally {
    sqs.destroy();
    kinesis.destroy();
  }
}

async function call(url: string, method: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed };
}

/** Scenario 3: a CRUD round trip over HTTP, and bad input answered with 4xx. */
export async function runWebBackend(cloud: ExampleCloud, out: ExampleOutputs) {
  const base = `${cloud.apiUrl(out.StageHttpApiId)}/items`;
  const created = await call(base, 'POST', { name: 'Espresso machine', price: 249.9, tags: ['kitchen'] });
  const id = (created.body as { id: string }).id;
  const read = await call(`${base}/${id}`, 'GET');
  const updated = await call(`${base}/${id}`, 'PUT', {
    name: 'Espresso machine',
    price: 199,
    tags: ['kitchen', 'sale'],
  });
  const listed = await call(base, 'GET');
  // Lists come in pages: with a second item, a page of one has a `next` token that reaches the other.
  const second = await call(base, 'POST', { name: 'Grinder', price: 89, tags: ['kitchen'] });
  const pages: Array<Array<{ id: string }>> = [];
  for (let next: string | undefined = '', page = 0; next !== undefined && page < 100; page++) {
    const response = await call(`${base}?limit=1${next ? `&next=${encodeURIComponent(next)}` : ''}`, 'GET');
    const body = response.body as { items?: Array<{ id: string }>; next?: string };
    pages.push(body.items ?? []);
    next = body.next;
  }
  await call(`${base}/${(second.body as { id: string }).id}`, 'DELETE');
  const pageIds = pages.flat().map(item => item.id);
  const secondId = (second.body as { id: string }).id;
  const deleted = await call(`${base}/${id}`, 'DELETE');
  const gone = await call(`${base}/${id}`, 'GET');
  const bad = {
    notJson: await call(base, 'POST', '{name: oops'),
    missingName: await call(base, 'POST', { price: 3 }),
    negativePrice: await call(base, 'POST', { name: 'Tea', price: -1 }),
    unknownId: await call(`${base}/not-an-id`, 'GET'),
    wrongMethod: await call(`${base}/${id}`, 'POST', { name: 'x', price: 1 }),
    pageTooLarge: await call(`${base}?limit=500`, 'GET'),
  };
  return {
    created,
    read,
    updated,
    listedCount: ((listed.body as { items: unknown[] }).items ?? []).length,
    pageSizes: pages.map(p => p.length),
    pageIds,
    secondId,
    deleted,
    gone,
    bad,
  };
}

/**
 * Scenario 4: two real documents uploaded; the flow archives the positive one and raises an alert for the negative one.
 */
export async function runDocuments(cloud: ExampleCloud, out: ExampleOutputs, inbox: Inbox, run: string) {
  const s3 = new S3Client(cloud.config);
  const sfn = new SFNClient({ ...cloud.config, disableHostPrefix: true });
  try {
    const results: Record<string, { key: string; status: string; output: Record<string, unknown> }> = {};
    for (const name of ['customer-praise', 'customer-complaint']) {
      const key = `documents/${name}-${run}.txt`;
      await s3.send(
        new PutObjectCommand({
          Bucket: out.BucketName,
          Key: key,
          Body: fs.readFileSync(path.join(EXAMPLES, 'documents', `${name}.txt`)),
        }),
      );
      results[name] = { key, status: 'STARTED', output: {} };
    }
    for (const result of Object.values(results)) {
      const executionArn = await poll(`the flow started by ${result.key}`, async () => {
        const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: out.DocumentFlowArn }));
        for (const e of executions ?? []) {
          const described = await sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
          if (JSON.parse(described.input ?? '{}').key === result.key) return e.executionArn;
        }
        return undefined;
      });
      const execution = await poll(`the flow for ${result.key} to finish`, async () => {
        const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        return described.status === 'RUNNING' ? undefined : described;
      });
      result.status = execution.status ?? 'UNKNOWN';
      result.output = JSON.parse(execution.output ?? '{}');
    }
    const complaint = results['customer-complaint'];
    const [alert] = await inbox.waitFor(
      'the negative document alert',
      n => n.topic === out.AlertsTopicArn && n.message.key === complaint.key,
    );
    const archivedKey = String((results['customer-praise'].output.archived as { key?: string } | undefined)?.key ?? '');
    const archived = archivedKey
      ? JSON.parse(
          await (
            await s3.send(new GetObjectCommand({ Bucket: out.BucketName, Key: archivedKey }))
          ).Body!.transformToString(),
        )
      : undefined;
    return { results, alert: alert.message, archivedKey, archived };
  } finally {
    s3.destroy();
    sfn.destroy();
  }
}
