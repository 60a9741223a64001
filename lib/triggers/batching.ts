import type { Duration } from 'aws-cdk-lib';

/** Batching settings shared by the triggers that read in batches (DMS queues, DIS streams). */
export interface BatchingProps {
  /**
   * Records per invocation, 1 to 10000.
   * @default - 10 for DMS, 100 for DIS
   */
  readonly batchSize?: number;
  /**
   * How long to gather records before invoking, 0 to 300 seconds.
   * @default - no wait
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * The function may answer `{ batchItemFailures: [{ itemIdentifier }] }` so that only the failed records
   * come back (DMS) or reading resumes after the last good one (DIS).
   * @default true
   */
  readonly reportBatchItemFailures?: boolean;
}
