import type { Duration } from 'aws-cdk-lib';

// The plain facts functions and flows record about themselves, for estimates and bills. Billing reads
// them (from the construct tree or the cloud assembly); the constructs that record them know nothing of
// billing.

/** The traffic a function expects, for cost estimates. */
export interface FunctionTraffic {
  /** Invocations per month (on top of those of flows that invoke it). */
  readonly invocationsPerMonth: number;
  /** The average duration of one invocation. */
  readonly averageDuration: Duration;
}

/** The traffic a flow expects, for cost estimates. */
export interface FlowTraffic {
  /** Executions per month; each invokes the functions of its function nodes once. */
  readonly executionsPerMonth: number;
  /**
   * The average duration of one execution (billed for EXPRESS flows).
   * @default Duration.seconds(1)
   */
  readonly averageDuration?: Duration;
}

/** What a function records of itself: plain data, as written to the cloud assembly. */
export interface FunctionUsage {
  /** The function's construct path. */
  readonly path: string;
  /** The construct path of its stack. */
  readonly stackPath: string;
  readonly memoryMb: number;
  /** `x86_64` or `arm64`. */
  readonly architecture: string;
  readonly invocationsPerMonth?: number;
  readonly averageDurationMillis?: number;
}

/** What a flow records of itself. */
export interface FlowUsage {
  readonly path: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  readonly executionsPerMonth?: number;
  readonly averageDurationMillis?: number;
  /** State transitions of one execution: its states, each entered once. */
  readonly transitionsPerExecution: number;
  /** The construct paths of the functions its function nodes invoke, once per node. */
  readonly functionPaths: string[];
}

/** The metadata type under which functions and flows record their usage (`{ function }` or `{ flow }`). */
export const USAGE_METADATA = 'stagegraph:usage';

/** Checks a traffic figure: a whole number from 0. */
export function checkTraffic(what: string, value: number): string | undefined {
  return Number.isInteger(value) && value >= 0 ? undefined : `${what} must be a whole number from 0 (given ${value})`;
}
