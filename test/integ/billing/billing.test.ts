import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BillingModel } from '../../../lib';
import { parseReport, ReportLine } from '../../../lib/billing/report-line';
import { deployLocal } from '../../../lib/app/deploy';
import { localClientConfig } from '../../../lib/local/endpoint';
import { physicalIds } from '../stack-resources';
import { waitFor } from '../../../lib/testing';

// Billing on the local cloud: functions that sleep known durations are invoked a known number of
// times; the meter's metrics in CloudWatch and `stagegraph bill --json` must match what the model
// computes from the functions' own REPORT lines, and the budget alarm must notify its topic.
jest.setTimeout(300_000);

const ROOT = path.join(__dirname, '..', '..', '..');
const config = localClientConfig();
const lambda = new LambdaClient(config);
const cloudwatch = new CloudWatchClient(config);
const sqs = new SQSClient(config);
const model = BillingModel.FUNCTIONSTAGE_SEED;
const physical: Record<string, string> = {};
let outdir: string;
let started: number;
const run = Date.now().toString(36);
const sleeps = (...millis: number[]) => millis.map(m => ({ action: 'sleep', millis: m }));
const forge = { action: 'forge' };
const runs: Record<string, object[]> = {
  [`stagegraph-billing-small-${run}`]: sleeps(40, 120, 250, 99),
  [`stagegraph-billing-large-${run}`]: sleeps(10, 180),
  [`stagegraph-billing-forge-node-${run}`]: [forge, forge, forge],
  [`stagegraph-billing-forge-python-${run}`]: [forge, forge, forge],
  [`stagegraph-billing-json-${run}`]: [...sleeps(30), forge],
};
const totalInvocations = Object.values(runs).reduce((sum, events) => sum + events.length, 0);

interface Expected {
  invocations: number;
  billedDurationMillis: number;
  gbSeconds: number;
  costUsd: number;
  coldStarts: number;
}

/** What the model makes of the REPORT lines of this run's invocations. */
function expectedFrom(reports: ReportLine[]): Expected {
  const expected: Expected = { invocations: 0, billedDurationMillis: 0, gbSeconds: 0, costUsd: 0, coldStarts: 0 };
  for (const report of reports) {
    const billed = model.billedMillis(report.durationMillis, report.initDurationMillis);
    expected.invocations += 1;
    expected.billedDurationMillis += billed;
    expected.gbSeconds += model.gbSeconds(billed, report.memorySizeMb);
    expected.costUsd += model.invocationUsd(billed, report.memorySizeMb);
    expected.coldStarts += report.initDurationMillis !== undefined ? 1 : 0;
  }
  return expected;
}

async function metricSum(metricName: string, dimension: { Name: string; Value: string }): Promise<number> {
  const result = await cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: 'Stagegraph/Billing',
      MetricName: metricName,
      Dimensions: [dimension],
      StartTime: new Date(started - 120_000),
      EndTime: new Date(Date.now() + 120_000),
      Period: 3600,
      Statistics: ['Sum'],
    }),
  );
  return (result.Datapoints ?? []).reduce((sum, point) => sum + (point.Sum ?? 0), 0);
}

const expected: Record<string, Expected> = {};

beforeAll(async () => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-billing-'));
  process.env.STAGEGRAPH_BILLING_RUN = run;
  await deployLocal({ projectDir: __dirname, outdir });
  Object.assign(physical, await physicalIds('BillingTestStack'));
  started = Date.now();
  for (const [functionName, events] of Object.entries(runs)) {
    const reports: ReportLine[] = [];
    for (const event of events) {
      // The tail of the invocation's log comes back with it: its last REPORT line is the platform's, what
      // Lambda bills (a forger's own lines come before it).
      const result = await lambda.send(
        new InvokeCommand({ FunctionName: functionName, LogType: 'Tail', Payload: Buffer.from(JSON.stringify(event)) }),
      );
      expect(result.FunctionError).toBeUndefined();
      const tail = Buffer.from(result.LogResult ?? '', 'base64').toString('utf-8');
      const report = tail
        .split('\n')
        .map(line => parseReport(line))
        .filter(line => line !== undefined)
        .pop();
      expect(report).toBeDefined();
      reports.push(report!);
    }
    expected[functionName] = expectedFrom(reports);
  }
});

afterAll(() => {
  for (const client of [lambda, cloudwatch, sqs]) client.destroy();
  fs.rmSync(outdir, { recursive: true, force: true });
});

test('the model rounds every duration up to 100 ms (the sleeps bill at least their length)', () => {
  const small = expected[`stagegraph-billing-small-${run}`];
  // 40, 120, 250 and 99 ms of sleep (plus the handler's own time and a cold start's INIT, not billed by this model).
  expect(small.billedDurationMillis % 100).toBe(0);
  expect(small.billedDurationMillis).toBeGreaterThanOrEqual(100 + 200 + 300 + 100);
  expect(small.coldStarts).toBe(1);
});

