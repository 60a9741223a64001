import { Duration, Stack } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import {
  CallbackNotify,
  Condition,
  DISCARD_RESULT,
  Flow,
  FlowErrors,
  FunctionGraph,
  StageFunction,
  WaitTime,
} from '../../../lib';
import { unbuiltStack } from '../../helpers';
import { fixtureFunction } from '../triggers/helpers';
import { aslOf, expectValidAsl } from './helpers';

const LAMBDA_RETRY = {
  ErrorEquals: [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
  ],
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
};

describe('flow nodes render their own ASL', () => {
  let stack: Stack;
  let fn: StageFunction;
  const arnOf = (id: string) => ({ 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${id}Function`)), 'Arn'] });
  beforeEach(() => {
    stack = unbuiltStack();
    fn = fixtureFunction(stack, 'Fn');
  });

  test('a function node is a Task on the function ARN that retries Lambda service errors', () => {
    const asl = aslOf(
      stack,
      Flow.invoke('Resize', fn, {
        inputPath: '$.image',
        resultPath: '$.thumbnail',
        resultSelector: { 'key.$': '$.key' },
        timeout: Duration.seconds(20),
      }),
    );

    expect(asl).toEqual({
      StartAt: 'Resize',
      States: {
        Resize: {
          Type: 'Task',
          Resource: arnOf('Fn'),
          TimeoutSeconds: 20,
          InputPath: '$.image',
          ResultSelector: { 'key.$': '$.key' },
          ResultPath: '$.thumbnail',
          Retry: [LAMBDA_RETRY],
          End: true,
        },
      },
    });
    expectValidAsl(asl);
  });

  test('the service-error retry can be switched off, and a payload and DISCARD_RESULT are rendered', () => {
    const asl = aslOf(
      stack,
      Flow.invoke('Notify', fn, {
        retryServiceErrors: false,
        payload: { 'id.$': '$.id', kind: 'note' },
        resultPath: DISCARD_RESULT,
      }),
    );

    expect(asl.States).toEqual({
      Notify: {
        Type: 'Task',
        Resource: arnOf('Fn'),
        Parameters: { 'id.$': '$.id', kind: 'note' },
        ResultPath: null,
        End: true,
      },
    });
  });

  test('a sequence links each node to the next, listed in flow order', () => {
    const asl = aslOf(
      stack,
      Flow.sequence(Flow.pass('A'), Flow.pass('B', { result: { ok: true } }), Flow.succeed('C')),
    );

    expect(asl).toEqual({
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Next: 'B' },
        B: { Type: 'Pass', Result: { ok: true }, Next: 'C' },
        C: { Type: 'Succeed' },
      },
    });
    expect(Object.keys(asl.States as object)).toEqual(['A', 'B', 'C']);
  });

  test('next() returns a new sequence and leaves the node as it was', () => {
    const a = Flow.pass('A');
    const chain = a.next(Flow.pass('B')).next(Flow.pass('C'));

    expect(aslOf(stack, chain).States).toEqual({
      A: { Type: 'Pass', Next: 'B' },
      B: { Type: 'Pass', Next: 'C' },
      C: { Type: 'Pass', End: true },
    });
    expect(aslOf(unbuiltStack(), a).States).toEqual({ A: { Type: 'Pass', End: true } });
  });

  test('parallel branches join when all are done and go on to the next node', () => {
    const asl = aslOf(
      stack,
      Flow.sequence(
        Flow.parallel('Both', [Flow.pass('Left'), Flow.sequence(Flow.pass('Right1'), Flow.pass('Right2'))], {
          resultPath: '$.both',
        }),
        Flow.succeed('Done'),
      ),
    );

    expect(asl.States).toEqual({
      Both: {
        Type: 'Parallel',
        Branches: [
          { StartAt: 'Left', States: { Left: { Type: 'Pass', End: true } } },
          {
            StartAt: 'Right1',
            States: { Right1: { Type: 'Pass', Next: 'Right2' }, Right2: { Type: 'Pass', End: true } },
          },
        ],
        ResultPath: '$.both',
        Next: 'Done',
      },
      Done: { Type: 'Succeed' },
    });
    expectValidAsl(asl);
  });

  test('a choice renders typed conditions in order, a default, and converges on the next node', () => {
    const asl = aslOf(
      stack,
      Flow.sequence(
        Flow.choice('Hot?')
          .when(Condition.and(Condition.isPresent('$.t'), Condition.numberGreaterThan('$.t', 30)), Flow.pass('Alert'))
          .when(Condition.stringEquals('$.mode', 'test'), Flow.pass('Skip'))
          .otherwise(Flow.pass('Store')),
        Flow.pass('After'),
      ),
    );

    expect(asl.States).toEqual({
      'Hot?': {
        Type: 'Choice',
        Choices: [
          {
            And: [
              { Variable: '$.t', IsPresent: true },
              { Variable: '$.t', NumericGreaterThan: 30 },
            ],
            Next: 'Alert',
          },
          { Variable: '$.mode', StringEquals: 'test', Next: 'Skip' },
        ],
        Default: 'Store',
      },
      Alert: { Type: 'Pass', Next: 'After' },
      After: { Type: 'Pass', End: true },
      Skip: { Type: 'Pass', Next: 'After' },
      Store: { Type: 'Pass', Next: 'After' },
    });
    expectValidAsl(asl);
  });

  test('a choice without otherwise goes straight on, or ends successfully when it is last', () => {
    const inSequence = aslOf(
      stack,
      Flow.sequence(Flow.choice('C').when(Condition.booleanEquals('$.ok', true), Flow.pass('Yes')), Flow.pass('Next')),
    );
    expect((inSequence.States as Record<string, { Default?: string }>).C.Default).toBe('Next');

    const last = aslOf(unbuiltStack(), Flow.choice('C').when(Condition.booleanEquals('$.ok', true), Flow.pass('Yes')));
    expect(last.States).toEqual({
      C: { Type: 'Choice', Choices: [{ Variable: '$.ok', BooleanEquals: true, Next: 'Yes' }], Default: 'C done' },
      Yes: { Type: 'Pass', End: true },
      'C done': { Type: 'Succeed' },
    });
    expectValidAsl(last);
  });

  test('a loop is an inline Map over a path with a concurrency limit', () => {
    const asl = aslOf(
      stack,
      Flow.forEach('Each', {
        itemsPath: '$.readings',
        maxConcurrency: 5,
        itemSelector: { 'value.$': '$$.Map.Item.Value', 'device.$': '$.device' },
        body: Flow.invoke('Score', fn),
        resultPath: '$.scores',
      }),
    );

    expect(asl.States).toEqual({
      Each: {
        Type: 'Map',
        ItemsPath: '$.readings',
        MaxConcurrency: 5,
        ItemSelector: { 'value.$': '$$.Map.Item.Value', 'device.$': '$.device' },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'Score',
          States: { Score: { Type: 'Task', Resource: arnOf('Fn'), Retry: [LAMBDA_RETRY], End: true } },
        },
        ResultPath: '$.scores',
        End: true,
      },
    });
    expectValidAsl(asl);
  });

  test('wait nodes take a duration, a timestamp, or either from the input', () => {
    const asl = aslOf(
      stack,
      Flow.sequence(
        Flow.wait('W1', WaitTime.duration(Duration.minutes(2))),
        Flow.wait('W2', WaitTime.timestamp('2026-12-24T18:00:00Z')),
        Flow.wait('W3', WaitTime.secondsAt('$.delay')),
        Flow.wait('W4', WaitTime.timestampAt('$.when')),
      ),
    );

    expect(asl.States).toEqual({
      W1: { Type: 'Wait', Seconds: 120, Next: 'W2' },
      W2: { Type: 'Wait', Timestamp: '2026-12-24T18:00:00Z', Next: 'W3' },
      W3: { Type: 'Wait', SecondsPath: '$.delay', Next: 'W4' },
      W4: { Type: 'Wait', TimestampPath: '$.when', End: true },
    });
    expectValidAsl(asl);
  });

  test('a callback publishes its task token to SMN and waits with a timeout', () => {
    const topic = new Topic(stack, 'Approvals');
    const asl = aslOf(
      stack,
      Flow.callback('Approve', {
        notify: CallbackNotify.smn(topic),
        timeout: Duration.minutes(30),
        resultPath: '$.approval',
      }),
    );

    expect(asl.States).toEqual({
      Approve: {
        Type: 'Task',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:::sns:publish.waitForTaskToken']] },
        Parameters: {
          TopicArn: { Ref: expect.stringMatching(/^Approvals/) },
          Message: { 'taskToken.$': '$$.Task.Token', 'input.$': '$' },
        },
        TimeoutSeconds: 1800,
        ResultPath: '$.approval',
        End: true,
      },
    });
    expectValidAsl(asl);
  });

  test('a callback can hand its token to a function, invoked asynchronously', () => {
    const asl = aslOf(stack, Flow.callback('Job', { notify: CallbackNotify.function(fn) }));
    expect(asl.States).toEqual({
      Job: expect.objectContaining({
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:::lambda:invoke.waitForTaskToken']] },
        Parameters: {
          FunctionName: arnOf('Fn'),
          InvocationType: 'Event',
          Payload: { 'taskToken.$': '$$.Task.Token', 'input.$': '$' },
        },
        TimeoutSeconds: 86400,
      }),
    });
  });

  test('a subflow starts another flow synchronously and keeps its output', () => {
    const child = new FunctionGraph(stack, 'Child', { definition: Flow.pass('Inner') });
    const asl = aslOf(stack, Flow.subflow('RunChild', child, { resultPath: '$.child' }));

    expect(asl.States).toEqual({
      RunChild: {
        Type: 'Task',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:::states:startExecution.sync:2']] },
        Parameters: { StateMachineArn: { Ref: expect.stringMatching(/^ChildStateMachine/) }, 'Input.$': '$' },
        ResultSelector: { 'output.$': '$.Output', 'executionArn.$': '$.ExecutionArn' },
        ResultPath: '$.child',
        End: true,
      },
    });
    expectValidAsl(asl);
  });

  test('a notify node publishes to SMN through Step Functions, with a message built from the input', () => {
    const topic = new Topic(stack, 'Alerts');
    const asl = aslOf(
      stack,
      Flow.notify('Alert', topic, {
        subject: 'Hot',
        message: { 'device.$': '$.device', level: 'high' },
        resultPath: '$.alert',
      }),
    );

    expect(asl.States).toEqual({
      Alert: {
        Type: 'Task',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:::sns:publish']] },
        Parameters: {
          TopicArn: { Ref: expect.stringMatching(/^Alerts/) },
          Message: { 'device.$': '$.device', level: 'high' },
          Subject: 'Hot',
        },
        ResultPath: '$.alert',
        End: true,
      },
    });
    expectValidAsl(asl);
    expect(() => Flow.notify('Bad', topic, { subject: 'x'.repeat(100) })).toThrow(
      "notify node 'Bad': subject must be 1 to 99 characters (given 100)",
    );
  });

  test('transform, succeed and fail', () => {
    const asl = aslOf(
      stack,
      Flow.sequence(
        Flow.transform('Shape', { 'id.$': '$.order.id', source: 'web' }),
        Flow.fail('Stop', { error: 'Rejected', cause: 'no stock' }),
      ),
    );
    expect(asl.States).toEqual({
      Shape: { Type: 'Pass', Parameters: { 'id.$': '$.order.id', source: 'web' }, Next: 'Stop' },
      Stop: { Type: 'Fail', Error: 'Rejected', Cause: 'no stock' },
    });
  });

  test('retry and catch go on a Task, after the default retry; the handler converges on the next node', () => {
    const asl = aslOf(
      stack,
      Flow.sequence(
        Flow.invoke('Work', fn)
          .retry({ errors: ['Flaky'], interval: Duration.seconds(1), maxAttempts: 2, backoffRate: 1.5 })
          .catch(Flow.pass('Recover'), { errors: [FlowErrors.ALL], resultPath: '$.failure' }),
        Flow.pass('Continue'),
      ),
    );

    expect(asl.States).toEqual({
      Work: {
        Type: 'Task',
        Resource: arnOf('Fn'),
        Retry: [LAMBDA_RETRY, { ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 1.5 }],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Recover' }],
        Next: 'Continue',
      },
      Continue: { Type: 'Pass', End: true },
      Recover: { Type: 'Pass', Next: 'Continue' },
    });
    expectValidAsl(asl);
  });

  test('retry and catch on a node without Retry/Catch fields wrap it in a one-branch Parallel', () => {
    const asl = aslOf(stack, Flow.sequence(Flow.pass('A'), Flow.pass('B')).catch(Flow.fail('Failed')));

    expect(asl.States).toEqual({
      'A guard': {
        Type: 'Parallel',
        Branches: [{ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', End: true } } }],
        OutputPath: '$[0]',
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }],
        End: true,
      },
      Failed: { Type: 'Fail', Error: 'FlowFailed' },
    });
    expectValidAsl(asl);
  });

  test('goto jumps back to an earlier node of the same branch: a polling loop with a way out', () => {
    const asl = aslOf(
      stack,
      Flow.sequence(
        Flow.wait('Pause', WaitTime.duration(Duration.seconds(10))),
        Flow.invoke('Check', fn, { resultPath: '$.status' }),
        Flow.choice('Ready?')
          .when(Condition.stringEquals('$.status', 'ready'), Flow.succeed('Ready'))
          .otherwise(Flow.goto('Pause')),
      ),
    );

    expect((asl.States as Record<string, { Default?: string }>)['Ready?'].Default).toBe('Pause');
    expectValidAsl(asl);
  });
});
