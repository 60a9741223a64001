// The billing meter: a function subscribed to the log groups of the metered functions (its stack's one function log
// group, and each function's own where it has one). It reads their REPORT lines, applies the billing model of each
// function's architecture, and publishes per function and per app metrics.
// The metered functions do nothing extra: CloudWatch Logs delivers their lines here. Only the platform's
// REPORT lines count (platform-reports.ts): a function that prints one does not bill itself.
import { gunzipSync } from 'zlib';
import { CloudWatchClient, MetricDatum, PutMetricDataCommand, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { BillingModel, BillingModelProps } from '../billing/billing-model';
import { APP_DIMENSION, BILLING_NAMESPACE, BillingMetric, FUNCTION_DIMENSION } from '../billing/billing-metrics';
import { MeteredConfiguration, parseMeterFilterName, SHARED_METER_FILTER_NAME } from '../billing/meter-filter';
import { LogEvent, MeterMemory, platformReports, RefusedReport } from '../billing/platform-reports';
import { functionOfStream } from '../billing/log-streams';

const cloudwatch = new CloudWatchClient({});
const lambda = new LambdaClient({});
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

/** Whose lines a payload holds, and the configuration its REPORT lines are checked against. */
export interface MeterTarget {
  readonly functionName: string;
  /** Undefined refuses every report, for `unknownReason`. */
  readonly config?: MeteredConfiguration;
  readonly unknownReason?: string;
}

/**
 * The target of a payload of a function's own log group: the function named by the group, the configuration by the
 * filter.
 */
export function ownTarget(payload: LogsPayload): MeterTarget {
  return {
    functionName: payload.logGroup.replace(/^\/aws\/lambda\//, ''),
    config: parseMeterFilterName(payload.subscriptionFilters?.[0]),
  };
}

/**
 * The target of a payload of a stack's function log group: the function Lambda named the stream after, with the
 * configuration `read` gives for it (undefined: no such function, or one the meter may not read).
 */
export async function sharedTarget(
  payload: LogsPayload,
  read: (functionName: string, qualifier: string) => Promise<MeteredConfiguration | undefined>,
): Promise<MeterTarget> {
  const stream = payload.logStream ?? '';
  const named = functionOfStream(stream);
  if (named === undefined) {
    return {
      functionName: stream,
      unknownReason: `the stream ${JSON.stringify(stream)} is not named after a function`,
    };
  }
  const functionName = named.functionName;
  const config = await read(functionName, named.version);
  return config
    ? { functionName, config }
    : { functionName, unknownReason: `no function ${functionName} that the meter may read` };
}

/** The metering of the platform's REPORT lines in a CloudWatch Logs subscription payload. */
export function meter(
  payload: LogsPayload,
  model: BillingModel,
  memory: MeterMemory = new MeterMemory(),
  target: MeterTarget = ownTarget(payload),
): MeterResult {
  const { functionName, config, unknownReason } = target;
  const stream = `${payload.logGroup}\u0000${payload.logStream ?? ''}`;
  const { accepted, refused, commit } = platformReports(stream, payload.logEvents, config, memory, unknownReason);
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
 * The billing models by architecture, `STAGEGRAPH_BILLING_MODELS`: `{ "x86_64": ..., "arm64": ... }`, or
 * `{ "*": ... }` for one model of every function.
 */
export function modelFor(models: Record<string, BillingModelProps>, architecture: string): BillingModel {
  const props = models['*'] ?? models[architecture] ?? models.x86_64;
  if (!props) throw new Error(`no billing model for ${architecture} in ${JSON.stringify(Object.keys(models))}`);
  return BillingModel.custom(props);
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

/** A function's configuration as read from Lambda, and when. */
const configurations = new Map<string, { readonly config?: MeteredConfiguration; readonly at: number }>();
/** How long a configuration read is used; a report it refuses reads it again when older than REREAD_MILLIS. */
const CONFIGURATION_MILLIS = 60_000;
const REREAD_MILLIS = 5_000;

async function configurationOf(
  functionName: string,
  qualifier: string,
  maxAgeMillis: number,
): Promise<MeteredConfiguration | undefined> {
  const key = `${functionName}:${qualifier}`;
  const cached = configurations.get(key);
  if (cached && Date.now() - cached.at < maxAgeMillis) return cached.config;
  let config: MeteredConfiguration | undefined;
  try {
    // The stream's version: an alias's environments run a published version, whose memory may not be $LATEST's.
    // (Throttling and refusals throw: the payload is delivered again.)
    const found = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: functionName, Qualifier: qualifier }),
    );
    config = {
      memoryMb: found.MemorySize ?? 0,
      timeoutMillis: (found.Timeout ?? 0) * 1000,
      architecture: found.Architectures?.[0] ?? 'x86_64',
    };
  } catch (error) {
    // Gone, or not one the meter may read (a function it meters carries the tag its permission's condition names):
    // refused with the reason, not delivered again and again.
    if (!['ResourceNotFoundException', 'AccessDeniedException'].includes((error as Error).name)) throw error;
  }
  configurations.set(key, { config, at: Date.now() });
  return config;
}

/**
 * The billing models by architecture: `STAGEGRAPH_BILLING_MODELS`, or the one model of a meter deployed before it
 * (`STAGEGRAPH_BILLING_MODEL`: during a redeploy, the new code may run a moment with the old configuration).
 */
function billingModels(): Record<string, BillingModelProps> {
  const { STAGEGRAPH_BILLING_MODELS: models, STAGEGRAPH_BILLING_MODEL: model } = process.env;
  if (models) return JSON.parse(models) as Record<string, BillingModelProps>;
  if (model) return { '*': JSON.parse(model) as BillingModelProps };
  throw new Error('the meter has no billing model: STAGEGRAPH_BILLING_MODELS is not set (deploy the app again)');
}

export async function handler(event: LogsEvent): Promise<{ metered: number; refused: number }> {
  const payload = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf-8')) as LogsPayload;
  if (payload.messageType === 'CONTROL_MESSAGE') return { metered: 0, refused: 0 };
  const models = billingModels();
  const shared = payload.subscriptionFilters?.[0] === SHARED_METER_FILTER_NAME;
  const read = (maxAgeMillis: number) => (name: string, qualifier: string) =>
    configurationOf(name, qualifier, maxAgeMillis);
  const meterFor = (target: MeterTarget) =>
    meter(payload, modelFor(models, target.config?.architecture ?? 'x86_64'), memory, target);
  let target = shared ? await sharedTarget(payload, read(CONFIGURATION_MILLIS)) : ownTarget(payload);
  let result = meterFor(target);
  if (shared && result.refused.some(line => line.misfit)) {
    // The function may have changed since its configuration was read (a deploy of a new memory size).
    const again = await sharedTarget(payload, read(REREAD_MILLIS));
    if (again.config !== target.config) {
      target = again;
      result = meterFor(target);
    }
  }
  const { meterings, refused, commit } = result;
  const source = shared ? `${payload.logGroup} ${payload.logStream ?? ''}` : payload.logGroup;
  // The meter's own log says which lines it refused and why (a handler's log is its console), the first 20.
  for (const line of refused.slice(0, 20)) {
    // eslint-disable-next-line no-console
    console.warn(`not metered: ${source}: ${line.reason}: ${JSON.stringify(line.message)}`);
  }
  if (refused.length > 20) {
    // eslint-disable-next-line no-console
    console.warn(`not metered: ${source}: ${refused.length - 20} more lines`);
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
