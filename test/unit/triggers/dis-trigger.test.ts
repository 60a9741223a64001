import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Stream } from 'aws-cdk-lib/aws-kinesis';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DisTrigger } from '../../../lib';
import { unbuiltStack } from '../../helpers';
import { fixtureFunction } from './helpers';

describe('DisTrigger', () => {
  let stack: Stack;
  let stream: Stream;
  beforeEach(() => {
    stack = unbuiltStack();
    stream = new Stream(stack, 'Telemetry');
  });

  test('maps the stream with safe defaults and a read grant for that stream only', () => {
    fixtureFunction(stack, 'Fn', { triggers: [new DisTrigger(stream)] });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Telemetry'), 'Arn'] },
      StartingPosition: 'LATEST',
      BatchSize: 100,
      MaximumRetryAttempts: 2,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: [
        {
          PolicyName: 'StageFunction',
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Action: Match.arrayWith(['kinesis:GetRecords', 'kinesis:GetShardIterator']) }),
            ]),
          },
        },
      ],
    });
  });

  test('settings reach the mapping', () => {
    fixtureFunction(stack, 'Fn', {
      triggers: [
        new DisTrigger(stream, {
          startingPosition: StartingPosition.TRIM_HORIZON,
          batchSize: 500,
          maxBatchingWindow: Duration.seconds(2),
          retryAttempts: -1,
        }),
      ],
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 500,
      MaximumBatchingWindowInSeconds: 2,
      MaximumRetryAttempts: -1,
    });
  });

  test.each([
    [{ batchSize: 0 }, 'batchSize must be a whole number from 1 to 10000 (given 0)'],
    [{ retryAttempts: -2 }, 'retryAttempts must be a whole number from -1 to 10000 (given -2)'],
    [
      { maxBatchingWindow: Duration.seconds(301) },
      'maxBatchingWindow must be whole seconds from 0 to 300 (given 5 minutes 1 second)',
    ],
  ])('fails if %p', (props, message) => {
    expect(() => new DisTrigger(stream, props)).toThrow(`DisTrigger on Stack/Telemetry: ${message}`);
  });
});
