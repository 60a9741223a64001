import { Token } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ITopic, Subscription, SubscriptionFilter, SubscriptionProtocol } from 'aws-cdk-lib/aws-sns';
import type { ITrigger, ITriggerTarget } from '../function/trigger';
import { triggerId } from './private/trigger-id';
import { recordTrigger } from './private/record-trigger';
import { TriggerValidationError } from '../errors';

/** SNS accepts at most this many attribute names in one filter policy. */
export const MAX_FILTER_POLICY_KEYS = 5;
/** SNS accepts at most this many combinations of values in one filter policy. */
export const MAX_FILTER_POLICY_COMBINATIONS = 150;

/** Options of an {@link SmnTrigger}. */
export interface SmnTriggerProps {
  /**
   * Only messages whose attributes match are delivered: at most 5 attribute names and 150
   * combinations of values.
   * @default - every message
   * @see https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
   */
  readonly filterPolicy?: { [attribute: string]: SubscriptionFilter };
}

/**
 * SMN trigger: every message published to a topic invokes the function (asynchronously, so the
 * function's retries and dead-letter queue apply). Synthesizes to an SNS subscription and a Lambda
 * permission for that topic only.
 */
export class SmnTrigger implements ITrigger {
  constructor(
    private readonly topic: ITopic,
    private readonly props: SmnTriggerProps = {},
  ) {
    const policy = props.filterPolicy;
    if (policy) {
      const keys = Object.keys(policy);
      if (keys.length === 0 || keys.length > MAX_FILTER_POLICY_KEYS) {
        throw new TriggerValidationError(
          `SmnTrigger on ${topic.node.path}`,
          `filterPolicy must name 1 to ${MAX_FILTER_POLICY_KEYS} attributes (given ${keys.length}: ${keys.join(', ') || 'none'})`,
        );
      }
      const combinations = keys.reduce((product, key) => product * Math.max(1, policy[key].conditions.length), 1);
      if (combinations > MAX_FILTER_POLICY_COMBINATIONS) {
        throw new TriggerValidationError(
          `SmnTrigger on ${topic.node.path}`,
          `filterPolicy allows at most ${MAX_FILTER_POLICY_COMBINATIONS} combinations of values (given ${combinations})`,
        );
      }
      for (const key of keys) {
        if (!Token.isUnresolved(key) && key.length === 0) {
          throw new TriggerValidationError(
            `SmnTrigger on ${topic.node.path}`,
            'filterPolicy has an empty attribute name',
          );
        }
      }
    }
  }

  public bind(fn: ITriggerTarget): void {
    const id = triggerId(fn, 'SmnTrigger', this.topic);
    const target = fn.invokeTarget;
    target.addPermission(`${id}Permission`, {
      principal: new ServicePrincipal('sns.amazonaws.com'),
      sourceArn: this.topic.topicArn,
    });
    recordTrigger(fn, 'smn', this.topic, {
      topicArn: this.topic.topicArn,
      filterPolicy: this.props.filterPolicy
        ? Object.fromEntries(Object.entries(this.props.filterPolicy).map(([key, filter]) => [key, filter.conditions]))
        : undefined,
    });
    new Subscription(fn, id, {
      topic: this.topic,
      protocol: SubscriptionProtocol.LAMBDA,
      endpoint: target.functionArn,
      filterPolicy: this.props.filterPolicy,
    });
  }
}
