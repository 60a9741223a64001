import * as path from 'path';
import { Command } from 'commander';
import { findDeployedFunction } from '../app/deployed';
import { parseSince } from '../app/duration';
import { tailLogs } from '../local/logs';

/** `stagegraph logs <function> [--follow]`: the function's log group. */
export function logsCommand(): Command {
  return new Command('logs')
    .description('print the logs of a function deployed to the local cloud')
    .argument('<function>', 'the function: its construct id or Stack/Id')
    .option('-f, --follow', 'keep printing new lines until interrupted')
    .option('--since <duration>', 'how far back to start, e.g. 30s, 10m, 1h', '1h')
    .option('--out <dir>', 'the cloud assembly of the deployed app', 'cdk.out')
    .addHelpText(
      'after',
      '\nExamples:\n  $ stagegraph logs HelloNodejs --since 10m\n  $ stagegraph logs HelloStack/HelloGo --follow',
    )
    .action(async (name: string, opts: { follow?: boolean; since: string; out: string }) => {
      // The same duration parser as every --since of the CLI.
      const since = Date.now() - parseSince(opts.since);
      const fn = await findDeployedFunction(path.resolve(opts.out), name);
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort());
      for await (const event of tailLogs(fn.functionName, { since, follow: opts.follow, signal: abort.signal })) {
        process.stdout.write(`${new Date(event.timestamp ?? 0).toISOString()} ${(event.message ?? '').trimEnd()}\n`);
      }
    });
}
