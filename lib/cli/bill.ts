import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import * as path from 'path';
import { Command } from 'commander';
import { BILLING_NAMESPACE, BillingMetric, FUNCTION_DIMENSION } from '../billing/billing-metrics';
import { localClientConfig } from '../local/endpoint';
import { deployedFunctionIds } from '../local/functions';
import { step } from './progress';
import { textTable } from './text-table';
import { StageInputError } from '../errors';

/** One line of a bill: what a function (or the whole app) used and cost in the window. */
export interface BillLine {
  readonly name: string;
  readonly invocations: number;
  readonly billedDurationMillis: number;
  readonly gbSeconds: number;
  readonly costUsd: number;
  readonly coldStarts: number;
}

/** A bill: per function and in total, for a window of time. */
export interface Bill {
  readonly from: string;
  readonly to: string;
  readonly functions: BillLine[];
  readonly total: BillLine;
}

const FIELDS: Array<[keyof Omit<BillLine, 'name'>, BillingMetric]> = [
  ['invocations', BillingMetric.INVOCATIONS],
  ['billedDurationMillis', BillingMetric.BILLED_DURATION_MILLIS],
  ['gbSeconds', BillingMetric.GB_SECONDS],
  ['costUsd', BillingMetric.COST_USD],
  ['coldStarts', BillingMetric.COLD_STARTS],
];

/** `30m`, `1h`, `2d` as milliseconds. */
export function parseSince(text: string): number {
  const match = /^(\d+)\s*(s|m|h|d)$/.exec(text.trim());
  if (!match || Number(match[1]) === 0) {
    throw new StageInputError(`--since must be a number and a unit, s, m, h or d, like 30m, 1h or 7d (given '${text}')`);
  }
  return Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
}

/**
 * Reads the meter's metrics back from CloudWatch: every function that has billing metrics, summed over
 * the window that ends now. The total is the sum of the functions' lines.
 */
export async function readBill(client: CloudWatchClient, sinceMillis: number, now = Date.now()): Promise<Bill> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListMetricsCommand({ Namespace: BILLING_NAMESPACE, MetricName: BillingMetric.INVOCATIONS, NextToken: nextToken }));
    for (const metric of page.Metrics ?? []) {
      const fn = metric.Dimensions?.find(d => d.Name === FUNCTION_DIMENSION)?.Value;
      if (fn && !names.includes(fn)) names.push(fn);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  names.sort();
  // One period covering the whole window (whole minutes), starting at the window's start.
  const period = Math.max(60, Math.ceil(sinceMillis / 60_000) * 60);
  const start = new Date(now - sinceMillis);
  const end = new Date(start.getTime() + period * 1000);
  const queries: MetricDataQuery[] = names.flatMap((name, i) => FIELDS.map(([, metric], j) => ({
    Id: `m${i}_${j}`,
    MetricStat: { Metric: { Namespace: BILLING_NAMESPACE, MetricName: metric, Dimensions: [{ Name: FUNCTION_DIMENSION, Value: name }] }, Period: period, Stat: 'Sum' },
  })));
  const sums = new Map<string, number>();
  for (let i = 0; i < queries.length; i += 500) {
    let token: string | undefined;
    do {
      const page = await client.send(new GetMetricDataCommand({ MetricDataQueries: queries.slice(i, i + 500), StartTime: start, EndTime: end, NextToken: token }));
      for (const result of page.MetricDataResults ?? []) {
        sums.set(result.Id!, (sums.get(result.Id!) ?? 0) + (result.Values ?? []).reduce((a, b) => a + b, 0));
      }
      token = page.NextToken;
    } while (token);
  }
  const functions = names.map((name, i) => {
    const line: Record<string, number | string> = { name };
    FIELDS.forEach(([field], j) => { line[field] = sums.get(`m${i}_${j}`) ?? 0; });
    return line as unknown as BillLine;
  }).filter(line => line.invocations > 0);
  const total: BillLine = {
    name: 'total',
    ...Object.fromEntries(FIELDS.map(([field]) => [field, functions.reduce((sum, line) => sum + line[field], 0)])) as Omit<BillLine, 'name'>,
  };
  return { from: start.toISOString(), to: new Date(now).toISOString(), functions, total };
}

/** The bill with functions named `Stack/Id` where the app's cloud assembly says which function a Lambda name is. */
export function nameBill(bill: Bill, ids: Map<string, string>): Bill {
  return { ...bill, functions: bill.functions.map(line => ({ ...line, name: ids.get(line.name) ?? line.name })) };
}

/** The bill as a table. */
export function formatBill(bill: Bill): string {
  if (bill.functions.length === 0) return `No metered invocations from ${bill.from} to ${bill.to}.`;
  const cells = (line: BillLine) => [
    line.name, String(line.invocations), String(line.coldStarts), line.billedDurationMillis.toFixed(0), line.gbSeconds.toFixed(4), `$${line.costUsd.toFixed(8)}`,
  ];
  const header = ['function', 'invocations', 'cold starts', 'billed ms', 'GB-s', 'cost (USD)'];
  return `Bill from ${bill.from} to ${bill.to} (before free tiers)\n\n${textTable(header, bill.functions.map(cells), cells(bill.total))}`;
}

/** `stagegraph bill`: the per-function bill of the metered app. */
export function billCommand(): Command {
  return new Command('bill')
    .description('print what each metered function used and cost, from the billing meter\'s metrics')
    .option('--since <duration>', 'the window that ends now: 30m, 1h, 7d', '1h')
    .option('--json', 'print the bill as JSON')
    .option('--aws', 'read the metrics of your AWS account (default credentials and region) instead of the local cloud')
    .option('--out <dir>', 'the cloud assembly of the deployed app, to name functions Stack/Id', 'cdk.out')
    .addHelpText('after', '\nExamples:\n  $ stagegraph bill\n  $ stagegraph bill --since 24h --json')
    .action(async (opts: { since: string; json?: boolean; aws?: boolean; out: string }) => {
      const since = parseSince(opts.since);
      const config = opts.aws ? {} : localClientConfig();
      const client = new CloudWatchClient(config);
      try {
        const bill = await step('Reading the billing metrics', async () =>
          nameBill(await readBill(client, since), await deployedFunctionIds(path.resolve(opts.out), config)));
        console.log(opts.json ? JSON.stringify(bill, null, 2) : formatBill(bill));
      } finally {
        client.destroy();
      }
    });
}
