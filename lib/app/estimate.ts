import { CostEstimate, estimateFromUsage, UsageRecord } from '../billing/cost-estimate';
import { estimateOptionsFor } from '../metering/estimate';
import { DeployTarget } from '../target';
import { USAGE_METADATA } from '../usage';
import { assemblyMetadata } from './assembly';

/**
 * The estimate of a synthesized app for a target, from the usage its functions, flows and meters record in the
 * cloud assembly.
 */
export function estimateAssembly(assemblyDir: string, target: DeployTarget = DeployTarget.AWS): CostEstimate {
  return estimateFromUsage(assemblyMetadata<UsageRecord>(assemblyDir, USAGE_METADATA), estimateOptionsFor(target));
}
