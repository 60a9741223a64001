import { LocalCloudError, StageInputError } from '../errors';

/** How long a wait may take. */
export interface WaitOptions {
  /**
   * Give up after this many milliseconds.
   * @default 30000
   */
  readonly timeoutMs?: number;
  /**
   * Look again after this many milliseconds.
   * @default 250
   */
  readonly intervalMs?: number;
}

/**
 * Calls `probe` until it returns a value and returns that value; fails with what it waited for after the deadline.
 * No fixed sleeps: use it for anything the local cloud does asynchronously.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!(timeoutMs >= 0) || !Number.isFinite(timeoutMs)) {
    throw new StageInputError(`the wait for ${what} needs a timeout in milliseconds from 0 (given ${timeoutMs})`);
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new LocalCloudError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, options.intervalMs ?? 250));
  }
}
