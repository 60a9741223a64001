import { Token } from 'aws-cdk-lib';
import { TriggerValidationError } from '../../errors';
import type { BatchingProps } from '../batching';

/** Checks batch size and window against what Lambda event source mappings accept. */
export function validateBatching(trigger: string, props: BatchingProps): void {
  const { batchSize, maxBatchingWindow: window } = props;
  if (
    batchSize !== undefined &&
    !Token.isUnresolved(batchSize) &&
    (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10000)
  ) {
    throw new TriggerValidationError(trigger, `batchSize must be a whole number from 1 to 10000 (given ${batchSize})`);
  }
  if (window && !window.isUnresolved() && (window.toMilliseconds() % 1000 !== 0 || window.toSeconds() > 300)) {
    throw new TriggerValidationError(
      trigger,
      `maxBatchingWindow must be whole seconds from 0 to 300 (given ${window.toHumanString()})`,
    );
  }
}
