import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { BillingModel } from '../billing/billing-model';
import { CostEstimate, EstimateOptions, estimateFromUsage, UsageRecord } from '../billing/cost-estimate';
import { DeployTarget } from '../target';
import { USAGE_METADATA } from '../usage';

/** Options of {@link estimateCost}. */
export interface EstimateCostOptions {
  /**
   * The target to price the app for: on `DeployTarget.HUAWEI` every function is billed with FunctionGraph's
   * pay-per-use model, and flows (FunctionGraph workflows, which publish no price of their own) cost their
   * functions' invocations only.
   * @default DeployTarget.AWS - each stack's meter's model, else AWS Lambda's; flows at Step Functions' prices
   */
  readonly target?: DeployTarget;
}

/** How a target's estimate prices functions and flows. */
export function estimateOptionsFor(target: DeployTarget = DeployTarget.AWS): EstimateOptions {
  return target === DeployTarget.HUAWEI
    ? {
        model: BillingModel.HUAWEI_FUNCTIONGRAPH,
        unpricedFlows: 'FunctionGraph workflows publish no price of their own: their functions are counted',
      }
    : {};
}

/** The usage records of the constructs under `scope`, and the meters of the whole app. */
function usageRecords(scope: IConstruct): UsageRecord[] {
  const records: UsageRecord[] = [];
  const read = (construct: IConstruct, keep: (record: UsageRecord) => boolean) => {
    for (const entry of construct.node.metadata) {
      if (entry.type !== USAGE_METADATA) continue;
      const record = Stack.of(construct).resolve(entry.data) as UsageRecord;
      if (keep(record)) records.push(record);
    }
  };
  for (const construct of scope.node.findAll()) read(construct, record => !record.meter);
  // A function under `scope` is billed with its stack's meter even when the meter is not under `scope`.
  for (const construct of scope.node.root.node.findAll()) read(construct, record => record.meter !== undefined);
  return records;
}

/**
 * The monthly cost of the traffic the functions and flows under `scope` declare (`traffic` props),
 * with free tiers, before deploying: the same figures `stagegraph cost` reads from the cloud assembly.
 * For budgets in tests: `expect(estimateCost(stack).monthlyUsd).toBeLessThan(50)`; with `{ target:
 * DeployTarget.HUAWEI }`, what the same traffic costs on Huawei Cloud's FunctionGraph.
 */
export function estimateCost(scope: IConstruct, options: EstimateCostOptions = {}): CostEstimate {
  return estimateFromUsage(usageRecords(scope), estimateOptionsFor(options.target));
}
