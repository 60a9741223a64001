// The billing meter: a function subscribed to the log groups of the metered functions. It reads
// their REPORT lines, applies the billing model, and publishes per function and per app metrics.
// The metered functions do nothing extra: CloudWatch Logs delivers their lines here. Only the platform's
// REPORT lines count (platform-reports.ts): a function that prints one does not bill itself.
import { gunzipSync } from 'zlib';
import { CloudWatchClient, MetricDatum, PutMetricDataCommand, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { BillingModel, BillingModelProps } from '../billing/billing-model';
import { APP_DIMENSION, BILLING_NAMESPACE, BillingMetric, FUNCTION_DIMENSION } from '../billing/billing-metrics';
import { parseMeterFilterName } from '../billing/meter-filter';
import { LogEvent, MeterMemory, platformReports, RefusedReport } from '../billing/platform-reports';

const cloudwatch = new CloudWatchClient({});
/** PutMetricData takes at most 1000 values per call. */
const MAX_DATA_PER_CALL = 1000;

interface LogsEvent {
  readonly awslogs: { readonly data: string };
}

interface LogsPayload {
  readonly messageType: string;
  readonly logGroup: string;
  readonly logStream?: string;
  readonly subscriptionFilters?: string[];
  readonly logEvents: LogEvent[];
}

/** What one REPORT line costs under the model, as published. */
export interface Metering {
  readonly functionName: string;
  readonly timestamp: number;
  readonly billedMillis: number;
  readonly gbSeconds: number;
  readonly costUsd: number;
  readonly initMillis?: number;
}

/** What the meter makes of one payload: the platform's reports metered, and the REPORT-like lines refused. */
export interface MeterResult {
  readonly meterings: Metering[];
  readonly refused: RefusedReport[];
  /** Records the payload as metered: call once its metrics are published. */
  commit(): void;
}

/** The metering of the platform's REPORT lines in a CloudWatch Logs subscription payload. */
export function meter(payload: LogsPayload, model: BillingModel, memory: MeterMemory = new MeterMemory()): MeterResult {
  const functionName = payload.logGroup.replace(/^\/aws\/lambda\//, '');
  const config = parseMeterFilterName(payload.subscriptionFilters?.[0]);
  const stream = `${payload.logGroup}\u0000${payload.logStream ?? ''}`;
  const { accepted, refused, commit } = platformReports(stream, payload.logEvents, config, memory);
  const meterings = accepted.map(({ event, report }): Metering => {
    const billedMillis = model.billedMillis(report.durationMillis, report.initDurationMillis);
    return {
      functionName,
      timestamp: event.timestamp,
      billedMillis,
      gbSeconds: model.gbSeconds(billedMillis, report.memorySizeMb),
      costUsd: model.invocationUsd(billedMillis, report.memorySizeMb),
      ...(report.initDurationMillis !== undefined ? { initMillis: report.initDurationMillis } : {}),
    };
  });
  return { meterings, refused, commit };
}

/**
 * The metric data of meterings: each figure per function and for the app, as one statistic set (count, sum,
 * minimum, maximum) per metric, dimension and second. A burst of 500 invocations is then a few dozen values, not
 * 6,000, and CloudWatch's sums (the bill, the budget alarm) are the same.
 */
export function metricData(meterings: Metering[], app: string): MetricDatum[] {
  const sets = new Map<string, { datum: MetricDatum; count: number; sum: number; min: number; max: number }>();
  for (const m of meterings) {
    const second = Math.floor(m.timestamp / 1000) * 1000;
    const values: Array<[BillingMetric, number, StandardUnit]> = [
      [BillingMetric.INVOCATIONS, 1, StandardUnit.Count],
      [BillingMetric.BILLED_DURATION_MILLIS, m.billedMillis, StandardUnit.Milliseconds],
      [BillingMetric.GB_SECONDS, m.gbSeconds, StandardUnit.None],
      [BillingMetric.COST_USD, m.costUsd, StandardUnit.None],
      [BillingMetric.COLD_STARTS, m.initMillis !== undefined ? 1 : 0, StandardUnit.Count],
      ...(m.initMillis !== undefined
        ? [
            [BillingMetric.INIT_DURATION_MILLIS, m.initMillis, StandardUnit.Milliseconds] as [
              BillingMetric,
              number,
              StandardUnit,
            ],
          ]
        : []),
    ];
    for (const [name, value, unit] of values) {
      for (const dimension of [
        { Name: FUNCTION_DIMENSION, Value: m.functionName },
        { Name: APP_DIMENSION, Value: app },
      ]) {
        const key = `${name}\u0000${dimension.Name}\u0000${dimension.Value}\u0000${second}`;
        const set = sets.get(key);
        if (set) {
          set.count += 1;
          set.sum += value;
          set.min = Math.min(set.min, value);
          set.max = Math.max(set.max, value);
        } else {
          sets.set(key, {
            datum: { MetricName: name, Dimensions: [dimension], Unit: unit, Timestamp: new Date(second) },
            count: 1,
            sum: value,
            min: value,
            max: value,
          });
        }
      }
    }
  }
  return [...sets.values()].map(({ datum, count, sum, min, max }) => ({
    ...datum,
    StatisticValues: { SampleCount: count, Sum: sum, Minimum: min, Maximum: max },
  }));
}

/** Open invocations and request ids seen, kept while this environment lives. */
const memory = new MeterMemory();

export async function handler(event: LogsEvent): Promise<{ metered: number; refused: number }> {
  const payload = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf-8')) as LogsPayload;
  if (payload.messageType === 'CONTROL_MESSAGE') return { metered: 0, refused: 0 };
  const model = BillingModel.custom(JSON.parse(process.env.STAGEGRAPH_BILLING_MODEL ?? '') as BillingModelProps);
  const { meterings, refused, commit } = meter(payload, model, memory);
  // The meter's own log says which lines it refused and why (a handler's log is its console), the first 20.
  for (const line of refused.slice(0, 20)) {
    // eslint-disable-next-line no-console
    console.warn(`not metered: ${payload.logGroup}: ${line.reason}: ${JSON.stringify(line.message)}`);
  }
  if (refused.length > 20) {
    // eslint-disable-next-line no-console
    console.warn(`not metered: ${payload.logGroup}: ${refused.length - 20} more lines`);
  }
  const data = metricData(meterings, process.env.STAGEGRAPH_BILLING_APP ?? 'app');
  for (let i = 0; i < data.length; i += MAX_DATA_PER_CALL) {
    await cloudwatch.send(
      new PutMetricDataCommand({ Namespace: BILLING_NAMESPACE, MetricData: data.slice(i, i + MAX_DATA_PER_CALL) }),
    );
  }
  // Only now: a payload whose publishing failed is delivered again, and must be metered again.
  commit();
  return { metered: meterings.length, refused: refused.length };
}
