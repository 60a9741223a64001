import { Duration, Stack } from 'aws-cdk-lib';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { BillingMeter, BillingModel, DeployTarget, estimateCost, Flow, FlowType, FunctionGraph } from '../../../lib';
import { unbuiltStack } from '../../helpers';
import { fixtureFunction } from '../triggers/helpers';

describe('estimateCost', () => {
  let stack: Stack;
  beforeEach(() => {
    stack = unbuiltStack();
  });

  test("a function's declared traffic, with the free tier", () => {
    // 5M invocations of 200 ms at 512 MB = 500,000 GB-s; free: 1M requests, 400,000 GB-s.
    fixtureFunction(stack, 'Api', {
      memorySize: 512,
      traffic: { invocationsPerMonth: 5_000_000, averageDuration: Duration.millis(200) },
    });

    const estimate = estimateCost(stack);
    expect(estimate.functions).toEqual([
      expect.objectContaining({
        path: 'Stack/Api',
        model: 'AWS Lambda x86_64',
        invocationsPerMonth: 5_000_000,
        averageDurationMillis: 200,
        gbSecondsPerMonth: 500_000,
      }),
    ]);
    expect(estimate.functionsUsd).toBeCloseTo(4 * 0.2 + 100_000 * 0.0000166667, 8);
    expect(estimate.freeTierUsd).toBeCloseTo(0.2 + 400_000 * 0.0000166667, 8);
    expect(estimate.monthlyUsd).toBeCloseTo(estimate.functionsUsd, 10);
    // An always-on t3 server of 512 MB: 0.5 GiB x $0.0104 x 720 h.
    expect(estimate.alwaysOnUsd).toBeCloseTo(0.5 * 0.0104 * 720, 8);
  });

  test('on the Huawei target every function is billed as FunctionGraph bills it, whatever the meter applies', () => {
    new BillingMeter(stack, 'Billing', { model: BillingModel.FUNCTIONSTAGE_SEED });
    // 5M invocations of 151 ms at 512 MB, and 1M more from the flow: FunctionGraph bills 1 ms steps.
    const fn = fixtureFunction(stack, 'Api', {
      memorySize: 512,
      traffic: { invocationsPerMonth: 5_000_000, averageDuration: Duration.millis(151) },
    });
    new FunctionGraph(stack, 'Flow', { definition: Flow.invoke('A', fn), traffic: { executionsPerMonth: 1_000_000 } });

    const estimate = estimateCost(stack, { target: DeployTarget.HUAWEI });
    expect(estimate.functions.map(f => [f.model, f.invocationsPerMonth, f.gbSecondsPerMonth])).toEqual([
      ['Huawei FunctionGraph', 6_000_000, 6_000_000 * 0.151 * 0.5],
    ]);
    // $0.2 per million requests past the first million, $0.00001667 per GB-s past 400,000.
    expect(estimate.functionsUsd).toBeCloseTo(5 * 0.2 + (453_000 - 400_000) * 0.00001667, 8);
    expect(estimate.flows).toEqual([
      expect.objectContaining({
        path: 'Stack/Flow',
        usd: 0,
        unpriced: expect.stringMatching(/FunctionGraph workflows/),
      }),
    ]);
    expect(estimate.monthlyUsd).toBeCloseTo(estimate.functionsUsd, 10);
    // The same app on AWS: the meter's model, and the flow at Step Functions' prices.
    const aws = estimateCost(stack);
    expect(aws.functions[0].model).toBe('FunctionStage 100 ms');
    expect(aws.flowsUsd).toBeGreaterThan(0);
  });

  test("the meter's model applies; functions without traffic are left out", () => {
    new BillingMeter(stack, 'Billing', { model: BillingModel.FUNCTIONSTAGE_SEED });
    fixtureFunction(stack, 'Quiet');
    fixtureFunction(stack, 'Busy', {
      memorySize: 1024,
      traffic: { invocationsPerMonth: 2_000_000, averageDuration: Duration.millis(120) },
    });

    const estimate = estimateCost(stack);
    expect(estimate.functions.map(f => [f.path, f.model, f.gbSecondsPerMonth])).toEqual([
      ['Stack/Busy', 'FunctionStage 100 ms', 2_000_000 * 0.2],
    ]);
  });

  test("flows add their functions' invocations and their own Step Functions cost", () => {
    const fn = fixtureFunction(stack, 'Step', {
      architecture: Architecture.ARM_64,
      traffic: { invocationsPerMonth: 0, averageDuration: Duration.millis(50) },
    });
    new FunctionGraph(stack, 'Standard', {
      definition: Flow.sequence(Flow.invoke('A', fn), Flow.parallel('P', [Flow.invoke('B', fn), Flow.pass('C')])),
      traffic: { executionsPerMonth: 100_000 },
    });
    new FunctionGraph(stack, 'Express', {
      type: FlowType.EXPRESS,
      definition: Flow.invoke('D', fn),
      traffic: { executionsPerMonth: 1_000_000, averageDuration: Duration.millis(150) },
    });

    const estimate = estimateCost(stack);
    expect(estimate.functions).toEqual([
      expect.objectContaining({
        path: 'Stack/Step',
        invocationsPerMonth: 2 * 100_000 + 1_000_000,
        model: 'AWS Lambda arm64',
      }),
    ]);
    expect(estimate.flows).toEqual([
      // A, P, B, C: four transitions per execution, 400,000 in all, 4,000 free.
      {
        path: 'Stack/Standard',
        type: 'STANDARD',
        executionsPerMonth: 100_000,
        transitionsPerExecution: 4,
        usd: expect.closeTo(396_000 * 0.000025, 10),
      },
      {
        path: 'Stack/Express',
        type: 'EXPRESS',
        executionsPerMonth: 1_000_000,
        transitionsPerExecution: 1,
        usd: expect.closeTo(1 + 1e6 * 0.0625 * 0.2 * 0.00001667, 8),
      },
    ]);
    expect(estimate.monthlyUsd).toBeCloseTo(estimate.functionsUsd + estimate.flowsUsd, 10);
  });

  test('a budget a user asserts in their own tests', () => {
    fixtureFunction(stack, 'Api', {
      memorySize: 256,
      traffic: { invocationsPerMonth: 3_000_000, averageDuration: Duration.millis(80) },
    });
    expect(estimateCost(stack).monthlyUsd).toBeLessThan(50);
  });

  test('fails on traffic that is not a whole number', () => {
    expect(() =>
      fixtureFunction(stack, 'Bad', { traffic: { invocationsPerMonth: -1, averageDuration: Duration.millis(1) } }),
    ).toThrow('traffic.invocationsPerMonth must be a whole number from 0 (given -1) in Stack/Bad');
  });
});
