// A function's log events, wherever Lambda writes them: its own log group, or its streams of a log group that the
// functions of its stack share (FunctionLogs). `stagegraph logs` and the testing kit read through these.
import type { CloudWatchLogsClient, FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { cloudWatchLogsSdk, lambdaSdk } from '../aws-sdk';
import { functionOfStream, isOwnLogGroup, ownLogGroupName } from '../billing/log-streams';

/** Where a function's logs are. */
export interface FunctionLogSource {
  readonly functionName: string;
  /** The function's log group: its LoggingConfig's, else Lambda's default, `/aws/lambda/<name>`. */
  readonly logGroupName: string;
  /** Whether other functions write to the group too: then only streams named after the function are its. */
  readonly shared: boolean;
}

/** Where a function writes its logs, as Lambda's configuration of it says. */
export async function functionLogSource(lambda: LambdaClient, functionName: string): Promise<FunctionLogSource> {
  const configuration = await lambda.send(
    new (lambdaSdk().GetFunctionConfigurationCommand)({ FunctionName: functionName }),
  );
  const name = configuration.FunctionName ?? functionName;
  const logGroupName = configuration.LoggingConfig?.LogGroup ?? ownLogGroupName(name);
  return { functionName: name, logGroupName, shared: !isOwnLogGroup(logGroupName, name) };
}

/** At most this many stream names in one FilterLogEvents call. */
const MAX_STREAMS_PER_CALL = 100;
const DAY_MILLIS = 86_400_000;
/** Up to this many days, a function's streams are found by a prefix a day; past it, by listing the group's. */
const MAX_DAYS_BY_PREFIX = 31;

/**
 * The function's log events at or after `startTime` (ms since the epoch), oldest first; none while its log group does
 * not exist yet (before the first invocation).
 */
export async function functionLogEvents(
  logs: CloudWatchLogsClient,
  source: FunctionLogSource,
  startTime: number,
): Promise<FilteredLogEvent[]> {
  const sdk = cloudWatchLogsSdk();
  try {
    // Its own group: one call for all its streams. A shared group: its streams, 100 to a call.
    let batches: (string[] | undefined)[] = [undefined];
    if (source.shared) {
      const names = await functionStreams(logs, source, startTime);
      batches = [];
      for (let i = 0; i < names.length; i += MAX_STREAMS_PER_CALL)
        batches.push(names.slice(i, i + MAX_STREAMS_PER_CALL));
    }
    const events: FilteredLogEvent[] = [];
    for (const batch of batches) {
      const input = { logGroupName: source.logGroupName, ...(batch ? { logStreamNames: batch } : {}), startTime };
      for await (const page of sdk.paginateFilterLogEvents({ client: logs }, input))
        events.push(...(page.events ?? []));
    }
    // By time (a stable sort keeps each stream's order): a local cloud returns them stream by stream.
    return events.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return [];
    throw error;
  }
}

/**
 * The function's streams of a shared group that may hold events at or after `startTime`: Lambda names them
 * `YYYY/MM/DD/<name>[<version>]<id>` by the UTC day the environment started, so those of each day from the day before
 * `startTime` (an environment lives for hours) to today, found by prefix (past a month, by listing them all).
 */
async function functionStreams(
  logs: CloudWatchLogsClient,
  source: FunctionLogSource,
  startTime: number,
): Promise<string[]> {
  const sdk = cloudWatchLogsSdk();
  const names: string[] = [];
  const first = startOfUtcDay(startTime - DAY_MILLIS);
  const days = Math.floor((startOfUtcDay(Date.now()) - first) / DAY_MILLIS) + 1;
  // Past a month (from the epoch: everything), one listing of the group's streams instead of a call a day.
  const prefixes =
    days > MAX_DAYS_BY_PREFIX
      ? ['']
      : Array.from({ length: days }, (_, i) => {
          const day = new Date(first + i * DAY_MILLIS).toISOString().slice(0, 10).replace(/-/g, '/');
          return `${day}/${source.functionName}[`;
        });
  for (const prefix of prefixes) {
    const input = { logGroupName: source.logGroupName, ...(prefix ? { logStreamNamePrefix: prefix } : {}) };
    for await (const page of sdk.paginateDescribeLogStreams({ client: logs }, input)) {
      for (const stream of page.logStreams ?? []) {
        const name = stream.logStreamName ?? '';
        const ended = stream.lastEventTimestamp !== undefined && stream.lastEventTimestamp < startTime - DAY_MILLIS;
        if (functionOfStream(name)?.functionName === source.functionName && !ended) names.push(name);
      }
    }
  }
  return names;
}

function startOfUtcDay(time: number): number {
  return Math.floor(time / DAY_MILLIS) * DAY_MILLIS;
}
