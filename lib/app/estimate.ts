import { CostEstimate, estimateFromUsage, FlowUsage, FunctionUsage, USAGE_METADATA } from '../billing/cost-estimate';
import { assemblyMetadata } from './assembly';

/** The estimate of a synthesized app, from the usage its functions and flows record in the cloud assembly. */
export function estimateAssembly(assemblyDir: string): CostEstimate {
  const functions: FunctionUsage[] = [];
  const flows: FlowUsage[] = [];
  for (const usage of assemblyMetadata<{ function?: FunctionUsage; flow?: FlowUsage }>(assemblyDir, USAGE_METADATA)) {
    if (usage.function) functions.push(usage.function);
    if (usage.flow) flows.push(usage.flow);
  }
  return estimateFromUsage(functions, flows);
}
