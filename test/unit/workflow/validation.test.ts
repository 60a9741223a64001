import { Duration, Stack } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import {
  CallbackNotify,
  Condition,
  Flow,
  FlowErrors,
  FlowType,
  FunctionGraph,
  StageValidationError,
  WaitTime,
} from '../../../lib';
import { unbuiltStack } from '../../helpers';

describe('FunctionGraph validation at synth time', () => {
  let stack: Stack;
  beforeEach(() => {
    stack = unbuiltStack();
  });
  const graph = (
    definition: Parameters<typeof Flow.sequence>[0],
    props: { type?: FlowType; timeout?: Duration } = {},
  ) => new FunctionGraph(stack, 'Flow', { definition, ...props });

  test('fails if two nodes have the same name, with the name and the construct path', () => {
    expect(() => graph(Flow.sequence(Flow.pass('Step'), Flow.parallel('P', [Flow.pass('Step')])))).toThrow(
      "node name 'Step' is used twice (allowed: each name once in a flow, branches and loops included) in Stack/Flow",
    );
  });

  test('errors carry the construct path', () => {
    try {
      graph(Flow.sequence(Flow.pass('A'), Flow.pass('A')));
      throw new Error('no error');
    } catch (error) {
      expect(error).toBeInstanceOf(StageValidationError);
      expect((error as StageValidationError).constructPath).toBe('Stack/Flow');
      expect((error as Error).message).toMatch(/'A' .* in Stack\/Flow$/);
    }
  });

  test('fails if the same node object is placed twice', () => {
    const step = Flow.pass('Step');
    expect(() => graph(Flow.parallel('P', [step, step]))).toThrow(/node 'Step' is placed twice/);
  });

  test('fails if a node follows one that ends the flow (unreachable)', () => {
    expect(() => graph(Flow.sequence(Flow.pass('A'), Flow.fail('Stop'), Flow.pass('Lost')))).toThrow(
      "node 'Lost' is unreachable: it follows 'Stop', which ends the flow",
    );
    expect(() =>
      graph(
        Flow.sequence(
          Flow.choice('C').when(Condition.isPresent('$.x'), Flow.succeed('Yes')).otherwise(Flow.fail('No')),
          Flow.pass('Lost'),
        ),
      ),
    ).toThrow("node 'Lost' is unreachable: it follows 'C', which ends the flow");
  });

  test('fails if a path never ends (a goto loop with no way out)', () => {
    expect(() =>
      graph(
        Flow.sequence(
          Flow.wait('Pause', WaitTime.duration(Duration.seconds(5))),
          Flow.pass('Check'),
          Flow.goto('Pause'),
        ),
      ),
    ).toThrow(/a path in the flow never ends: 'Pause' -> 'Check' loop with no way out/);
  });

  test('fails if a goto names a node that is not in the same branch', () => {
    expect(() => graph(Flow.sequence(Flow.pass('A'), Flow.parallel('P', [Flow.goto('A')])))).toThrow(
      /branch 1 of parallel 'P' starts with a goto to 'A', which is not a node of branch 1 of parallel 'P'/,
    );
    expect(
      () =>
        new FunctionGraph(unbuiltStack(), 'Flow', {
          definition: Flow.sequence(Flow.pass('A'), Flow.parallel('P', [Flow.pass('B').next(Flow.goto('A'))])),
        }),
    ).toThrow(/node 'B' goes to 'A', which is not a node of branch 1 of parallel 'P' \(nodes there: B\)/);
  });

  test('fails if a choice has no branch', () => {
    expect(() => graph(Flow.sequence(Flow.pass('A'), Flow.choice('Empty').otherwise(Flow.pass('B'))))).toThrow(
      "choice 'Empty' has no branch: add at least one .when(condition, node) in Stack/Flow",
    );
  });

  test('fails if a loop is over something that is not a path', () => {
    expect(() => Flow.forEach('Each', { itemsPath: 'readings', body: Flow.pass('X') })).toThrow(
      "loop 'Each': itemsPath must be a JSONPath to an array, starting with '$' (given \"readings\")",
    );
    expect(() => Flow.forEach('Each', { itemsPath: '$.x', body: Flow.pass('X'), maxConcurrency: -1 })).toThrow(
      /maxConcurrency must be a whole number from 0 \(given -1\)/,
    );
  });

  test('fails on "finish when N of M branches are done", which neither Step Functions nor a FunctionGraph workflow expresses', () => {
    expect(() =>
      Flow.parallel('Race', [Flow.pass('A'), Flow.pass('B'), Flow.pass('C')], { requiredBranches: 2 }),
    ).toThrow(
      /requiredBranches 2 of 3 is not supported: Step Functions joins a Parallel state only when all branches are done, and a FunctionGraph workflow has no completion count either \(allowed: 3, or leave it out\)/,
    );
    expect(() => Flow.parallel('All', [Flow.pass('A'), Flow.pass('B')], { requiredBranches: 2 })).not.toThrow();
  });

  test('fails on paths that are not JSONPath, and conditions on non-paths', () => {
    expect(() => Flow.pass('P', { inputPath: 'order' })).toThrow(
      "pass node 'P': inputPath must be a JSONPath starting with '$' (given 'order')",
    );
    expect(() => Flow.transform('T', { 'id.$': 'order.id' })).toThrow(
      /entry 'id.\$' must hold a path starting with '\$'/,
    );
  });

  test('fails if a choice condition is on a path that is not JSONPath, naming the choice node, the condition and the construct path', () => {
    // GIVEN a condition on 'temperature', made before any choice or graph exists
    const hot = Condition.numberGreaterThan('temperature', 30);

    // WHEN the flow that uses it becomes a FunctionGraph
    const error = thrownBy(() =>
      graph(Flow.choice('Route').when(Condition.isPresent('$.id'), Flow.pass('Known')).when(hot, Flow.pass('Alert'))),
    );

    // THEN the message names the node, the condition, the value given, what is allowed and the construct path
    expect(error).toBeInstanceOf(StageValidationError);
    expect(error.message).toBe(
      "choice 'Route', condition 2 (temperature > 30): the variable of NumericGreaterThan must be a JSONPath starting with '$' " +
        "(given 'temperature') in Stack/Flow",
    );
  });

  test.each([
    [
      Condition.and(Condition.isPresent('$.a'), Condition.not(Condition.stringEqualsPath('$.a', 'b'))),
      "choice 'Route', condition 1 (($.a present: true) and (not ($.a == b))): the variable of StringEqualsPath must be a JSONPath starting with '$' (given 'b')",
    ],
    [
      Condition.numberEquals('$.t', Number.NaN),
      "choice 'Route', condition 1 ($.t == null): the value of NumericEquals on $.t must be a number (given null)",
    ],
    [Condition.or(), "choice 'Route', condition 1 (): Condition.or() needs at least one condition (given none)"],
  ])('fails if a condition is wrong inside and/or/not, or in its value: %#', (condition, message) => {
    expect(() => graph(Flow.choice('Route').when(condition, Flow.pass('X')))).toThrow(`${message} in Stack/Flow`);
  });

  test('a wrong condition fails only when rendered, so no choice is needed to make one', () => {
    expect(() => Condition.numberGreaterThan('temperature', 3)).not.toThrow();
  });

  test('fails on retry and catch settings Step Functions refuses', () => {
    expect(() => Flow.pass('P').retry({ maxAttempts: -1 })).toThrow(
      /maxAttempts must be a whole number from 0 to 99999999 \(given -1\)/,
    );
    expect(() => Flow.pass('P').retry({ backoffRate: 0.5 })).toThrow(/backoffRate must be at least 1 \(given 0.5\)/);
    expect(() => Flow.pass('P').retry({ interval: Duration.millis(500) })).toThrow(
      /interval must be whole seconds from 1/,
    );
    expect(() => Flow.pass('P').retry({ errors: [FlowErrors.ALL, 'X'] })).toThrow(
      /States.ALL must be the only error of its rule/,
    );
    expect(() =>
      graph(
        Flow.pass('P')
          .retry()
          .retry({ errors: ['X'] }),
      ),
    ).toThrow(/the rule for States.ALL must come last/);
    expect(() => Flow.goto('A').retry()).toThrow(/retry the node it goes to instead/);
  });

  test('fails if an EXPRESS flow waits for a callback or a subflow', () => {
    const topic = new Topic(stack, 'T');
    expect(() =>
      graph(Flow.callback('Ask', { notify: CallbackNotify.smn(topic) }), { type: FlowType.EXPRESS }),
    ).toThrow(/an EXPRESS flow cannot wait for a callback node .* use FlowType.STANDARD/);
  });

  test("fails on a timeout beyond the flow type's limit", () => {
    expect(() => graph(Flow.pass('P'), { type: FlowType.EXPRESS, timeout: Duration.minutes(6) })).toThrow(
      'timeout must be whole seconds from 1 to 5 minutes for a EXPRESS flow (given 6 minutes) in Stack/Flow',
    );
    expect(
      () => new FunctionGraph(unbuiltStack(), 'Flow', { definition: Flow.pass('P'), timeout: Duration.millis(1500) }),
    ).toThrow(/whole seconds/);
  });

  test('fails on node names Step Functions refuses', () => {
    expect(() => Flow.pass('')).toThrow(/a node name must be 1 to 80 printable characters/);
    expect(() => Flow.pass('x'.repeat(81))).toThrow(/a node name must be 1 to 80 printable characters/);
    expect(() => Flow.pass('tab\there')).toThrow(/printable/);
  });

  test('resumeTopic of a flow without callbacks is an error, not undefined', () => {
    const flow = graph(Flow.pass('P'));
    expect(() => flow.resumeTopic).toThrow('this flow has no callback node, so it has no resume topic in Stack/Flow');
  });
});

function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('no error was thrown');
}
