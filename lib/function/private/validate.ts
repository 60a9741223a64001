import { Duration, Token } from 'aws-cdk-lib';
import { IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { StageValidationError } from '../../errors';
import { stackSingleton } from '../../stack-singleton';
import { SHARED_DEAD_LETTER_QUEUE_ID } from '../stage-function-props';

/** The stack's shared dead-letter queue, found or created. */
export function sharedDeadLetterQueue(scope: Construct): IQueue {
  return stackSingleton<IQueue>(
    scope,
    SHARED_DEAD_LETTER_QUEUE_ID,
    stack =>
      new Queue(stack, SHARED_DEAD_LETTER_QUEUE_ID, {
        retentionPeriod: Duration.days(14),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      }),
  );
}

export interface Range {
  readonly min: number;
  readonly max: number;
}

export function validateWholeNumber(scope: Construct, name: string, value: number, range: Range, unit: string): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new StageValidationError(
      scope,
      `${name} must be a whole number from ${range.min} to ${range.max} ${unit} (given ${value})`,
    );
  }
}

export function validateDuration(scope: Construct, name: string, value: Duration, range: Range): void {
  if (value.isUnresolved()) {
    return;
  }
  const millis = value.toMilliseconds();
  if (millis % 1000 !== 0 || millis < range.min * 1000 || millis > range.max * 1000) {
    throw new StageValidationError(
      scope,
      `${name} must be whole seconds from ${range.min} to ${range.max} seconds (given ${value.toHumanString()})`,
    );
  }
}
