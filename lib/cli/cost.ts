import * as path from 'path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Command } from 'commander';
import { CostEstimate, estimateFromUsage, FlowUsage, FunctionUsage, USAGE_METADATA } from '../billing/cost-estimate';
import { step } from './progress';
import { textTable } from './text-table';
import { synthesizeApp } from './synth';

/** The estimate of a synthesized app, from the usage its functions and flows record in the cloud assembly. */
export function estimateAssembly(assemblyDir: string): CostEstimate {
  const functions: FunctionUsage[] = [];
  const flows: FlowUsage[] = [];
  for (const stack of new CloudAssembly(assemblyDir).stacksRecursively) {
    for (const entry of stack.findMetadataByType(USAGE_METADATA)) {
      const usage = entry.data as unknown as { function?: FunctionUsage; flow?: FlowUsage };
      if (usage.function) functions.push(usage.function);
      if (usage.flow) flows.push(usage.flow);
    }
  }
  return estimateFromUsage(functions, flows);
}

const usd = (value: number) => `$${value.toFixed(value < 1 ? 4 : 2)}`;

/** The estimate as text. */
export function formatEstimate(estimate: CostEstimate): string {
  if (estimate.functions.length === 0 && estimate.flows.length === 0) {
    return 'No traffic declared: give functions `traffic: { invocationsPerMonth, averageDuration }` and flows `traffic: { executionsPerMonth }`.';
  }
  const lines = ['Monthly estimate of the declared traffic (30 days)', ''];
  lines.push(textTable(['function', 'model', 'memory', 'invocations', 'avg ms', 'GB-s', 'pay-per-use', 'always-on'], estimate.functions.map(f => [
    f.path, f.model, `${f.memoryMb} MB`, f.invocationsPerMonth.toLocaleString('en-US'), String(f.averageDurationMillis),
    f.gbSecondsPerMonth.toFixed(0), usd(f.usdBeforeFreeTier), usd(f.alwaysOnUsd),
  ])));
  if (estimate.flows.length > 0) {
    lines.push('', textTable(['flow', 'type', 'executions', 'transitions each', 'cost'], estimate.flows.map(f => [
      f.path, f.type, f.executionsPerMonth.toLocaleString('en-US'), String(f.transitionsPerExecution), usd(f.usd),
    ])));
  }
  lines.push('',
    `Functions ${usd(estimate.functionsUsd)} after ${usd(estimate.freeTierUsd)} of free tier, flows ${usd(estimate.flowsUsd)}: ${usd(estimate.monthlyUsd)} a month.`,
    `The same functions as always-on servers: ${usd(estimate.alwaysOnUsd)} a month (pay-per-use costs nothing when idle).`);
  return lines.join('\n');
}

/** `stagegraph cost`: the monthly cost of the app's declared traffic, before deploying. */
export function costCommand(): Command {
  return new Command('cost')
    .description('estimate the monthly cost of the app in cdk.json from the traffic its functions and flows declare (no code is built)')
    .option('--json', 'print the estimate as JSON')
    .option('--assembly <dir>', 'read an already synthesized cloud assembly instead of synthesizing the app')
    .addHelpText('after', '\nExamples:\n  $ stagegraph cost\n  $ stagegraph cost --json')
    .action(async (opts: { json?: boolean; assembly?: string }) => {
      const assemblyDir = opts.assembly ? path.resolve(opts.assembly)
        : (await step('Synthesizing the app', () => synthesizeApp({ projectDir: process.cwd(), outdir: path.join('.stagegraph', 'cost.out'), skipBuilds: true }))).assemblyDir;
      const estimate = estimateAssembly(assemblyDir);
      console.log(opts.json ? JSON.stringify(estimate, null, 2) : formatEstimate(estimate));
    });
}
