import type { CloudWatchClient, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { cloudWatchSdk } from '../aws-sdk';
import { BILLING_NAMESPACE, BillingMetric, FUNCTION_DIMENSION } from '../billing/billing-metrics';
import { withoutFloatNoise } from '../billing/rounding';
import { localClientConfig } from '../local/endpoint';
import { deployedFunctionIds } from './deployed';

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

/**
 * How far past this machine's now a bill still counts the meter's figures: a datapoint stamped by a clock that runs
 * ahead (the cloud's, or this one's before it was set back) belongs to the window that ends now.
 */
export const CLOCK_SKEW_MILLIS = 5 * 60_000;

const DAY_MILLIS = 86_400_000;

/**
 * Reads the meter's metrics back from CloudWatch: every function that has billing metrics, summed over
 * the window that ends now. The total is the sum of the functions' lines.
 */
export async function readBill(client: CloudWatchClient, sinceMillis: number, now = Date.now()): Promise<Bill> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new (cloudWatchSdk().ListMetricsCommand)({
        Namespace: BILLING_NAMESPACE,
        MetricName: BillingMetric.INVOCATIONS,
        NextToken: nextToken,
      }),
    );
    for (const metric of page.Metrics ?? []) {
      const fn = metric.Dimensions?.find(d => d.Name === FUNCTION_DIMENSION)?.Value;
      if (fn && !names.includes(fn)) names.push(fn);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  names.sort();
  // One period covering the whole window, starting at the window's start, and reaching CLOCK_SKEW_MILLIS past now:
  // the meter stamps its figures with the log events' times, taken by the cloud's clock, which may run ahead of this
  // one (or this one may have been set back since). The period is a multiple of what CloudWatch asks for a start that
  // far back: a minute within 15 days, 5 minutes within 63, an hour beyond (else it answers with no data).
  const step = sinceMillis > 63 * DAY_MILLIS ? 3600 : sinceMillis > 15 * DAY_MILLIS ? 300 : 60;
  const period = Math.ceil((sinceMillis + CLOCK_SKEW_MILLIS) / (step * 1000)) * step;
  const start = new Date(now - sinceMillis);
  const end = new Date(start.getTime() + period * 1000);
  const queries: MetricDataQuery[] = names.flatMap((name, i) =>
    FIELDS.map(([, metric], j) => ({
      Id: `m${i}_${j}`,
      MetricStat: {
        Metric: {
          Namespace: BILLING_NAMESPACE,
          MetricName: metric,
          Dimensions: [{ Name: FUNCTION_DIMENSION, Value: name }],
        },
        Period: period,
        Stat: 'Sum',
      },
    })),
  );
  const sums = new Map<string, number>();
  for (let i = 0; i < queries.length; i += 500) {
    let token: string | undefined;
    do {
      const page = await client.send(
        new (cloudWatchSdk().GetMetricDataCommand)({
          MetricDataQueries: queries.slice(i, i + 500),
          StartTime: start,
          EndTime: end,
          NextToken: token,
        }),
      );
      for (const result of page.MetricDataResults ?? []) {
        sums.set(result.Id!, (sums.get(result.Id!) ?? 0) + (result.Values ?? []).reduce((a, b) => a + b, 0));
      }
      token = page.NextToken;
    } while (token);
  }
  const functions = names
    .map((name, i) => {
      const line: Record<string, number | string> = { name };
      FIELDS.forEach(([field], j) => {
        line[field] = withoutFloatNoise(sums.get(`m${i}_${j}`) ?? 0);
      });
      return line as unknown as BillLine;
    })
    .filter(line => line.invocations > 0);
  return { from: start.toISOString(), to: new Date(now).toISOString(), functions, total: totalOf(functions) };
}

/** The total of bill lines: each figure summed. */
export function totalOf(lines: readonly BillLine[]): BillLine {
  return {
    name: 'total',
    ...(Object.fromEntries(
      FIELDS.map(([field]) => [field, withoutFloatNoise(lines.reduce((sum, line) => sum + line[field], 0))]),
    ) as Omit<BillLine, 'name'>),
  };
}

/** The bill with functions named `Stack/Id` where the app's cloud assembly says which function a Lambda name is. */
export function nameBill(bill: Bill, ids: Map<string, string>): Bill {
  return { ...bill, functions: bill.functions.map(line => ({ ...line, name: ids.get(line.name) ?? line.name })) };
}

/** Options of {@link readAppBill}. */
export interface AppBillOptions {
  /** The cloud assembly of the deployed app, to name functions `Stack/Id`. */
  readonly assemblyDir: string;
  /** How long the window that ends now is, in milliseconds. */
  readonly sinceMillis: number;
  /**
   * Read the metrics of the AWS account of the default credentials and region instead of the local cloud's.
   * @default false
   */
  readonly aws?: boolean;
}

/** The bill of a deployed app: its meter's metrics read back, with each function named as the app names it. */
export async function readAppBill(options: AppBillOptions): Promise<Bill> {
  const config = options.aws ? {} : localClientConfig();
  const client = new (cloudWatchSdk().CloudWatchClient)(config);
  try {
    return nameBill(
      await readBill(client, options.sinceMillis),
      await deployedFunctionIds(options.assemblyDir, config),
    );
  } finally {
    client.destroy();
  }
}
