import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CostEstimate, estimateFromUsage, UsageRecord } from '../billing/cost-estimate';
import { USAGE_METADATA } from '../usage';

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
 * For budgets in tests: `expect(estimateCost(stack).monthlyUsd).toBeLessThan(50)`.
 */
export function estimateCost(scope: IConstruct): CostEstimate {
  return estimateFromUsage(usageRecords(scope));
}
