import * as path from 'path';
import { Command } from 'commander';
import { flowDiagramsOf, selectFlows, writeFlowPictures } from '../app/flows';
import { structureAssembly } from '../app/synth';
import { terminalProgress } from '../terminal/progress';

/** `stagegraph graph [flow] --out dir`: pictures of the app's flows. */
export function graphCommand(): Command {
  return new Command('graph')
    .description('draw the flows of the app in cdk.json as SVG and Mermaid files (no code is built)')
    .argument('[flow]', 'one flow, by its construct path or its last part (e.g. DocumentFlow); all flows if left out')
    .option('--out <dir>', 'where the pictures go', 'graphs')
    .option('--assembly <dir>', 'read an already synthesized cloud assembly instead of synthesizing the app')
    .addHelpText(
      'after',
      '\nExamples:\n  $ stagegraph graph\n  $ stagegraph graph DocumentFlow --out docs/img\n  $ stagegraph graph --assembly cdk.out',
    )
    .action(async (flow: string | undefined, opts: { out: string; assembly?: string }) => {
      const diagrams = selectFlows(
        flowDiagramsOf(await structureAssembly(opts.assembly, 'graph', { progress: terminalProgress })),
        flow,
      );
      if (diagrams.length === 0) {
        console.log('The app has no FunctionGraph flows.');
        return;
      }
      for (const file of writeFlowPictures(diagrams, path.resolve(opts.out))) {
        console.log(path.relative(process.cwd(), file));
      }
    });
}
