// Event throughput on the embedded LocalStack: 1,000 messages through a DMS trigger (and through plain
// aws-cdk-lib's SqsEventSource, in the same run) and 200 uploads through an OBS trigger. Every event
// must be processed exactly as sent (none lost); the time runs from the first send to the last
// processed log line (the line's own timestamp).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { functionLogEvents, functionLogSource } from '../../lib/local/function-log-events';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { deployLocal } from '../../lib/app/deploy';
import { physicalIds } from '../integ/stack-resources';
import { localClientConfig } from '../../lib/local/endpoint';
import { Spread, spread } from './stats';

const lambda = new LambdaClient(localClientConfig());

export interface ThroughputResult {
  readonly variant: string;
  readonly events: number;
  /** Events processed in every run (each run fails unless all are). */
  readonly processed: number;
  /** Events never processed, summed over the runs. */
  readonly lost: number;
  /** Extra processings of an event already processed, summed over the runs (settled 3 s after the last). */
  readonly duplicates: number;
  readonly seconds: Spread;
  readonly perSecond: Spread;
}

const APP_DIR = path.join(__dirname, 'throughput-app');

async function inBatches<T>(items: T[], parallel: number, send: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += parallel) await Promise.all(items.slice(i, i + parallel).map(send));
}

/** Every processed line of the function since a time: how often each id was processed, and when last. */
async function processedLines(
  logs: CloudWatchLogsClient,
  functionName: string,
  ids: Set<string>,
  since: number,
): Promise<Map<string, { count: number; lastMillis: number }>> {
  const seen = new Map<string, { count: number; lastMillis: number }>();
  // Its own group (plain CDK's, made with its first log line) or its streams of the stack's function log group.
  for (const event of await functionLogEvents(logs, await functionLogSource(lambda, functionName), since - 1000)) {
    const match = /processed (\S+)/.exec(event.message ?? '');
    if (!match || !ids.has(match[1])) continue;
    const entry = seen.get(match[1]) ?? { count: 0, lastMillis: 0 };
    seen.set(match[1], { count: entry.count + 1, lastMillis: Math.max(entry.lastMillis, event.timestamp ?? 0) });
  }
  return seen;
}

/**
 * Polls the function's log group until every id is processed; the time of the last first processing, then,
 * 3 s later (long enough for a batch processed twice by concurrent pollers to show), how many ids were
 * processed more than once.
 */
async function waitProcessed(
  logs: CloudWatchLogsClient,
  functionName: string,
  ids: Set<string>,
  since: number,
  deadlineMs = 600_000,
): Promise<{ processed: number; lastMillis: number; duplicates: number }> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const seen = await processedLines(logs, functionName, ids, since);
    if (seen.size === ids.size) {
      const lastMillis = Math.max(...[...seen.values()].map(s => s.lastMillis));
      await new Promise(resolve => setTimeout(resolve, 3000));
      const settled = await processedLines(logs, functionName, ids, since);
      const duplicates = [...settled.values()].reduce((sum, s) => sum + s.count - 1, 0);
      return { processed: seen.size, lastMillis, duplicates };
    }
    if (Date.now() > deadline)
      throw new Error(
        `${functionName}: ${seen.size} of ${ids.size} events processed after ${deadlineMs / 1000} s (${ids.size - seen.size} lost)`,
      );
    await new Promise(resolve => setTimeout(resolve, 500));
  }
}

export async function benchThroughput(messages: number, uploads: number, repeats: number): Promise<ThroughputResult[]> {
  const config = localClientConfig();
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-bench-throughput-'));
  const sqs = new SQSClient(config);
  const s3 = new S3Client(config);
  const logs = new CloudWatchLogsClient(config);
  try {
    await deployLocal({ projectDir: APP_DIR, outdir });
    const physical = await physicalIds('ThroughputBenchStack');
    const samples = new Map<string, { events: number; seconds: number[]; lost: number; duplicates: number }>();
    const record = (
      variant: string,
      events: number,
      done: { processed: number; duplicates: number },
      seconds: number,
    ) => {
      const entry = samples.get(variant) ?? { events, seconds: [], lost: 0, duplicates: 0 };
      entry.seconds.push(seconds);
      entry.lost += events - done.processed;
      entry.duplicates += done.duplicates;
      samples.set(variant, entry);
    };
    for (let r = 0; r < repeats; r++) {
      const run = `${Date.now().toString(36)}r${r}`;
      for (const [variant, queueUrl, fn] of [
        ['DMS trigger (stagegraph)', physical.Messages, 'bench-queue-counter'],
        ['SqsEventSource (plain aws-cdk-lib)', physical.PlainMessages, 'bench-plain-queue-counter'],
      ]) {
        const ids = Array.from({ length: messages }, (_, i) => `${run}-${variant.startsWith('DMS') ? 'd' : 'p'}${i}`);
        const started = Date.now();
        const batches = Array.from({ length: Math.ceil(ids.length / 10) }, (_, b) => ids.slice(b * 10, b * 10 + 10));
        await inBatches(batches, 10, batch =>
          sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: batch.map((id, j) => ({ Id: String(j), MessageBody: JSON.stringify({ id }) })),
            }),
          ),
        );
        const done = await waitProcessed(logs, fn, new Set(ids), started);
        record(`${messages} messages, ${variant}`, messages, done, (done.lastMillis - started) / 1000);
      }
      const keys = Array.from({ length: uploads }, (_, i) => `bench/${run}-${i}.txt`);
      const started = Date.now();
      await inBatches(keys, 10, key =>
        s3.send(new PutObjectCommand({ Bucket: physical.Uploads, Key: key, Body: key })),
      );
      const done = await waitProcessed(logs, 'bench-upload-counter', new Set(keys), started);
      record(`${uploads} uploads, OBS trigger (stagegraph)`, uploads, done, (done.lastMillis - started) / 1000);
    }
    const results: ThroughputResult[] = [...samples.entries()].map(
      ([variant, { events, seconds, lost, duplicates }]) => ({
        variant,
        events,
        processed: events,
        lost,
        duplicates,
        seconds: spread(seconds),
        perSecond: spread(seconds.map(x => events / x)),
      }),
    );
    return results;
  } finally {
    for (const client of [sqs, s3, logs]) client.destroy();
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
