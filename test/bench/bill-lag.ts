// How long the bill lags behind a burst: 500 invocations of a metered function (20 at a time through the
// Invoke API), then `stagegraph bill`'s own reader (readBill) and the function's log group are polled until
// they count all 500. Two local clouds in one run: CloudWatch Logs subscriptions delivered asynchronously
// in batches (stagegraph's extension, the default) and synchronously inside PutLogEvents (LocalStack's own
// delivery and log writer, STAGEGRAPH_LOG_DELIVERY=sync).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { functionLogEvents, functionLogSource } from '../../lib/local/function-log-events';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { readBill } from '../../lib/app/bill';
import { deployLocal } from '../../lib/app/deploy';
import { localClientConfig } from '../../lib/local/endpoint';
import { startLocalStack, stopLocalStack } from '../../lib/local/localstack-process';

export interface BillLagResult {
  readonly delivery: string;
  readonly invocations: number;
  /** Seconds of the burst itself. */
  readonly burstSeconds: number;
  /** Seconds after the burst until the log group held all REPORT lines. */
  readonly logsSeconds: number;
  /** Seconds after the burst until the bill counted all invocations. */
  readonly billSeconds: number;
}

const APP_DIR = path.join(__dirname, 'bill-app');

async function reportLines(
  logs: CloudWatchLogsClient,
  lambda: LambdaClient,
  functionName: string,
  since: number,
): Promise<number> {
  const events = await functionLogEvents(logs, await functionLogSource(lambda, functionName), since - 1000);
  return events.filter(e => (e.message ?? '').startsWith('REPORT RequestId:')).length;
}

async function burst(
  invocations: number,
  delivery: string,
  functionName: string,
  outdir: string,
  deadlineMs = 300_000,
): Promise<BillLagResult> {
  const config = localClientConfig();
  const lambda = new LambdaClient(config);
  const logs = new CloudWatchLogsClient(config);
  const cloudwatch = new CloudWatchClient(config);
  try {
    await deployLocal({ projectDir: APP_DIR, outdir });
    // A warm-up, outside the measured window.
    await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from('{}') }));
    const since = Date.now() + 1000;
    await new Promise(resolve => setTimeout(resolve, Math.max(0, since - Date.now())));
    const started = Date.now();
    for (let i = 0; i < invocations; i += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, invocations - i) }, () =>
          lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from('{}') })),
        ),
      );
    }
    const burstEnd = Date.now();
    let logsAt: number | undefined;
    let billAt: number | undefined;
    const deadline = burstEnd + deadlineMs;
    while (logsAt === undefined || billAt === undefined) {
      if (Date.now() > deadline)
        throw new Error(
          `${delivery}: the logs or the bill did not count ${invocations} invocations within ${deadlineMs / 1000} s`,
        );
      if (logsAt === undefined && (await reportLines(logs, lambda, functionName, since)) >= invocations)
        logsAt = Date.now();
      if (billAt === undefined) {
        // readBill takes the window's length, as `stagegraph bill --since` does: from a little before the burst.
        const bill = await readBill(cloudwatch, Date.now() - since + 60_000);
        if ((bill.functions.find(f => f.name === functionName)?.invocations ?? 0) >= invocations) billAt = Date.now();
      }
      await new Promise(resolve => setTimeout(resolve, 250));
    }
    return {
      delivery,
      invocations,
      burstSeconds: (burstEnd - started) / 1000,
      logsSeconds: (logsAt - burstEnd) / 1000,
      billSeconds: (billAt - burstEnd) / 1000,
    };
  } finally {
    for (const client of [lambda, logs, cloudwatch]) client.destroy();
  }
}

/** Runs the burst on a local cloud started for each delivery mode (the running one, if any, is stopped first). */
export async function benchBillLag(projectDir: string, invocations: number): Promise<BillLagResult[]> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-bench-bill-'));
  const results: BillLagResult[] = [];
  const saved = process.env.STAGEGRAPH_LOG_DELIVERY;
  const run = Date.now().toString(36);
  process.env.STAGEGRAPH_BENCH_RUN = run;
  try {
    for (const [label, mode] of [
      ['asynchronous, batched (stagegraph)', ''],
      ["LocalStack's own: synchronous, a call per invocation", 'sync'],
    ]) {
      await stopLocalStack(projectDir);
      process.env.STAGEGRAPH_LOG_DELIVERY = mode;
      await startLocalStack({ projectDir });
      results.push(await burst(invocations, label, `bench-bill-${run}-${mode || 'async'}`, outdir));
    }
  } finally {
    await stopLocalStack(projectDir);
    if (saved === undefined) delete process.env.STAGEGRAPH_LOG_DELIVERY;
    else process.env.STAGEGRAPH_LOG_DELIVERY = saved;
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  return results;
}
