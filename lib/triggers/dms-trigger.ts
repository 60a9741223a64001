import { Token } from 'aws-cdk-lib';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { CfnQueue, IQueue } from 'aws-cdk-lib/aws-sqs';
import { StageValidationError, TriggerValidationError } from '../errors';
import { BatchingProps } from './batching';
import { validateBatching } from './private/validate-batching';
import type { ITrigger, ITriggerTarget } from '../function/trigger';
import { triggerId } from './private/trigger-id';
import { recordTrigger } from './private/record-trigger';

/** Options of a {@link DmsTrigger}: batching, with a batch of 10 by default; over 10 needs `maxBatchingWindow`. */
export type DmsTriggerProps = BatchingProps;

/**
 * DMS trigger: messages of a queue invoke the function in batches. Synthesizes to an SQS event
 * source mapping and a grant to receive and delete messages of that queue only.
 *
 * The queue's visibility timeout must be at least the function's timeout (SQS would otherwise
 * hand a message in progress to another invocation): checked at synth time.
 */
export class DmsTrigger implements ITrigger {
  constructor(
    private readonly queue: IQueue,
    private readonly props: DmsTriggerProps = {},
  ) {
    const name = `DmsTrigger on ${queue.node.path}`;
    validateBatching(name, props);
    const batchSize = props.batchSize;
    if (batchSize !== undefined && batchSize > 10 && !props.maxBatchingWindow) {
      throw new TriggerValidationError(name, `a batchSize over 10 (given ${batchSize}) needs maxBatchingWindow`);
    }
  }

  public bind(fn: ITriggerTarget): void {
    const id = triggerId(fn, 'DmsTrigger', this.queue);
    new EventSourceMapping(fn, id, {
      target: fn.invokeTarget,
      eventSourceArn: this.queue.queueArn,
      batchSize: this.props.batchSize ?? 10,
      maxBatchingWindow: this.props.maxBatchingWindow,
      reportBatchItemFailures: this.props.reportBatchItemFailures ?? true,
    });
    this.queue.grantConsumeMessages(fn);
    recordTrigger(fn, 'dms', this.queue, {
      queueName: this.queue.queueName,
      batchSize: this.props.batchSize ?? 10,
      maxBatchingWindowSeconds: this.props.maxBatchingWindow?.toSeconds(),
    });
    const queue = this.queue;
    fn.node.addValidation({
      validate: () => {
        const visibility =
          (queue.node.defaultChild as CfnQueue | undefined)?.visibilityTimeout ??
          (queue.node.defaultChild ? 30 : undefined);
        if (visibility === undefined || Token.isUnresolved(visibility) || fn.timeout.isUnresolved()) {
          return [];
        }
        return visibility < fn.timeout.toSeconds()
          ? [
              new StageValidationError(
                fn,
                `the visibility timeout of ${queue.node.path} (given ${visibility} s) must be at least the function timeout (${fn.timeout.toSeconds()} s)`,
              ).message,
            ]
          : [];
      },
    });
  }
}
