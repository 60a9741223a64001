import { Command, Option } from 'commander';
import { estimateAssembly } from '../app/estimate';
import { structureAssembly } from '../app/synth';
import { CostEstimate } from '../billing/cost-estimate';
import { DeployTarget } from '../target';
import { textTable } from '../terminal/text-table';
import { terminalProgress } from '../terminal/progress';

const usd = (value: number) => `$${value.toFixed(value < 1 ? 4 : 2)}`;

/** The estimate as text. */
export function formatEstimate(estimate: CostEstimate): string {
  if (estimate.functions.length === 0 && estimate.flows.length === 0) {
    return 'No traffic declared: give functions `traffic: { invocationsPerMonth, averageDuration }` and flows `traffic: { executionsPerMonth }`.';
  }
  const lines = ['Monthly estimate of the declared traffic (30 days)', ''];
  lines.push(
    textTable(
      ['function', 'model', 'memory', 'invocations', 'avg ms', 'GB-s', 'pay-per-use', 'always-on'],
      estimate.functions.map(f => [
        f.path,
        f.model,
        `${f.memoryMb} MB`,
        f.invocationsPerMonth.toLocaleString('en-US'),
        String(f.averageDurationMillis),
        f.gbSecondsPerMonth.toFixed(0),
        usd(f.usdBeforeFreeTier),
        usd(f.alwaysOnUsd),
      ]),
    ),
  );
  if (estimate.flows.length > 0) {
    lines.push(
      '',
      textTable(
        ['flow', 'type', 'executions', 'transitions each', 'cost'],
        estimate.flows.map(f => [
          f.path,
          f.type,
          f.executionsPerMonth.toLocaleString('en-US'),
          String(f.transitionsPerExecution),
          f.unpriced ? 'functions only' : usd(f.usd),
        ]),
      ),
    );
  }
  const unpriced = estimate.flows.find(f => f.unpriced)?.unpriced;
  if (unpriced) lines.push('', `Flows: ${unpriced}.`);
  lines.push(
    '',
    `Functions ${usd(estimate.functionsUsd)} after ${usd(estimate.freeTierUsd)} of free tier, flows ${usd(estimate.flowsUsd)}: ${usd(estimate.monthlyUsd)} a month.`,
    `The same functions as always-on servers: ${usd(estimate.alwaysOnUsd)} a month (pay-per-use costs nothing when idle).`,
  );
  return lines.join('\n');
}

/** `stagegraph cost`: the monthly cost of the app's declared traffic, before deploying. */
export function costCommand(): Command {
  return new Command('cost')
    .description(
      'estimate the monthly cost of the app in cdk.json from the traffic its functions and flows declare (no code is built)',
    )
    .option('--json', 'print the estimate as JSON')
    .option('--assembly <dir>', 'read an already synthesized cloud assembly instead of synthesizing the app')
    .addOption(
      new Option('--target <target>', 'price the app for this target: aws, or huawei (FunctionGraph pay-per-use)')
        .choices(Object.values(DeployTarget))
        .default(DeployTarget.AWS),
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ stagegraph cost\n  $ stagegraph cost --target huawei\n  $ stagegraph cost --json',
    )
    .action(async (opts: { json?: boolean; assembly?: string; target: DeployTarget }) => {
      const assembly = await structureAssembly(opts.assembly, 'cost', { progress: terminalProgress });
      const estimate = estimateAssembly(assembly, opts.target);
      console.log(opts.json ? JSON.stringify(estimate, null, 2) : formatEstimate(estimate));
    });
}
