import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { DmsTrigger } from '../../../lib';
import { unbuiltStack } from '../../helpers';
import { fixtureFunction } from './helpers';

describe('DmsTrigger', () => {
  let stack: Stack;
  beforeEach(() => {
    stack = unbuiltStack();
  });

  test('maps the queue to the function, reporting failed items, with a grant for that queue only', () => {
    const queue = new Queue(stack, 'Readings');
    fixtureFunction(stack, 'Fn', { triggers: [new DmsTrigger(queue)] });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Readings'), 'Arn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('^FnFunction') },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: [
        {
          PolicyName: 'StageFunction',
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Action: [
                  'sqs:ReceiveMessage',
                  'sqs:ChangeMessageVisibility',
                  'sqs:GetQueueUrl',
                  'sqs:DeleteMessage',
                  'sqs:GetQueueAttributes',
                ],
                Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Readings'), 'Arn'] },
              }),
            ]),
          },
        },
      ],
    });
  });

  test('batch size and window reach the mapping', () => {
    const queue = new Queue(stack, 'Readings');
    fixtureFunction(stack, 'Fn', {
      triggers: [
        new DmsTrigger(queue, {
          batchSize: 100,
          maxBatchingWindow: Duration.seconds(5),
          reportBatchItemFailures: false,
        }),
      ],
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: Match.absent(),
    });
  });

  test('fails if the queue visibility timeout is shorter than the function timeout', () => {
    const queue = new Queue(stack, 'Readings', { visibilityTimeout: Duration.seconds(20) });
    fixtureFunction(stack, 'Fn', { timeout: Duration.seconds(60), triggers: [new DmsTrigger(queue)] });

    expect(() => Template.fromStack(stack)).toThrow(
      /the visibility timeout of Stack\/Readings \(given 20 s\) must be at least the function timeout \(60 s\)/,
    );
  });

  test('fails if the default visibility timeout (30 s) is shorter than the function timeout', () => {
    fixtureFunction(stack, 'Fn', {
      timeout: Duration.seconds(45),
      triggers: [new DmsTrigger(new Queue(stack, 'Readings'))],
    });

    expect(() => Template.fromStack(stack)).toThrow(/\(given 30 s\) must be at least the function timeout \(45 s\)/);
  });

  test.each([0, 10001, 2.5])('fails if batchSize is %p', batchSize => {
    const queue = new Queue(stack, 'Readings');
    expect(() => new DmsTrigger(queue, { batchSize })).toThrow(
      `DmsTrigger on Stack/Readings: batchSize must be a whole number from 1 to 10000 (given ${batchSize})`,
    );
  });

  test('fails if a batch over 10 has no batching window', () => {
    expect(() => new DmsTrigger(new Queue(stack, 'Readings'), { batchSize: 11 })).toThrow(
      'DmsTrigger on Stack/Readings: a batchSize over 10 (given 11) needs maxBatchingWindow',
    );
  });

  test('fails if the batching window is over 300 seconds', () => {
    expect(() => new DmsTrigger(new Queue(stack, 'Readings'), { maxBatchingWindow: Duration.minutes(6) })).toThrow(
      'DmsTrigger on Stack/Readings: maxBatchingWindow must be whole seconds from 0 to 300 (given 6 minutes)',
    );
  });
});
