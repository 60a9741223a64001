import type { Architecture } from 'aws-cdk-lib/aws-lambda';
import { StageInputError } from '../errors';
import { roundUpToStep } from './rounding';

// Prices and billing steps, each with its source and the date it was read. Models are parameters,
// never constants baked into the meter: pick a preset or make your own with BillingModel.custom.

/** AWS Lambda, US East (N. Virginia), first pricing tier. https://aws.amazon.com/lambda/pricing/ (read 2026-11). */
const AWS_LAMBDA_PRICE_PER_MILLION_REQUESTS = 0.2;
const AWS_LAMBDA_X86_PRICE_PER_GB_SECOND = 0.0000166667;
const AWS_LAMBDA_ARM_PRICE_PER_GB_SECOND = 0.0000133334;
/** AWS Lambda free tier: one million requests and 400,000 GB-seconds per month. Same page. */
const AWS_LAMBDA_FREE_REQUESTS = 1_000_000;
const AWS_LAMBDA_FREE_GB_SECONDS = 400_000;
/** Lambda bills per 1 ms (since December 2020) and bills the INIT phase too (since 1 August 2025). */
const AWS_LAMBDA_STEP_MILLIS = 1;

/**
 * Huawei Cloud FunctionGraph, pay-per-use: $0.2 per million requests and $0.00001667 per GB-second
 * (https://support.huaweicloud.com/intl/en-us/price-functiongraph/functiongraph_00_0011.html, billing
 * examples, updated 2023-11-06, read 2026-11); 1 ms rounding, at least 1 ms, and the free tier of one
 * million requests and 400,000 GB-seconds per month
 * (https://support.huaweicloud.com/intl/en-us/price-functiongraph/functiongraph_00_0010.html, updated 2024-09-09).
 */
const FUNCTIONGRAPH_PRICE_PER_MILLION_REQUESTS = 0.2;
const FUNCTIONGRAPH_PRICE_PER_GB_SECOND = 0.00001667;
const FUNCTIONGRAPH_FREE_REQUESTS = 1_000_000;
const FUNCTIONGRAPH_FREE_GB_SECONDS = 400_000;
const FUNCTIONGRAPH_STEP_MILLIS = 1;

/**
 * The seed's FunctionStage model: per request plus GB-seconds, the duration rounded up to 100 ms, as the
 * seed documents describe (and as FunctionGraph billed before its 1 ms change). The seed gives no prices:
 * FunctionGraph's above are used.
 */
const SEED_STEP_MILLIS = 100;

/** Seconds in the 30-day month every monthly figure uses. */
export const SECONDS_PER_MONTH = 30 * 24 * 3600;

/** The settings of a billing model. */
export interface BillingModelProps {
  /** A short name, shown in bills. */
  readonly name: string;
  /** Durations are rounded up to a whole number of these, at least one step. */
  readonly stepMillis: number;
  /** Price of one million requests, USD. */
  readonly pricePerMillionRequests: number;
  /** Price of one GB-second (1 GB of memory for one second), USD. */
  readonly pricePerGbSecond: number;
  /**
   * Requests free each month.
   * @default 0
   */
  readonly freeRequestsPerMonth?: number;
  /**
   * GB-seconds free each month.
   * @default 0
   */
  readonly freeGbSecondsPerMonth?: number;
  /**
   * Whether the INIT phase of a cold start is billed with the invocation.
   * @default false
   */
  readonly billsInitDuration?: boolean;
}

/** The cost of some usage under a model, USD. */
export interface UsageCost {
  readonly requests: number;
  readonly gbSeconds: number;
  readonly requestsUsd: number;
  readonly durationUsd: number;
  readonly totalUsd: number;
}

/**
 * How invocations are billed: a price per request plus a price per GB-second, the duration rounded up
 * to a billing step, and a monthly free tier. Presets for AWS Lambda (x86_64, arm64), Huawei
 * FunctionGraph and the seed's 100 ms FunctionStage model; `BillingModel.custom` for any other.
 */
export class BillingModel {
  /**
   * AWS Lambda on x86_64: 1 ms steps, INIT billed, US East prices, free tier. The meter's default for x86_64 functions.
   */
  public static readonly AWS_LAMBDA_X86_64 = new BillingModel({
    name: 'AWS Lambda x86_64',
    stepMillis: AWS_LAMBDA_STEP_MILLIS,
    pricePerMillionRequests: AWS_LAMBDA_PRICE_PER_MILLION_REQUESTS,
    pricePerGbSecond: AWS_LAMBDA_X86_PRICE_PER_GB_SECOND,
    freeRequestsPerMonth: AWS_LAMBDA_FREE_REQUESTS,
    freeGbSecondsPerMonth: AWS_LAMBDA_FREE_GB_SECONDS,
    billsInitDuration: true,
  });

  /**
   * AWS Lambda on arm64 (Graviton): the same, about 20% less per GB-second. The meter's default for arm64 functions.
   */
  public static readonly AWS_LAMBDA_ARM_64 = new BillingModel({
    name: 'AWS Lambda arm64',
    stepMillis: AWS_LAMBDA_STEP_MILLIS,
    pricePerMillionRequests: AWS_LAMBDA_PRICE_PER_MILLION_REQUESTS,
    pricePerGbSecond: AWS_LAMBDA_ARM_PRICE_PER_GB_SECOND,
    freeRequestsPerMonth: AWS_LAMBDA_FREE_REQUESTS,
    freeGbSecondsPerMonth: AWS_LAMBDA_FREE_GB_SECONDS,
    billsInitDuration: true,
  });

