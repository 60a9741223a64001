import { Stack } from 'aws-cdk-lib';
import { Condition, Flow, FlowDiagram, FunctionGraph } from '../../../lib';
import type { FlowRun } from '../../../lib/app/flow-runs';
import { fixtureFunction } from '../triggers/helpers';

/**
 * The flow the recorded runs went through: a parallel with a loop whose body is guarded by a catch, a choice, a
 * caught function and a succeed state (like the integration tests' Orchestra).
 */
export function orchestraDiagram(stack: Stack): FlowDiagram {
  const steps = fixtureFunction(stack, 'Steps');
  return new FunctionGraph(stack, 'Orchestra', {
    definition: Flow.sequence(
      Flow.parallel('Fan out', [
        Flow.invoke('Sum', steps),
        Flow.forEach('Square each', { itemsPath: '$.items', body: Flow.pass('Square').catch(Flow.pass('Skip')) }),
      ]),
      Flow.choice('Big?')
        .when(Condition.numberGreaterThan('$[0].sum', 10), Flow.pass('Big'))
        .otherwise(Flow.pass('Small')),
      Flow.invoke('Broken', steps).catch(Flow.pass('Recovered')),
      Flow.succeed('Done'),
    ),
  }).diagram;
}

const ARN = 'arn:aws:states:us-east-1:000000000000:execution:stagegraph-test-orchestra';

/**
 * `{"items":[1,2]}`: both branches ran (the loop's iterations interleaved with the other branch), the choice went
 * `otherwise`, Broken failed and its catch went on to Recovered. Recorded with `flow run --json`, inputs trimmed.
 */
export const SUCCEEDED_RUN: FlowRun = {
  executionArn: `${ARN}:run-ok`,
  status: 'SUCCEEDED',
  output: [{ sum: 3 }, [{ value: 1 }, { value: 2 }]],
  steps: [
    { name: 'Fan out', type: 'Parallel', input: { items: [1, 2] }, output: [{ sum: 3 }, [{ value: 1 }, { value: 2 }]] },
    { name: 'Square each', type: 'Map', input: { items: [1, 2] }, output: [{ value: 1 }, { value: 2 }] },
    { name: 'Square guard', type: 'Parallel', input: { value: 1 }, output: { value: 1 } },
    { name: 'Sum', type: 'Task', input: { items: [1, 2] }, output: { sum: 3 } },
    { name: 'Square guard', type: 'Parallel', input: { value: 2 }, output: { value: 2 } },
    { name: 'Square', type: 'Pass', input: { value: 1 }, output: { value: 1 } },
    { name: 'Square', type: 'Pass', input: { value: 2 }, output: { value: 2 } },
    { name: 'Big?', type: 'Choice', input: [{ sum: 3 }], output: [{ sum: 3 }] },
    { name: 'Small', type: 'Pass', input: [{ sum: 3 }], output: [{ sum: 3 }] },
    { name: 'Broken', type: 'Task', input: [{ sum: 3 }] },
    { name: 'Recovered', type: 'Pass', input: { Error: 'Broken' }, output: { Error: 'Broken' } },
    { name: 'Done', type: 'Succeed', input: { Error: 'Broken' }, output: { Error: 'Broken' } },
  ],
};

/** `{"numbers":[1]}`: the loop found no `$.items` and the execution failed in it, inside the parallel. */
export const FAILED_RUN: FlowRun = {
  executionArn: `${ARN}:run-failed`,
  status: 'FAILED',
  error: 'States.Runtime',
  cause: "An error occurred while executing the state 'Square each'. Invalid path '$.items'",
  steps: [
    { name: 'Fan out', type: 'Parallel', input: { numbers: [1] } },
    { name: 'Sum', type: 'Task', input: { numbers: [1] }, output: { sum: 0 } },
    { name: 'Square each', type: 'Map', input: { numbers: [1] } },
  ],
};
