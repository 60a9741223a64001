import { Token } from 'aws-cdk-lib';
import { IStream } from 'aws-cdk-lib/aws-kinesis';
import { EventSourceMapping, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { BatchingProps } from './batching';
import { validateBatching } from './private/validate-batching';
import type { ITrigger, ITriggerTarget } from '../function/trigger';
import { triggerId } from './private/trigger-id';
import { recordTrigger } from './private/record-trigger';
import { TriggerValidationError } from '../errors';

/** Options of a {@link DisTrigger}: batching (a batch of 100 by default) and where and how to read. */
export interface DisTriggerProps extends BatchingProps {
  /**
   * Where reading starts in a new mapping.
   * @default StartingPosition.LATEST
   */
  readonly startingPosition?: StartingPosition;
  /**
   * Retries of a failing batch, 0 to 10000; -1 retries until the records expire.
   * @default 2 - then the batch is skipped, so one bad record cannot stop the shard
   */
  readonly retryAttempts?: number;
  /**
   * Split a failing batch in two and retry each half, to isolate the bad record.
   * @default true
   */
  readonly bisectBatchOnError?: boolean;
}

/**
 * DIS trigger: records of a stream invoke the function in batches, in order per shard. Synthesizes
 * to a Kinesis event source mapping and a grant to read that stream only.
 */
export class DisTrigger implements ITrigger {
  constructor(
    private readonly stream: IStream,
    private readonly props: DisTriggerProps = {},
  ) {
    const name = `DisTrigger on ${stream.node.path}`;
    validateBatching(name, props);
    const { retryAttempts } = props;
    if (
      retryAttempts !== undefined &&
      !Token.isUnresolved(retryAttempts) &&
      (!Number.isInteger(retryAttempts) || retryAttempts < -1 || retryAttempts > 10000)
    ) {
      throw new TriggerValidationError(
        name,
        `retryAttempts must be a whole number from -1 to 10000 (given ${retryAttempts})`,
      );
    }
  }

  public bind(fn: ITriggerTarget): void {
    new EventSourceMapping(fn, triggerId(fn, 'DisTrigger', this.stream), {
      target: fn.invokeTarget,
      eventSourceArn: this.stream.streamArn,
      startingPosition: this.props.startingPosition ?? StartingPosition.LATEST,
      batchSize: this.props.batchSize ?? 100,
      maxBatchingWindow: this.props.maxBatchingWindow,
      retryAttempts: this.props.retryAttempts ?? 2,
      bisectBatchOnError: this.props.bisectBatchOnError ?? true,
      reportBatchItemFailures: this.props.reportBatchItemFailures ?? true,
    });
    this.stream.grantRead(fn);
    recordTrigger(fn, 'dis', this.stream, {
      streamName: this.stream.streamName,
      startingPosition: this.props.startingPosition ?? StartingPosition.LATEST,
      batchSize: this.props.batchSize ?? 100,
      maxBatchingWindowSeconds: this.props.maxBatchingWindow?.toSeconds(),
      retryAttempts: this.props.retryAttempts ?? 2,
    });
  }
}
