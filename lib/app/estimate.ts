import { CostEstimate, estimateFromUsage, UsageRecord } from '../billing/cost-estimate';
import { USAGE_METADATA } from '../usage';
import { assemblyMetadata } from './assembly';

/** The estimate of a synthesized app, from the usage its functions, flows and meters record in the cloud assembly. */
export function estimateAssembly(assemblyDir: string): CostEstimate {
  return estimateFromUsage(assemblyMetadata<UsageRecord>(assemblyDir, USAGE_METADATA));
}
