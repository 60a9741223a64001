import { Command, Option } from 'commander';
import { estimateAssembly } from '../app/estimate';
import { Progress } from '../app/progress';
import { structureAssembly } from '../app/synth';
import { CostEstimate } from '../billing/cost-estimate';
import { DeployTarget, targetContext } from '../target';
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

/** Options of {@link estimateApp}. */
export interface EstimateAppOptions {
  /** The target whose prices apply; the app is synthesized for it, as `synth --target` does. */
  readonly target: DeployTarget;
  /** A cloud assembly to read instead of synthesizing the app. @default - the app of cdk.json, synthesized */
  readonly assembly?: string;
  /** The folder of cdk.json. @default the current folder */
  readonly projectDir?: string;
  /** Shows the synthesis. @default - nothing shown */
  readonly progress?: Progress;
}

/**
 * The monthly cost of an app's declared traffic on `target`: the app synthesized with the target's context (so an app
 * that picks memory or runtimes by `deployTargetOf` is priced as it would be deployed there), without building.
 */
export async function estimateApp(options: EstimateAppOptions): Promise<CostEstimate> {
  const assembly = await structureAssembly(options.assembly, 'cost', {
    projectDir: options.projectDir,
    progress: options.progress,
    context: targetContext(options.target),
  });
  return estimateAssembly(assembly, options.target);
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
      const estimate = await estimateApp({ target: opts.target, assembly: opts.assembly, progress: terminalProgress });
      console.log(opts.json ? JSON.stringify(estimate, null, 2) : formatEstimate(estimate));
    });
}
