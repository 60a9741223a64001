// What the meter knows of a metered function with a log group of its own, carried by the name of the group's
// subscription filter: CloudWatch Logs puts that name into every payload it delivers, and only the template sets it.
// The meter checks each REPORT line against it, so that a function cannot bill itself by printing one. The functions
// that write to their stack's one log group (FunctionLogs) share one filter, SHARED_METER_FILTER_NAME: the meter reads
// their configuration from Lambda (GetFunctionConfiguration) by the stream's function.

/** A metered function's configuration as the meter checks REPORT lines against it. */
export interface MeteredConfiguration {
  /** The function's memory size, MB: a REPORT line must say the same. */
  readonly memoryMb: number;
  /**
   * The function's timeout, ms: a REPORT line's duration cannot be longer (give or take {@link
   * DURATION_TOLERANCE_MILLIS}).
   */
  readonly timeoutMillis: number;
  /** The function's architecture, `x86_64` or `arm64`: the billing model's. */
  readonly architecture: string;
}

/** The name of the meter's one subscription filter of a stack's function log group. */
export const SHARED_METER_FILTER_NAME = 'stagegraph-meter-functions';

/**
 * Lambda's INIT phase ends after 10 seconds, or, when it is retried with the first invocation, after the function's
 * timeout: a REPORT line's Init Duration cannot be longer than the larger of the two.
 */
export const MAX_INIT_MILLIS = 10_000;
/** How far past the timeout (or INIT's 10 s) a reported duration may be: the platform's own overshoot. */
export const DURATION_TOLERANCE_MILLIS = 100;

const NAME = /^stagegraph-meter-(\d+)mb-(\d+)s(?:-(x86_64|arm64))?$/;

/**
 * The subscription filter name of a metered function's own log group, e.g. `stagegraph-meter-128mb-30s-arm64`, from
 * its memory size (MB), timeout (seconds) and architecture; memory and timeout may be tokens, resolved at deployment.
 */
export function meterFilterName(memory: string, timeoutSeconds: string, architecture = 'x86_64'): string {
  return `stagegraph-meter-${memory}mb-${timeoutSeconds}s${architecture === 'x86_64' ? '' : `-${architecture}`}`;
}

/** The configuration a subscription filter's name carries; undefined for a name the meter did not make. */
export function parseMeterFilterName(name: string | undefined): MeteredConfiguration | undefined {
  const match = NAME.exec(name ?? '');
  return match
    ? { memoryMb: Number(match[1]), timeoutMillis: Number(match[2]) * 1000, architecture: match[3] ?? 'x86_64' }
    : undefined;
}
