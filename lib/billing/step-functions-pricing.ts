import { roundUpToStep } from './rounding';

// AWS Step Functions prices, US East (N. Virginia): https://aws.amazon.com/step-functions/pricing/ (read 2026-11).

/** Standard: $0.025 per 1,000 state transitions, retries included; 4,000 transitions free each month. */
const STANDARD_PRICE_PER_TRANSITION = 0.000025;
const STANDARD_FREE_TRANSITIONS = 4_000;
/** Express: $1.00 per million requests, and $0.00001667 per GB-second for the first 1,000 GB-hours of a month. */
const EXPRESS_PRICE_PER_REQUEST = 0.000001;
const EXPRESS_PRICE_PER_GB_SECOND = 0.00001667;
/** Express durations are rounded up to 100 ms, memory to 64 MB chunks (at least one). */
const EXPRESS_STEP_MILLIS = 100;
const EXPRESS_MEMORY_STEP_MB = 64;

/** How Step Functions bills flows: Standard per state transition, Express per request plus duration. */
export class StepFunctionsPricing {
  /** The price of Standard state transitions in a month, after the free tier. */
  public static standardUsd(transitions: number): number {
    return Math.max(0, transitions - STANDARD_FREE_TRANSITIONS) * STANDARD_PRICE_PER_TRANSITION;
  }

  /** Billed milliseconds of one Express execution: rounded up to 100 ms, at least 100 ms. */
  public static expressBilledMillis(durationMillis: number): number {
    return roundUpToStep(durationMillis, EXPRESS_STEP_MILLIS);
  }

  /** Billed memory of one Express execution: rounded up to 64 MB chunks, at least one chunk. */
  public static expressBilledMemoryMb(memoryMb: number): number {
    return roundUpToStep(memoryMb, EXPRESS_MEMORY_STEP_MB);
  }

  /** The price of Express executions: requests plus GB-seconds at the first tier's price. */
  public static expressUsd(executions: number, durationMillis: number, memoryMb: number): number {
    const gbSeconds =
      (StepFunctionsPricing.expressBilledMemoryMb(memoryMb) / 1024) *
      (StepFunctionsPricing.expressBilledMillis(durationMillis) / 1000);
    return executions * (EXPRESS_PRICE_PER_REQUEST + gbSeconds * EXPRESS_PRICE_PER_GB_SECOND);
  }

  private constructor() {}
}
