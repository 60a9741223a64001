// Latency from an S3 upload, an SNS publish and an SQS send to the first log line of the triggered
// function on the embedded LocalStack: the line's own timestamp (written by the function's runtime)
// minus the time the event was sent, on the same clock.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { deployLocal } from '../../lib/app/deploy';
import { physicalIds } from '../integ/stack-resources';
import { localClientConfig } from '../../lib/local/endpoint';
import { findDeployedFunction } from '../../lib/app/deployed';
import { Spread, spread } from './stats';
import { logMessages } from '../integ/function-logs';

export interface TriggerLatency {
  readonly trigger: string;
  readonly millis: Spread;
}

const APP_DIR = path.join(__dirname, '..', 'integ', 'triggers');

export async function benchTriggerLatency(runs: number): Promise<TriggerLatency[]> {
  const config = localClientConfig();
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-bench-triggers-'));
  const s3 = new S3Client(config);
  const sns = new SNSClient(config);
  const sqs = new SQSClient(config);
  try {
    await deployLocal({ projectDir: APP_DIR, outdir });
    const physical = await physicalIds('TriggerTestStack');
    const functionName = async (id: string) => (await findDeployedFunction(outdir, id)).functionName;
    const cases: Array<{ trigger: string; fn: string; send: (marker: string) => Promise<unknown> }> = [
      {
        trigger: 'OBS upload',
        fn: await functionName('Uploads'),
        send: m => s3.send(new PutObjectCommand({ Bucket: physical.Files, Key: `uploads/${m}.txt`, Body: m })),
      },
      {
        trigger: 'SMN publish',
        fn: await functionName('Consumer'),
        send: m =>
          sns.send(
            new PublishCommand({
              TopicArn: physical.Colors,
              Message: JSON.stringify({ action: 'log', body: m }),
              MessageAttributes: { color: { DataType: 'String', StringValue: 'blue' } },
            }),
          ),
      },
      {
        trigger: 'DMS send',
        fn: await functionName('Consumer'),
        send: m =>
          sqs.send(new SendMessageCommand({ QueueUrl: physical.Readings, MessageBody: JSON.stringify({ marker: m }) })),
      },
    ];
    const results: TriggerLatency[] = [];
    for (const c of cases) {
      const samples: number[] = [];
      for (let i = -1; i < runs; i++) {
        // the first run warms the function up and is not counted
        const marker = `bench-${Date.now()}-${i}`;
        const sent = Date.now();
        await c.send(marker);
        const deadline = Date.now() + 30_000;
        for (;;) {
          const line = (await logMessages(c.fn, sent - 1000).catch(() => [])).find(
            m => m.includes(marker) && /^\d{4}-\d\d-\d\dT/.test(m),
          );
          if (line) {
            if (i >= 0) {
              samples.push(Date.parse(line.split('\t')[0]) - sent);
            }
            break;
          }
          if (Date.now() > deadline) {
            throw new Error(`${c.trigger}: no log line for ${marker} within 30 s`);
          }
          await new Promise(resolve => setTimeout(resolve, 50));
        }
      }
      results.push({ trigger: c.trigger, millis: spread(samples) });
    }
    return results;
  } finally {
    for (const client of [s3, sns, sqs]) {
      client.destroy();
    }
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
