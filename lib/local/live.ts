import { LocalCloudError } from '../errors';
import { localEndpoint } from './endpoint';

/** One entry of the local cloud's live log: an invocation's framed logs, or one step of a flow execution. */
export type LiveEntry = LiveInvocation | LiveFlowEvent;

/** An invocation that ended, with its logs as Lambda frames them (START, output, END, REPORT). */
export interface LiveInvocation {
  readonly kind: 'function';
  readonly seq: number;
  /** Epoch milliseconds when the local cloud published it. */
  readonly at: number;
  /** The Lambda function name. */
  readonly name: string;
  readonly requestId?: string;
  readonly text?: string;
}

/** A history event of a flow execution: a state entered or left, a task failed, the execution ended. */
export interface LiveFlowEvent {
  readonly kind: 'flow';
  readonly seq: number;
  readonly at: number;
  /** The state machine name. */
  readonly name: string;
  readonly execution: string;
  /** The history event type: `TaskStateEntered`, `LambdaFunctionFailed`, `ExecutionSucceeded`, ... */
  readonly type: string;
  readonly state?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** One answer of the live log: the entries after the sequence asked for, and how many were no longer kept. */
export interface LiveRead {
  /** This run of the local cloud: another one means it restarted, and sequence numbers started again. */
  readonly boot?: string;
  readonly next: number;
  readonly dropped: number;
  readonly entries: readonly LiveEntry[];
}

/**
 * Reads the live log of the local cloud (`GET /_stagegraph/live`) after a sequence number, waiting up to `waitMs`
 * for the first entry; `after` below 0 answers no entry and the current end, where a new reader starts.
 */
export async function readLive(after: number, waitMs = 0, signal?: AbortSignal): Promise<LiveRead> {
  const response = await fetch(`${localEndpoint()}/_stagegraph/live?after=${after}&wait=${waitMs}`, { signal });
  if (!response.ok) {
    throw new LocalCloudError(
      `the live log answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`,
    );
  }
  return (await response.json()) as LiveRead;
}

/** Options of {@link followLive}. */
export interface FollowLiveOptions {
  /** Stops following. */
  readonly signal?: AbortSignal;
  /** Sees how many entries a reader that fell behind missed. */
  readonly onDropped?: (count: number) => void;
  /** Sees a failed read (the local cloud restarting); the reader tries again. */
  readonly onError?: (error: unknown) => void;
  /** Sees the first good read after failed ones. */
  readonly onRecovered?: () => void;
  /** Sees the local cloud restarted (a new boot): the reader goes on from the new run's first entry. */
  readonly onRestart?: () => void;
}

/**
 * Every live log entry from now on, as batches, until the signal aborts: a long poll that asks again as soon as
 * an answer comes, so it never lags behind the local cloud by more than one round trip.
 */
export async function* followLive(options: FollowLiveOptions = {}): AsyncGenerator<readonly LiveEntry[]> {
  let after = -1;
  let boot: string | undefined;
  let failing = false;
  while (!options.signal?.aborted) {
    let answer: LiveRead;
    try {
      answer = await readLive(after, 2000, options.signal);
    } catch (error) {
      if (options.signal?.aborted) return;
      failing = true;
      options.onError?.(error);
      await new Promise(resolve => setTimeout(resolve, 500));
      continue;
    }
    if (failing) {
      failing = false;
      options.onRecovered?.();
    }
    if (boot !== undefined && answer.boot !== undefined && answer.boot !== boot) {
      // Another run of the local cloud: its sequence numbers started again, so read it from its first entry.
      boot = answer.boot;
      after = 0;
      options.onRestart?.();
      continue;
    }
    boot = answer.boot ?? boot;
    if (answer.dropped > 0) options.onDropped?.(answer.dropped);
    after = answer.next;
    if (answer.entries.length > 0) yield answer.entries;
  }
}
