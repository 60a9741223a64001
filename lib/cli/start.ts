import * as path from 'path';
import { Command } from 'commander';
import { parseReportLine } from '../billing/report-line';
import { deployLocal } from '../local/deploy';
import { localEndpoint } from '../local/endpoint';
import { findDeployedFunction } from '../local/functions';
import { invokeLocal } from '../local/invoke';
import { formatSummary, summarizeAssembly } from './assembly-summary';
import { ensureLocalCloud } from './local';
import { step } from './progress';

/** The figures of a REPORT line, as printed after each invocation. */
function reportFigures(logs: string): string {
  const report = logs.split('\n').map(line => parseReportLine(line)).find(line => line !== undefined);
  if (!report) return 'duration ?, billed ?, max memory ?';
  return [
    `duration ${report.durationMillis.toFixed(2)} ms`,
    `billed ${report.billedDurationMillis} ms`,
    `max memory ${report.maxMemoryUsedMb} MB`,
    ...(report.initDurationMillis !== undefined ? [`cold start ${report.initDurationMillis.toFixed(2)} ms`] : []),
  ].join(', ');
}

/**
 * `stagegraph start`: install and start the local cloud, deploy the app of
 * cdk.json, invoke each of its functions once and show what happened. LocalStack keeps running.
 */
export function startCommand(): Command {
  return new Command('start')
    .description('install and start the local cloud, deploy the app, invoke every function once and show the results')
    .option('--event <json>', 'the event each function gets', '{"name":"stagegraph"}')
    .addHelpText('after', '\nExamples:\n  $ stagegraph start\n  $ stagegraph start --event \'{"name":"you"}\'')
    .action(async (opts: { event: string }) => {
      const projectDir = process.cwd();
      const outdir = path.join(projectDir, 'cdk.out');
      await ensureLocalCloud(projectDir);
      await step('Building and deploying the app to the local cloud', () =>
        deployLocal({ projectDir, outdir, onProgress: line => process.stderr.write(`  ${line.split('\n')[0]}\n`) }));
      const summary = summarizeAssembly(outdir);
      console.log(`\n${formatSummary(summary)}\n`);
      for (const fn of summary.functions) {
        const deployed = await findDeployedFunction(outdir, fn.id);
        const result = await invokeLocal(deployed.functionName, opts.event);
        const status = result.functionError ? `FAILED (${result.functionError})` : 'ok';
        console.log(`${fn.id}: ${status} ${result.payload}`);
        console.log(`  ${reportFigures(result.logs)}`);
      }
      console.log(`\nLocalStack keeps running at ${localEndpoint()}: try \`npx stagegraph invoke HelloGo\`, \`npx stagegraph logs HelloGo\`.`);
      console.log('Stop it with: npx stagegraph local down');
    });
}
