import { Duration, Token } from 'aws-cdk-lib';
import { TriggerValidationError } from '../errors';

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

/** Checks batch size and window against what Lambda event source mappings accept. */
export function validateBatching(trigger: string, props: BatchingProps): void {
  const { batchSize, maxBatchingWindow: window } = props;
  if (batchSize !== undefined && !Token.isUnresolved(batchSize) && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10000)) {
    throw new TriggerValidationError(trigger, `batchSize must be a whole number from 1 to 10000 (given ${batchSize})`);
  }
  if (window && !window.isUnresolved() && (window.toMilliseconds() % 1000 !== 0 || window.toSeconds() > 300)) {
    throw new TriggerValidationError(trigger, `maxBatchingWindow must be whole seconds from 0 to 300 (given ${window.toHumanString()})`);
  }
}