test('the metrics per function match what the model computes from the REPORT lines', async () => {
  for (const [functionName, want] of Object.entries(expected)) {
    const dimension = { Name: 'FunctionName', Value: functionName };
    const invocations = await waitFor(
      `${want.invocations} metered invocations of ${functionName}`,
      async () => {
        const sum = await metricSum('Invocations', dimension);
        return sum >= want.invocations ? sum : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    expect(invocations).toBe(want.invocations);
    expect(await metricSum('BilledDurationMillis', dimension)).toBe(want.billedDurationMillis);
    expect(await metricSum('ColdStarts', dimension)).toBe(want.coldStarts);
    expect(await metricSum('GbSeconds', dimension)).toBeCloseTo(want.gbSeconds, 9);
    expect(await metricSum('CostUsd', dimension)).toBeCloseTo(want.costUsd, 12);
  }
  // The app-wide metrics are the sum of the functions'.
  const app = { Name: 'App', Value: `billing-test-${run}` };
  expect(await metricSum('Invocations', app)).toBe(totalInvocations);
  expect(await metricSum('CostUsd', app)).toBeCloseTo(
    Object.values(expected).reduce((sum, e) => sum + e.costUsd, 0),
    12,
  );
});

test('a function that prints REPORT lines of its own is billed for its real invocations only', async () => {
  for (const name of ['forge-node', 'forge-python']) {
    const want = expected[`stagegraph-billing-${name}-${run}`];
    // Each forged line claims 2.9 s (and some 9 s of INIT): one accepted would show in the billed duration.
    expect(want.billedDurationMillis).toBeLessThan(3 * 2900);
    const dimension = { Name: 'FunctionName', Value: `stagegraph-billing-${name}-${run}` };
    expect(await metricSum('Invocations', dimension)).toBe(3);
    expect(await metricSum('BilledDurationMillis', dimension)).toBe(want.billedDurationMillis);
  }
});

test('a function that logs in the JSON format is metered from its platform.report events', async () => {
  const functionName = `stagegraph-billing-json-${run}`;
  const want = expected[functionName];
  expect(want.invocations).toBe(2);
  const dimension = { Name: 'FunctionName', Value: functionName };
  expect(await metricSum('Invocations', dimension)).toBe(2);
  expect(await metricSum('BilledDurationMillis', dimension)).toBe(want.billedDurationMillis);
  expect(await metricSum('GbSeconds', dimension)).toBeCloseTo(want.gbSeconds, 9);
});

test('`stagegraph bill --json` prints the same figures', async () => {
  // A figure stamped two minutes ahead of this machine's clock (a cloud whose clock runs ahead, or this one set back
  // by its time service since the invocation) still belongs to the window that ends now.
  const ahead = `stagegraph-billing-ahead-${run}`;
  await cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: 'Stagegraph/Billing',
      MetricData: [
        {
          MetricName: 'Invocations',
          Dimensions: [{ Name: 'FunctionName', Value: ahead }],
          Timestamp: new Date(Date.now() + 120_000),
          Value: 1,
        },
      ],
    }),
  );
  const { stdout } = await promisify(execFile)(
    path.join(ROOT, 'node_modules', '.bin', 'tsx'),
    [path.join(ROOT, 'bin', 'stagegraph.ts'), 'bill', '--since', '30m', '--json'],
    { cwd: __dirname },
  );
  const bill = JSON.parse(stdout) as { functions: Array<Expected & { name: string }>; total: Expected };
  const ours = bill.functions.filter(f => f.name in runs);
  for (const [functionName, want] of Object.entries(expected)) {
    const line = bill.functions.find(f => f.name === functionName);
    if (!line) throw new Error(`${functionName} is not in the bill: ${stdout}`);
    expect(line).toMatchObject({
      invocations: want.invocations,
      billedDurationMillis: want.billedDurationMillis,
      coldStarts: want.coldStarts,
    });
    expect(line.costUsd).toBeCloseTo(want.costUsd, 12);
    expect(line.gbSeconds).toBeCloseTo(want.gbSeconds, 9);
  }
  expect(ours).toHaveLength(Object.keys(runs).length);
  expect(bill.functions.find(f => f.name === ahead)).toMatchObject({ invocations: 1 });
  // The total adds up the lines (functions of other apps on the same local cloud included).
  expect(bill.total.invocations).toBe(bill.functions.reduce((sum, f) => sum + f.invocations, 0));
});

test('the budget alarm fires into its SMN topic when the low budget is crossed', async () => {
  const message = await waitFor(
    "the budget alarm's notification",
    async () => {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: physical.BudgetNotifications,
          WaitTimeSeconds: 2,
          MaxNumberOfMessages: 10,
        }),
      );
      // Only a state change of this run: the queue may hold notifications of earlier deployments.
      return (Messages ?? [])
        .map(m => JSON.parse(m.Body ?? '{}'))
        .find(
          body =>
            body.NewStateValue === 'ALARM' &&
            (String(body.AlarmDescription ?? '').includes(`billing-test-${run} `) ||
              String(body.AlarmName ?? '').includes(`Billing${run}`)),
        );
    },
    { timeoutMs: 180_000, intervalMs: 0 },
  );
  expect(message).toMatchObject({
    NewStateValue: 'ALARM',
    Trigger: { MetricName: 'CostUsd', Namespace: 'Stagegraph/Billing', Threshold: 0.000001 },
  });
  const { MetricAlarms } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [message.AlarmName] }));
  expect(MetricAlarms?.[0]?.StateValue).toBe('ALARM');
});
