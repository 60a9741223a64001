// A function's log events, wherever Lambda writes them: its own log group, or its streams of a log group that the
// functions of its stack share (FunctionLogs). `stagegraph logs` and the testing kit read through these.
import type { CloudWatchLogsClient, FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { cloudWatchLogsSdk, lambdaSdk } from '../aws-sdk';
import { functionOfStream, isOwnLogGroup } from '../billing/log-streams';

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
  const logGroupName = configuration.LoggingConfig?.LogGroup ?? `/aws/lambda/${name}`;
  return { functionName: name, logGroupName, shared: !isOwnLogGroup(logGroupName, name) };
}

/** At most this many stream names in one FilterLogEvents call. */
const MAX_STREAMS_PER_CALL = 100;

/**
 * The function's log events at or after `startTime` (ms since the epoch), in the order CloudWatch Logs returns them
 * (by time); none while its log group does not exist yet (before the first invocation).
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
      if (batches.length === 0) return [];
    }
    const events: FilteredLogEvent[] = [];
    for (const batch of batches) {
      let nextToken: string | undefined;
      do {
        const page = await logs.send(
          new sdk.FilterLogEventsCommand({
            logGroupName: source.logGroupName,
            ...(batch ? { logStreamNames: batch } : {}),
            startTime,
            nextToken,
          }),
        );
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
    }
    return batches.length > 1 ? events.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0)) : events;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return [];
    throw error;
  }
}

/** The function's streams of a shared group with events at or after `startTime`, newest first. */
async function functionStreams(
  logs: CloudWatchLogsClient,
  source: FunctionLogSource,
  startTime: number,
): Promise<string[]> {
  const sdk = cloudWatchLogsSdk();
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await logs.send(
      new sdk.DescribeLogStreamsCommand({
        logGroupName: source.logGroupName,
        orderBy: 'LastEventTime',
        descending: true,
        nextToken,
      }),
    );
    for (const stream of page.logStreams ?? []) {
      // Newest first: the rest ended before the start.
      if (stream.lastEventTimestamp !== undefined && stream.lastEventTimestamp < startTime) return names;
      if (stream.logStreamName && functionOfStream(stream.logStreamName) === source.functionName) {
        names.push(stream.logStreamName);
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return names;
}
