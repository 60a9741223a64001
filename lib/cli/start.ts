import * as path from 'path';
import { Command } from 'commander';
import { parseReportLine } from '../billing/report-line';
import { deployApp, invokeEach, ownFunctionsOf } from '../app/local-run';
import { localEndpoint } from '../local/endpoint';
import { terminalProgress } from '../terminal/progress';
import { formatSummary } from './assembly-summary';
import { printDeployment } from './local';

/** The figures of a REPORT line, as printed after each invocation. */
function reportFigures(logs: string): string {
  const report = logs
    .split('\n')
    .map(line => parseReportLine(line))
    .find(line => line !== undefined);
  if (!report) return 'duration ?, billed ?, max memory ?';
  return [
    `duration ${report.durationMillis.toFixed(2)} ms`,
    `billed ${report.billedDurationMillis} ms`,
    `max memory ${report.maxMemoryUsedMb} MB`,
    ...(report.initDurationMillis !== undefined ? [`cold start ${report.initDurationMillis.toFixed(2)} ms`] : []),
  ].join(', ');
}

/**
 * `stagegraph start`: install and start the local cloud, deploy the app of cdk.json, invoke each of the
 * app's own functions once and show what happened. stagegraph's own functions (the billing meter, a
 * flow's starter and resumer) are left to their events: no flow is started unasked. LocalStack keeps running.
 */
export function startCommand(): Command {
  return new Command('start')
    .description(
      'install and start the local cloud, deploy the app, invoke each of its functions once and show the results',
    )
    .option('--event <json>', 'the event each function gets', '{"name":"stagegraph"}')
    .option('--verbose', 'print every CloudFormation event of the deploy')
    .addHelpText('after', '\nExamples:\n  $ stagegraph start\n  $ stagegraph start --event \'{"name":"you"}\'')
    .action(async (opts: { event: string; verbose?: boolean }) => {
      const projectDir = process.cwd();
      const outdir = path.join(projectDir, 'cdk.out');
      printDeployment(await deployApp(projectDir, { outdir, verbose: opts.verbose, progress: terminalProgress }));
      const own = ownFunctionsOf(outdir);
      console.log(`\n${formatSummary(own)}\n`);
      for await (const { id, result } of invokeEach(
        outdir,
        own.functions.map(fn => fn.id),
        opts.event,
      )) {
        const status = result.functionError ? `FAILED (${result.functionError})` : 'ok';
        console.log(`${id}: ${status} ${result.payload}`);
        console.log(`  ${reportFigures(result.logs)}`);
      }
      const example = own.functions[0]?.id.split('/').slice(1).join('/');
      console.log(
        `\nLocalStack keeps running at ${localEndpoint()}` +
          (example
            ? `: try \`npx stagegraph invoke ${example}\`, \`npx stagegraph logs ${example}\`, \`npx stagegraph bill\`.`
            : '.'),
      );
      console.log('Stop it with: npx stagegraph local down');
    });
}
