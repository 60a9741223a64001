import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { SmnTrigger } from '../../../lib';
import { unbuiltStack } from '../../helpers';
import { fixtureFunction } from './helpers';

describe('SmnTrigger', () => {
  let stack: Stack;
  let topic: Topic;
  beforeEach(() => {
    stack = unbuiltStack();
    topic = new Topic(stack, 'Alerts');
  });

  test('subscribes the function with a permission for that topic only', () => {
    fixtureFunction(stack).addTrigger(new SmnTrigger(topic));

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: Match.stringLikeRegexp('^Alerts') },
      Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnFunction'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'sns.amazonaws.com',
      SourceArn: { Ref: Match.stringLikeRegexp('^Alerts') },
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('a filter policy reaches the subscription', () => {
    fixtureFunction(stack, 'Fn', {
      triggers: [
        new SmnTrigger(topic, {
          filterPolicy: { severity: SubscriptionFilter.stringFilter({ allowlist: ['high', 'critical'] }) },
        }),
      ],
    });

    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', {
      FilterPolicy: { severity: ['high', 'critical'] },
    });
  });

  test('targets the live alias when the function has reserved instances', () => {
    fixtureFunction(stack, 'Fn', { reservedInstances: 1, triggers: [new SmnTrigger(topic)] });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: { Ref: Match.stringLikeRegexp('^FnLive') } });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { Ref: Match.stringLikeRegexp('^FnLive') },
    });
  });

  test('fails if the same topic is added twice', () => {
    const fn = fixtureFunction(stack);
    fn.addTrigger(new SmnTrigger(topic));

    expect(() => fn.addTrigger(new SmnTrigger(topic))).toThrow(
      'SmnTrigger from Stack/Alerts is added twice (allowed: one SmnTrigger per source and function) in Stack/Fn',
    );
  });

  test('fails if the filter policy names more than 5 attributes', () => {
    const filter = SubscriptionFilter.existsFilter();
    expect(
      () =>
        new SmnTrigger(topic, { filterPolicy: { a: filter, b: filter, c: filter, d: filter, e: filter, f: filter } }),
    ).toThrow('SmnTrigger on Stack/Alerts: filterPolicy must name 1 to 5 attributes (given 6: a, b, c, d, e, f)');
  });

  test('fails if the filter policy has more than 150 combinations', () => {
    const many = (n: number) =>
      SubscriptionFilter.stringFilter({ allowlist: Array.from({ length: n }, (_, i) => `v${i}`) });
    expect(() => new SmnTrigger(topic, { filterPolicy: { a: many(10), b: many(16) } })).toThrow(
      'SmnTrigger on Stack/Alerts: filterPolicy allows at most 150 combinations of values (given 160)',
    );
  });
});
