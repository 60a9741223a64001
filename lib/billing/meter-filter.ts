// What the meter knows of a metered function, carried by the name of the function's subscription filter:
// CloudWatch Logs puts that name into every payload it delivers, and only the template sets it. The meter
// checks each REPORT line against it, so that a function cannot bill itself by printing one.

/** A metered function's configuration as the meter checks REPORT lines against it. */
export interface MeteredConfiguration {
  /** The function's memory size, MB: a REPORT line must say the same. */
  readonly memoryMb: number;
  /** The function's timeout, ms: a REPORT line's duration cannot be longer (give or take {@link DURATION_TOLERANCE_MILLIS}). */
  readonly timeoutMillis: number;
}

/** Lambda's INIT phase ends after 10 seconds; a REPORT line's Init Duration cannot be longer. */
export const MAX_INIT_MILLIS = 10_000;
/** How far past the timeout (or INIT's 10 s) a reported duration may be: the platform's own overshoot. */
export const DURATION_TOLERANCE_MILLIS = 100;

const PREFIX = 'stagegraph-meter';
const NAME = /^stagegraph-meter-(\d+)mb-(\d+)ms$/;

/** The subscription filter name of a metered function, e.g. `stagegraph-meter-128mb-30000ms`. */
export function meterFilterName(config: MeteredConfiguration): string {
  return `${PREFIX}-${config.memoryMb}mb-${config.timeoutMillis}ms`;
}

/** The configuration a subscription filter's name carries; undefined for a name the meter did not make. */
export function parseMeterFilterName(name: string | undefined): MeteredConfiguration | undefined {
  const match = NAME.exec(name ?? '');
  return match ? { memoryMb: Number(match[1]), timeoutMillis: Number(match[2]) } : undefined;
}
