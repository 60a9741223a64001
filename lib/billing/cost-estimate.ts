import type { FlowUsage, FunctionUsage } from '../usage';
import { BillingModel, BillingModelProps, SECONDS_PER_MONTH } from './billing-model';
import { StepFunctionsPricing } from './step-functions-pricing';

/** What a billing meter records: the model it applies to the functions of its stack. */
export interface MeterUsage {
  /** The construct path of the meter's stack. */
  readonly stackPath: string;
  /** The meter's model; without one, each function's AWS Lambda model by architecture. */
  readonly model?: BillingModelProps;
}

/** One record under `USAGE_METADATA`: a function's, a flow's or a meter's. */
export interface UsageRecord {
  readonly function?: FunctionUsage;
  readonly flow?: FlowUsage;
  readonly meter?: MeterUsage;
}

/** A function's share of an estimate. */
export interface FunctionCostEstimate {
  readonly path: string;
  readonly model: string;
  readonly memoryMb: number;
  readonly invocationsPerMonth: number;
  readonly averageDurationMillis: number;
  readonly gbSecondsPerMonth: number;
  /** Before the free tier, which applies to the account as a whole. */
  readonly usdBeforeFreeTier: number;
  /** An always-on server with at least the same memory, all month. */
  readonly alwaysOnUsd: number;
}

/** A flow's share of an estimate. */
export interface FlowCostEstimate {
  readonly path: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  readonly executionsPerMonth: number;
  readonly transitionsPerExecution: number;
  readonly usd: number;
  /** Why the flow's own orchestration is not priced (its functions still are), when it is not. */
  readonly unpriced?: string;
}

/** Options of {@link estimateFromUsage}. */
export interface EstimateOptions {
  /**
   * Bill every function with this model, whatever its stack's meter applies: a deploy target's (Huawei Cloud's
   * FunctionGraph for `stagegraph cost --target huawei`).
   * @default - each stack's meter's model, else the AWS Lambda model of the function's architecture
   */
  readonly model?: BillingModel;
  /**
   * Why flows' own orchestration has no price on the target, when it has none: flows then cost nothing of their
   * own, and their functions' invocations are still counted.
   * @default - flows are priced as Step Functions state machines
   */
  readonly unpricedFlows?: string;
}

/** The monthly cost of an app's declared traffic. */
export interface CostEstimate {
  /** Functions and flows, after the free tiers. */
  readonly monthlyUsd: number;
  readonly functionsUsd: number;
  readonly flowsUsd: number;
  /** What the free tiers take off. */
  readonly freeTierUsd: number;
  /** The same functions as always-on servers: the price of idle capacity. */
  readonly alwaysOnUsd: number;
  readonly functions: FunctionCostEstimate[];
  readonly flows: FlowCostEstimate[];
}

/** A function invoked by a flow without traffic of its own lasts this long, per invocation. */
export const DEFAULT_FUNCTION_DURATION_MILLIS = 100;
/** An EXPRESS execution without a declared duration lasts this long. */
export const DEFAULT_FLOW_DURATION_MILLIS = 1000;
/** Memory an EXPRESS execution is billed for (one 64 MB chunk). */
const EXPRESS_MEMORY_MB = 64;

/**
 * The always-on comparison: EC2 on-demand t3 instances, Linux, US East, $0.0104 per GiB-hour (t3.nano 0.5
 * GiB to t3.large 8 GiB at $0.0052 to $0.0832 an hour; https://aws.amazon.com/ec2/pricing/on-demand/,
 * read 2026-11), the smallest size with at least the function's memory, 720 hours a month.
 */
const ALWAYS_ON_USD_PER_GIB_HOUR = 0.0104;
const ALWAYS_ON_SIZES_MB = [512, 1024, 2048, 4096, 8192, 16384, 32768];

function alwaysOnUsd(memoryMb: number): number {
  const size = ALWAYS_ON_SIZES_MB.find(mb => mb >= memoryMb) ?? memoryMb;
  return (size / 1024) * ALWAYS_ON_USD_PER_GIB_HOUR * (SECONDS_PER_MONTH / 3600);
}

