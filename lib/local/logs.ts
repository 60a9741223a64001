import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { functionLogEvents, functionLogSource } from './function-log-events';
import { cloudWatchLogsSdk, lambdaSdk } from '../aws-sdk';
import { localClientConfig } from './endpoint';

/** Options of {@link tailLogs}. */
export interface TailOptions {
  /** Only events at or after this time (ms since the epoch). @default one hour ago */
  readonly since?: number;
  /** Keep polling for new events until `signal` aborts. @default false */
  readonly follow?: boolean;
  readonly signal?: AbortSignal;
  /** How often to poll when following. @default 1000 ms */
  readonly pollMillis?: number;
}

/**
 * Yields the events of a function's logs (its own log group, or its streams of its stack's function log group), oldest
 * first, then new ones as they come when following.
 */
export async function* tailLogs(functionName: string, options: TailOptions = {}): AsyncGenerator<FilteredLogEvent> {
  const logs = new (cloudWatchLogsSdk().CloudWatchLogsClient)(localClientConfig());
  const lambda = new (lambdaSdk().LambdaClient)(localClientConfig());
  const seen = new Set<string>();
  let startTime = options.since ?? Date.now() - 3600_000;
  try {
    const source = await functionLogSource(lambda, functionName);
    for (;;) {
      for (const event of await functionLogEvents(logs, source, startTime)) {
        const key = event.eventId ?? `${event.logStreamName}/${event.timestamp}/${event.message}`;
        if (!seen.has(key)) {
          seen.add(key);
          startTime = Math.max(startTime, event.timestamp ?? startTime);
          yield event;
        }
      }
      if (!options.follow || options.signal?.aborted) {
        return;
      }
      await new Promise(resolve => setTimeout(resolve, options.pollMillis ?? 1000));
      if (options.signal?.aborted) {
        return;
      }
    }
  } finally {
    logs.destroy();
    lambda.destroy();
  }
}
