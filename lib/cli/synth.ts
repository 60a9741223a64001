import * as path from 'path';
import { Command } from 'commander';
import { synthesizeApp } from '../app/synth';
import { step } from '../terminal/progress';
import { formatSummary } from './assembly-summary';

/** `stagegraph synth`: synthesize the app and print what it holds. */
export function synthCommand(): Command {
  return new Command('synth')
    .description('synthesize the app in cdk.json (building function code without Docker) and print its functions')
    .option('--json', 'print the summary as JSON')
    .option('--out <dir>', 'the cloud assembly folder', 'cdk.out')
    .addHelpText('after', '\nExamples:\n  $ stagegraph synth\n  $ stagegraph synth --json > summary.json')
    .action(async (opts: { json?: boolean; out: string }) => {
      const summary = await step('Synthesizing the app', () =>
        synthesizeApp({ projectDir: process.cwd(), outdir: opts.out }),
      );
      console.log(
        opts.json
          ? JSON.stringify(summary, null, 2)
          : `\n${formatSummary(summary)}\n\nCloud assembly: ${path.relative(process.cwd(), summary.assemblyDir) || '.'}`,
      );
    });
}
