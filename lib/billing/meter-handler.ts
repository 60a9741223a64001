// The billing meter: a function subscribed to the log groups of the metered functions. It reads
// their REPORT lines, applies the billing model, and publishes per function and per app metrics.
// The metered functions do nothing extra: CloudWatch Logs delivers their lines here.
import { gunzipSync } from 'zlib';
import { CloudWatchClient, MetricDatum, PutMetricDataCommand, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { BillingModel, BillingModelProps } from './billing-model';
import { APP_DIMENSION, BILLING_NAMESPACE, BillingMetric, FUNCTION_DIMENSION } from './billing-metrics';
import { parseReportLine } from './report-line';

const cloudwatch = new CloudWatchClient({});
/** PutMetricData takes at most 1000 values per call. */
const MAX_DATA_PER_CALL = 1000;

interface LogsEvent {
  readonly awslogs: { readonly data: string };
}

interface LogsPayload {
  readonly messageType: string;
  readonly logGroup: string;
  readonly logEvents: Array<{ readonly id: string; readonly timestamp: number; readonly message: string }>;
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

/** The metering of every REPORT line of a CloudWatch Logs subscription payload. */
export function meter(payload: LogsPayload, model: BillingModel): Metering[] {
  const functionName = payload.logGroup.replace(/^\/aws\/lambda\//, '');
  const meterings: Metering[] = [];
  for (const event of payload.logEvents) {
    const report = parseReportLine(event.message);
    if (!report) continue;
    const billedMillis = model.billedMillis(report.durationMillis, report.initDurationMillis);
    meterings.push({
      functionName,
      timestamp: event.timestamp,
      billedMillis,
      gbSeconds: model.gbSeconds(billedMillis, report.memorySizeMb),
      costUsd: model.invocationUsd(billedMillis, report.memorySizeMb),
      ...(report.initDurationMillis !== undefined ? { initMillis: report.initDurationMillis } : {}),
    });
  }
  return meterings;
}

/** The metric data of meterings: each figure once per function and once for the app. */
export function metricData(meterings: Metering[], app: string): MetricDatum[] {
  const data: MetricDatum[] = [];
  for (const m of meterings) {
    const timestamp = new Date(m.timestamp);
    const values: Array<[BillingMetric, number, StandardUnit]> = [
      [BillingMetric.INVOCATIONS, 1, StandardUnit.Count],
      [BillingMetric.BILLED_DURATION_MILLIS, m.billedMillis, StandardUnit.Milliseconds],
      [BillingMetric.GB_SECONDS, m.gbSeconds, StandardUnit.None],
      [BillingMetric.COST_USD, m.costUsd, StandardUnit.None],
      [BillingMetric.COLD_STARTS, m.initMillis !== undefined ? 1 : 0, StandardUnit.Count],
      ...(m.initMillis !== undefined ? [[BillingMetric.INIT_DURATION_MILLIS, m.initMillis, StandardUnit.Milliseconds] as [BillingMetric, number, StandardUnit]] : []),
    ];
    for (const [name, value, unit] of values) {
      for (const dimension of [{ Name: FUNCTION_DIMENSION, Value: m.functionName }, { Name: APP_DIMENSION, Value: app }]) {
        data.push({ MetricName: name, Dimensions: [dimension], Value: value, Unit: unit, Timestamp: timestamp });
      }
    }
  }
  return data;
}

export async function handler(event: LogsEvent): Promise<{ metered: number }> {
  const payload = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf-8')) as LogsPayload;
  if (payload.messageType === 'CONTROL_MESSAGE') return { metered: 0 };
  const model = BillingModel.custom(JSON.parse(process.env.STAGEGRAPH_BILLING_MODEL ?? '') as BillingModelProps);
  const meterings = meter(payload, model);
  const data = metricData(meterings, process.env.STAGEGRAPH_BILLING_APP ?? 'app');
  for (let i = 0; i < data.length; i += MAX_DATA_PER_CALL) {
    await cloudwatch.send(new PutMetricDataCommand({ Namespace: BILLING_NAMESPACE, MetricData: data.slice(i, i + MAX_DATA_PER_CALL) }));
  }
  return { metered: meterings.length };
}