/**
 * The estimate of plain usage records, as functions, flows and meters record them (read from the construct
 * tree by `estimateCost`, from the cloud assembly by `stagegraph cost`). A function is billed with its
 * stack's meter's model, or else the AWS Lambda model of its architecture.
 */
/** The model a function is billed with: its stack's meter's model, or else the AWS Lambda model of its architecture. */
export function functionModels(records: readonly UsageRecord[]): (fn: FunctionUsage) => BillingModel {
  const meterModels = new Map(
    records.flatMap(r => (r.meter?.model ? [[r.meter.stackPath, BillingModel.custom(r.meter.model)] as const] : [])),
  );
  return fn => meterModels.get(fn.stackPath) ?? BillingModel.awsLambda({ name: fn.architecture });
}

export function estimateFromUsage(records: UsageRecord[], options: EstimateOptions = {}): CostEstimate {
  const functions = records.flatMap(r => (r.function ? [r.function] : []));
  const flows = records.flatMap(r => (r.flow ? [r.flow] : []));
  const billedWith = functionModels(records);
  const modelOf = (fn: FunctionUsage) => options.model ?? billedWith(fn);
  const invocations = new Map<string, number>();
  for (const fn of functions) invocations.set(fn.path, fn.invocationsPerMonth ?? 0);
  const flowEstimates: FlowCostEstimate[] = [];
  for (const flow of flows) {
    const executions = flow.executionsPerMonth ?? 0;
    for (const path of flow.functionPaths) invocations.set(path, (invocations.get(path) ?? 0) + executions);
    const usd = options.unpricedFlows
      ? 0
      : flow.type === 'EXPRESS'
        ? StepFunctionsPricing.expressUsd(
            executions,
            flow.averageDurationMillis ?? DEFAULT_FLOW_DURATION_MILLIS,
            EXPRESS_MEMORY_MB,
          )
        : StepFunctionsPricing.standardUsd(executions * flow.transitionsPerExecution);
    flowEstimates.push({
      path: flow.path,
      type: flow.type,
      executionsPerMonth: executions,
      transitionsPerExecution: flow.transitionsPerExecution,
      usd,
      ...(options.unpricedFlows ? { unpriced: options.unpricedFlows } : {}),
    });
  }
  const byModel = new Map<string, { model: BillingModel; requests: number; gbSeconds: number }>();
  const functionEstimates: FunctionCostEstimate[] = [];
  for (const fn of functions) {
    const count = invocations.get(fn.path) ?? 0;
    if (count === 0) continue;
    const model = modelOf(fn);
    const duration = fn.averageDurationMillis ?? DEFAULT_FUNCTION_DURATION_MILLIS;
    const gbSeconds = model.gbSeconds(model.billedMillis(duration), fn.memoryMb) * count;
    const group = byModel.get(model.name) ?? { model, requests: 0, gbSeconds: 0 };
    group.requests += count;
    group.gbSeconds += gbSeconds;
    byModel.set(model.name, group);
    functionEstimates.push({
      path: fn.path,
      model: model.name,
      memoryMb: fn.memoryMb,
      invocationsPerMonth: count,
      averageDurationMillis: duration,
      gbSecondsPerMonth: gbSeconds,
      usdBeforeFreeTier: (count * model.pricePerMillionRequests) / 1e6 + gbSeconds * model.pricePerGbSecond,
      alwaysOnUsd: alwaysOnUsd(fn.memoryMb),
    });
  }
  const functionsUsd = [...byModel.values()].reduce(
    (sum, g) => sum + g.model.monthlyCost(g.requests, g.gbSeconds).totalUsd,
    0,
  );
  const beforeFreeTier = functionEstimates.reduce((sum, f) => sum + f.usdBeforeFreeTier, 0);
  const flowsUsd = flowEstimates.reduce((sum, f) => sum + f.usd, 0);
  return {
    monthlyUsd: functionsUsd + flowsUsd,
    functionsUsd,
    flowsUsd,
    freeTierUsd: beforeFreeTier - functionsUsd,
    alwaysOnUsd: functionEstimates.reduce((sum, f) => sum + f.alwaysOnUsd, 0),
    functions: functionEstimates,
    flows: flowEstimates,
  };
}
