import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { BillingModel, StepFunctionsPricing } from '../../../lib';

describe('BillingModel', () => {
  const seed = BillingModel.FUNCTIONSTAGE_SEED;
  const lambda = BillingModel.AWS_LAMBDA_X86_64;

  test('a 100 ms step bills 99, 100 and 101 ms as 100, 100 and 200 ms', () => {
    expect([99, 100, 101].map(ms => seed.billedMillis(ms))).toEqual([100, 100, 200]);
    expect(seed.billedMillis(0)).toBe(100);
    expect(seed.billedMillis(199.99)).toBe(200);
    expect(seed.billedMillis(200.0)).toBe(200);
  });

  test('a 1 ms step bills 0.4 ms as 1 ms, and rounds up fractions', () => {
    expect(lambda.billedMillis(0.4)).toBe(1);
    expect(lambda.billedMillis(1)).toBe(1);
    expect(lambda.billedMillis(2.3)).toBe(3);
    expect(BillingModel.HUAWEI_FUNCTIONGRAPH.billedMillis(0.5)).toBe(1);
  });

  test('durations reported to 0.01 ms do not gain a step from float noise', () => {
    // 0.1 + 0.2 style noise: 100.00000000000001 must bill one 100 ms step.
    expect(seed.billedMillis(0.1 * 1000 + 0.2 - 0.2)).toBe(100);
    expect(lambda.billedMillis(3.0000000001)).toBe(3);
  });

  test('Lambda bills INIT with the invocation; FunctionGraph and the seed model do not', () => {
    expect(lambda.billedMillis(10.2, 63.1)).toBe(74);
    expect(BillingModel.HUAWEI_FUNCTIONGRAPH.billedMillis(10.2, 63.1)).toBe(11);
    expect(seed.billedMillis(10.2, 263.1)).toBe(100);
  });

  test('GB-seconds are memory in GB (1024 MB) times billed seconds', () => {
    expect(lambda.gbSeconds(1000, 1024)).toBe(1);
    expect(lambda.gbSeconds(100, 128)).toBeCloseTo(0.0125, 12);
    expect(lambda.gbSeconds(1, 10240)).toBeCloseTo(0.01, 12);
  });

  test('one invocation costs the request price plus its GB-seconds', () => {
    // 512 MB for 200 ms = 0.1 GB-s.
    expect(lambda.invocationUsd(200, 512)).toBeCloseTo(0.2 / 1e6 + 0.1 * 0.0000166667, 15);
    expect(BillingModel.AWS_LAMBDA_ARM_64.invocationUsd(200, 512)).toBeCloseTo(0.2 / 1e6 + 0.1 * 0.0000133334, 15);
  });

  test('the monthly free tier comes off requests and GB-seconds, never below zero', () => {
    expect(lambda.monthlyCost(999_999, 399_999).totalUsd).toBe(0);
    const cost = lambda.monthlyCost(3_000_000, 1_400_000);
    expect(cost.requestsUsd).toBeCloseTo(2 * 0.2, 10);
    expect(cost.durationUsd).toBeCloseTo(1_000_000 * 0.0000166667, 10);
    expect(cost.totalUsd).toBeCloseTo(0.4 + 16.6667, 6);
  });

  test("FunctionGraph's own billing example: 2.2 million requests, 1 million GB-seconds in a month", () => {
    // Huawei's example bills (2.2M - 1M) x $0.2/M = $0.24 for requests.
    expect(BillingModel.HUAWEI_FUNCTIONGRAPH.monthlyCost(2_200_000, 0).requestsUsd).toBeCloseTo(0.24, 10);
    expect(BillingModel.HUAWEI_FUNCTIONGRAPH.monthlyCost(0, 1_000_000).durationUsd).toBeCloseTo(
      600_000 * 0.00001667,
      10,
    );
  });

  test('the AWS Lambda model follows the architecture', () => {
    expect(BillingModel.awsLambda(Architecture.ARM_64)).toBe(BillingModel.AWS_LAMBDA_ARM_64);
    expect(BillingModel.awsLambda(Architecture.X86_64)).toBe(BillingModel.AWS_LAMBDA_X86_64);
  });

  test('a custom model: its own step, prices and free tier', () => {
    const model = BillingModel.custom({
      name: 'flat',
      stepMillis: 50,
      pricePerMillionRequests: 1,
      pricePerGbSecond: 0.00002,
      freeRequestsPerMonth: 10,
    });
    expect(model.billedMillis(51)).toBe(100);
    expect(model.monthlyCost(20, 0).requestsUsd).toBeCloseTo(10 / 1e6, 15);
    expect(BillingModel.custom(model.toJSON()).toJSON()).toEqual(model.toJSON());
  });

  test('fails on a step or price a model cannot have', () => {
    expect(() =>
      BillingModel.custom({ name: 'bad', stepMillis: 0, pricePerMillionRequests: 1, pricePerGbSecond: 1 }),
    ).toThrow("BillingModel 'bad': stepMillis must be a number above 0 (given 0)");
    expect(() =>
      BillingModel.custom({ name: 'bad', stepMillis: 1, pricePerMillionRequests: -1, pricePerGbSecond: 1 }),
    ).toThrow("BillingModel 'bad': pricePerMillionRequests must be a number from 0 (given -1)");
  });
});

describe('StepFunctionsPricing', () => {
  test('Standard: per state transition after 4,000 free ones', () => {
    expect(StepFunctionsPricing.standardUsd(4_000)).toBe(0);
    expect(StepFunctionsPricing.standardUsd(1_004_000)).toBeCloseTo(25, 10);
  });

  test('Express: durations in 100 ms steps and memory in 64 MB steps', () => {
    expect([1, 100, 101].map(ms => StepFunctionsPricing.expressBilledMillis(ms))).toEqual([100, 100, 200]);
    expect([1, 64, 65, 128].map(mb => StepFunctionsPricing.expressBilledMemoryMb(mb))).toEqual([64, 64, 128, 128]);
    // One million 150 ms executions at 64 MB: $1 of requests + 1e6 x 0.0625 GB x 0.2 s x $0.00001667.
    expect(StepFunctionsPricing.expressUsd(1_000_000, 150, 64)).toBeCloseTo(1 + 1e6 * 0.0625 * 0.2 * 0.00001667, 9);
  });
});
