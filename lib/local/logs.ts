import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { cloudWatchLogsSdk } from '../aws-sdk';
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

/** Yields the events of a function's log group, oldest first, then new ones as they come when following. */
export async function* tailLogs(functionName: string, options: TailOptions = {}): AsyncGenerator<FilteredLogEvent> {
  const logs = new (cloudWatchLogsSdk().CloudWatchLogsClient)(localClientConfig());
  const seen = new Set<string>();
  let startTime = options.since ?? Date.now() - 3600_000;
  try {
    for (;;) {
      let nextToken: string | undefined;
      do {
        const page = await logs
          .send(
            new (cloudWatchLogsSdk().FilterLogEventsCommand)({
              logGroupName: `/aws/lambda/${functionName}`,
              startTime,
              nextToken,
            }),
          )
          .catch((error: Error) => {
            if (error.name === 'ResourceNotFoundException') {
              return { events: [], nextToken: undefined }; // no invocation has logged yet
            }
            throw error;
          });
        for (const event of page.events ?? []) {
          const key = event.eventId ?? `${event.logStreamName}/${event.timestamp}/${event.message}`;
          if (!seen.has(key)) {
            seen.add(key);
            startTime = Math.max(startTime, event.timestamp ?? startTime);
            yield event;
          }
        }
        nextToken = page.nextToken;
      } while (nextToken);
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
  }
}