  /** Huawei Cloud FunctionGraph, pay-per-use: 1 ms steps, its prices and free tier. */
  public static readonly HUAWEI_FUNCTIONGRAPH = new BillingModel({
    name: 'Huawei FunctionGraph',
    stepMillis: FUNCTIONGRAPH_STEP_MILLIS,
    pricePerMillionRequests: FUNCTIONGRAPH_PRICE_PER_MILLION_REQUESTS,
    pricePerGbSecond: FUNCTIONGRAPH_PRICE_PER_GB_SECOND,
    freeRequestsPerMonth: FUNCTIONGRAPH_FREE_REQUESTS,
    freeGbSecondsPerMonth: FUNCTIONGRAPH_FREE_GB_SECONDS,
    billsInitDuration: false,
  });

  /** The seed's FunctionStage model: 100 ms steps, FunctionGraph's prices and free tier. */
  public static readonly FUNCTIONSTAGE_SEED = new BillingModel({
    name: 'FunctionStage 100 ms',
    stepMillis: SEED_STEP_MILLIS,
    pricePerMillionRequests: FUNCTIONGRAPH_PRICE_PER_MILLION_REQUESTS,
    pricePerGbSecond: FUNCTIONGRAPH_PRICE_PER_GB_SECOND,
    freeRequestsPerMonth: FUNCTIONGRAPH_FREE_REQUESTS,
    freeGbSecondsPerMonth: FUNCTIONGRAPH_FREE_GB_SECONDS,
    billsInitDuration: false,
  });

  /** The AWS Lambda model of an architecture. */
  public static awsLambda(architecture: Pick<Architecture, 'name'>): BillingModel {
    return architecture.name === 'arm64' ? BillingModel.AWS_LAMBDA_ARM_64 : BillingModel.AWS_LAMBDA_X86_64;
  }

  /** A model of your own: step, prices and free tier. */
  public static custom(props: BillingModelProps): BillingModel {
    return new BillingModel(props);
  }

  public readonly name: string;
  public readonly stepMillis: number;
  public readonly pricePerMillionRequests: number;
  public readonly pricePerGbSecond: number;
  public readonly freeRequestsPerMonth: number;
  public readonly freeGbSecondsPerMonth: number;
  public readonly billsInitDuration: boolean;

  private constructor(props: BillingModelProps) {
    const where = `BillingModel '${props.name}'`;
    if (!(props.stepMillis > 0) || !Number.isFinite(props.stepMillis)) {
      throw new StageInputError(`${where}: stepMillis must be a number above 0 (given ${props.stepMillis})`);
    }
    for (const [key, value] of Object.entries({
      pricePerMillionRequests: props.pricePerMillionRequests,
      pricePerGbSecond: props.pricePerGbSecond,
      freeRequestsPerMonth: props.freeRequestsPerMonth ?? 0,
      freeGbSecondsPerMonth: props.freeGbSecondsPerMonth ?? 0,
    })) {
      if (!(value >= 0) || !Number.isFinite(value))
        throw new StageInputError(`${where}: ${key} must be a number from 0 (given ${value})`);
    }
    this.name = props.name;
    this.stepMillis = props.stepMillis;
    this.pricePerMillionRequests = props.pricePerMillionRequests;
    this.pricePerGbSecond = props.pricePerGbSecond;
    this.freeRequestsPerMonth = props.freeRequestsPerMonth ?? 0;
    this.freeGbSecondsPerMonth = props.freeGbSecondsPerMonth ?? 0;
    this.billsInitDuration = props.billsInitDuration ?? false;
  }

  /**
   * The billed milliseconds of one invocation: its duration (plus INIT when the model bills it) rounded
   * up to the step, at least one step: 99, 100 and 101 ms bill 100, 100 and 200 ms at a 100 ms step;
   * 0.4 ms bills 1 ms at a 1 ms step.
   */
  public billedMillis(durationMillis: number, initMillis = 0): number {
    return roundUpToStep(durationMillis + (this.billsInitDuration ? initMillis : 0), this.stepMillis);
  }

  /** GB-seconds of billed milliseconds at a memory size (1 GB = 1024 MB). */
  public gbSeconds(billedMillis: number, memoryMb: number): number {
    return (memoryMb / 1024) * (billedMillis / 1000);
  }

  /** The price of one invocation before any free tier, USD. */
  public invocationUsd(billedMillis: number, memoryMb: number): number {
    return this.pricePerMillionRequests / 1e6 + this.gbSeconds(billedMillis, memoryMb) * this.pricePerGbSecond;
  }

  /** The cost of a month's requests and GB-seconds, after the free tier. */
  public monthlyCost(requests: number, gbSeconds: number): UsageCost {
    const requestsUsd = (Math.max(0, requests - this.freeRequestsPerMonth) * this.pricePerMillionRequests) / 1e6;
    const durationUsd = Math.max(0, gbSeconds - this.freeGbSecondsPerMonth) * this.pricePerGbSecond;
    return { requests, gbSeconds, requestsUsd, durationUsd, totalUsd: requestsUsd + durationUsd };
  }

  /** The settings, as the meter function receives them. */
  public toJSON(): Required<BillingModelProps> {
    return {
      name: this.name,
      stepMillis: this.stepMillis,
      pricePerMillionRequests: this.pricePerMillionRequests,
      pricePerGbSecond: this.pricePerGbSecond,
      freeRequestsPerMonth: this.freeRequestsPerMonth,
      freeGbSecondsPerMonth: this.freeGbSecondsPerMonth,
      billsInitDuration: this.billsInitDuration,
    };
  }
}
