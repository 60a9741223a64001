import * as path from 'path';
import { Command } from 'commander';
import { readAppBill } from '../app/bill';
import { parseSince } from '../app/duration';
import { formatBill } from '../terminal/bill-table';
import { step } from '../terminal/progress';

/** `stagegraph bill`: the per-function bill of the metered app. */
export function billCommand(): Command {
  return new Command('bill')
    .description("print what each metered function used and cost, from the billing meter's metrics")
    .option('--since <duration>', 'the window that ends now: 30m, 1h, 7d', '1h')
    .option('--json', 'print the bill as JSON')
    .option('--aws', 'read the metrics of your AWS account (default credentials and region) instead of the local cloud')
    .option('--out <dir>', 'the cloud assembly of the deployed app, to name functions Stack/Id', 'cdk.out')
    .addHelpText('after', '\nExamples:\n  $ stagegraph bill\n  $ stagegraph bill --since 24h --json')
    .action(async (opts: { since: string; json?: boolean; aws?: boolean; out: string }) => {
      const sinceMillis = parseSince(opts.since);
      const bill = await step('Reading the billing metrics', () =>
        readAppBill({ assemblyDir: path.resolve(opts.out), sinceMillis, aws: opts.aws }),
      );
      console.log(opts.json ? JSON.stringify(bill, null, 2) : formatBill(bill));
    });
}
