/** Calls `probe` until it returns a value, every `intervalMs`, failing after `deadlineMs`: no fixed sleeps. */
export async function poll<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  deadlineMs = 30_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    }
    await new Promise(resolve => setTimeout(resolve, intervalMs));
  }
}
