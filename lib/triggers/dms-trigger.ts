import { Duration, Token } from 'aws-cdk-lib';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { CfnQueue, IQueue } from 'aws-cdk-lib/aws-sqs';
import { StageValidationError } from '../errors';
import type { StageFunction } from '../function/stage-function';
import { ITrigger, triggerId, TriggerValidationError } from './trigger';

/** Options of a {@link DmsTrigger}. */
export interface DmsTriggerProps {
  /**
   * Messages per invocation, 1 to 10000; above 10, `maxBatchingWindow` must be set.
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * How long to gather messages before invoking, 0 to 300 seconds.
   * @default - no wait
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * The function may answer `{ batchItemFailures: [{ itemIdentifier }] }` so that only the failed
   * messages return to the queue; the others are deleted.
   * @default true
   */
  readonly reportBatchItemFailures?: boolean;
}

/**
 * DMS trigger: messages of a queue invoke the function in batches. Synthesizes to an SQS event
 * source mapping and a grant to receive and delete messages of that queue only.
 *
 * The queue's visibility timeout must be at least the function's timeout (SQS would otherwise
 * hand a message in progress to another invocation): checked at synth time.
 */
export class DmsTrigger implements ITrigger {
  constructor(private readonly queue: IQueue, private readonly props: DmsTriggerProps = {}) {
    const name = `DmsTrigger on ${queue.node.path}`;
    const batchSize = props.batchSize;
    if (batchSize !== undefined && !Token.isUnresolved(batchSize) && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10000)) {
      throw new TriggerValidationError(name, `batchSize must be a whole number from 1 to 10000 (given ${batchSize})`);
    }
    const window = props.maxBatchingWindow;
    if (window && !window.isUnresolved() && (window.toMilliseconds() % 1000 !== 0 || window.toSeconds() > 300)) {
      throw new TriggerValidationError(name, `maxBatchingWindow must be whole seconds from 0 to 300 (given ${window.toHumanString()})`);
    }
    if (batchSize !== undefined && batchSize > 10 && !window) {
      throw new TriggerValidationError(name, `a batchSize over 10 (given ${batchSize}) needs maxBatchingWindow`);
    }
  }

  public bind(fn: StageFunction): void {
    const id = triggerId(fn, 'DmsTrigger', this.queue);
    new EventSourceMapping(fn, id, {
      target: fn.invokeTarget,
      eventSourceArn: this.queue.queueArn,
      batchSize: this.props.batchSize ?? 10,
      maxBatchingWindow: this.props.maxBatchingWindow,
      reportBatchItemFailures: this.props.reportBatchItemFailures ?? true,
    });
    this.queue.grantConsumeMessages(fn);
    const queue = this.queue;
    fn.node.addValidation({
      validate: () => {
        const visibility = (queue.node.defaultChild as CfnQueue | undefined)?.visibilityTimeout ?? (queue.node.defaultChild ? 30 : undefined);
        if (visibility === undefined || Token.isUnresolved(visibility) || fn.timeout.isUnresolved()) {
          return [];
        }
        return visibility < fn.timeout.toSeconds()
          ? [new StageValidationError(fn, `the visibility timeout of ${queue.node.path} (given ${visibility} s) must be at least the function timeout (${fn.timeout.toSeconds()} s)`).message]
          : [];
      },
    });
  }
}
