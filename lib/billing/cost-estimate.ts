import { Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { BillingModel, BillingModelProps, SECONDS_PER_MONTH } from './billing-model';
import { StepFunctionsPricing } from './step-functions-pricing';

/** The traffic a function expects, for cost estimates. */
export interface FunctionTraffic {
  /** Invocations per month (on top of those of flows that invoke it). */
  readonly invocationsPerMonth: number;
  /** The average duration of one invocation. */
  readonly averageDuration: Duration;
}

/** The traffic a flow expects, for cost estimates. */
export interface FlowTraffic {
  /** Executions per month; each invokes the functions of its function nodes once. */
  readonly executionsPerMonth: number;
  /**
   * The average duration of one execution (billed for EXPRESS flows).
   * @default Duration.seconds(1)
   */
  readonly averageDuration?: Duration;
}

/** What an estimate needs to know of a function: plain data, as recorded in the cloud assembly. */
export interface FunctionUsage {
  readonly path: string;
  readonly memoryMb: number;
  readonly model: BillingModelProps;
  readonly invocationsPerMonth?: number;
  readonly averageDurationMillis?: number;
}

/** What an estimate needs to know of a flow. */
export interface FlowUsage {
  readonly path: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  readonly executionsPerMonth?: number;
  readonly averageDurationMillis?: number;
  /** State transitions of one execution: its states, each entered once. */
  readonly transitionsPerExecution: number;
  /** The construct paths of the functions its function nodes invoke, once per node. */
  readonly functionPaths: string[];
}

/** The metadata type under which functions and flows record their usage, for `stagegraph cost`. */
export const USAGE_METADATA = 'stagegraph:usage';

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

/** The estimate of plain usage data: what `stagegraph cost` reads from the cloud assembly. */
export function estimateFromUsage(functions: FunctionUsage[], flows: FlowUsage[]): CostEstimate {
  const invocations = new Map<string, number>();
  for (const fn of functions) invocations.set(fn.path, fn.invocationsPerMonth ?? 0);
  const flowEstimates: FlowCostEstimate[] = [];
  for (const flow of flows) {
    const executions = flow.executionsPerMonth ?? 0;
    for (const path of flow.functionPaths) invocations.set(path, (invocations.get(path) ?? 0) + executions);
    const usd = flow.type === 'EXPRESS'
      ? StepFunctionsPricing.expressUsd(executions, flow.averageDurationMillis ?? DEFAULT_FLOW_DURATION_MILLIS, EXPRESS_MEMORY_MB)
      : StepFunctionsPricing.standardUsd(executions * flow.transitionsPerExecution);
    flowEstimates.push({ path: flow.path, type: flow.type, executionsPerMonth: executions, transitionsPerExecution: flow.transitionsPerExecution, usd });
  }
  const byModel = new Map<string, { model: BillingModel; requests: number; gbSeconds: number }>();
  const functionEstimates: FunctionCostEstimate[] = [];
  for (const fn of functions) {
    const count = invocations.get(fn.path) ?? 0;
    if (count === 0) continue;
    const model = BillingModel.custom(fn.model);
    const duration = fn.averageDurationMillis ?? DEFAULT_FUNCTION_DURATION_MILLIS;
    const gbSeconds = model.gbSeconds(model.billedMillis(duration), fn.memoryMb) * count;
    const group = byModel.get(model.name) ?? { model, requests: 0, gbSeconds: 0 };
    group.requests += count;
    group.gbSeconds += gbSeconds;
    byModel.set(model.name, group);
    functionEstimates.push({
      path: fn.path, model: model.name, memoryMb: fn.memoryMb, invocationsPerMonth: count, averageDurationMillis: duration,
      gbSecondsPerMonth: gbSeconds, usdBeforeFreeTier: count * model.pricePerMillionRequests / 1e6 + gbSeconds * model.pricePerGbSecond,
      alwaysOnUsd: alwaysOnUsd(fn.memoryMb),
    });
  }
  const functionsUsd = [...byModel.values()].reduce((sum, g) => sum + g.model.monthlyCost(g.requests, g.gbSeconds).totalUsd, 0);
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

/** Something that records its usage for estimates: StageFunction and FunctionGraph. */
export interface IUsageSource {
  /** @internal */
  usage(): { readonly function?: FunctionUsage; readonly flow?: FlowUsage };
}

function isUsageSource(construct: IConstruct): construct is IConstruct & IUsageSource {
  return typeof (construct as unknown as Partial<IUsageSource>).usage === 'function';
}

/**
 * The monthly cost of the traffic the functions and flows under `scope` declare (`traffic` props),
 * with free tiers, before deploying. For budgets in tests:
 * `expect(estimateCost(stack).monthlyUsd).toBeLessThan(50)`.
 */
export function estimateCost(scope: IConstruct): CostEstimate {
  const functions: FunctionUsage[] = [];
  const flows: FlowUsage[] = [];
  for (const construct of scope.node.findAll()) {
    if (!isUsageSource(construct)) continue;
    const usage = construct.usage();
    if (usage.function) functions.push(usage.function);
    if (usage.flow) flows.push(usage.flow);
  }
  return estimateFromUsage(functions, flows);
}

/** Checks a traffic figure: a whole number from 0. */
export function checkTraffic(what: string, value: number): string | undefined {
  return Number.isInteger(value) && value >= 0 ? undefined : `${what} must be a whole number from 0 (given ${value})`;
}
