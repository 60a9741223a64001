import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { findSendTarget, SendKind, sendToTarget } from '../app/send';
import { UsageError } from '../errors';
import { SAMPLE_EVENTS } from '../triggers/events/samples';

/** The body of `send`: a file, `-` for standard input, or nothing. */
function readBody(file: string | undefined): Buffer {
  if (file === undefined) return Buffer.alloc(0);
  if (file === '-') return fs.readFileSync(0);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw new UsageError(
      `${file} is not a file (looked for ${path.resolve(file)}): give a file, or - for standard input`,
    );
  }
  return fs.readFileSync(file);
}

/** `name=value` pairs of a repeated option. */
function pairs(values: string[] | undefined, option: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values ?? []) {
    const at = value.indexOf('=');
    if (at < 1) throw new UsageError(`${option} '${value}' is not name=value`);
    result[value.slice(0, at)] = value.slice(at + 1);
  }
  return result;
}

/** `stagegraph send <target> [file]`: a real event through a deployed trigger's service. */
export function sendCommand(): Command {
  return new Command('send')
    .description(
      'send a real event to a bucket, topic, queue, stream, Timer or HTTP API of the app deployed to the local cloud: its triggers fire',
    )
    .argument('<target>', 'what to send to, by its construct path or id: Uploads, Shop/Orders, Ticker (its Timer)')
    .argument('[file]', 'the body: a file, or - for standard input (empty when left out)')
    .option('--key <key>', 'OBS: the object key (default: the file name)')
    .option('--attribute <name=value...>', 'SMN: a string message attribute, for filter policies')
    .option('--partition-key <key>', 'DIS: the partition key', 'stagegraph')
    .option('--method <method>', 'HTTP: the method (default GET, POST with a body)')
    .option('--route <path>', 'HTTP: the route with its parameters and query, e.g. /items/7?full=1', '/')
    .option('--unsigned', 'HTTP: send without a SigV4 signature, as a stranger would')
    .option('--out <dir>', 'the cloud assembly of the deployed app', 'cdk.out')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ stagegraph send Uploads photo.jpg --key in/photo.jpg',
        '  $ echo \'{"order":42}\' | stagegraph send Orders - --attribute kind=order',
        '  $ echo \'{"job":"resize"}\' | stagegraph send Jobs -',
        '  $ stagegraph send Ticker',
        '  $ stagegraph send StageHttpApi body.json --method POST --route /items/7',
      ].join('\n'),
    )
    .action(
      async (
        name: string,
        file: string | undefined,
        opts: {
          key?: string;
          attribute?: string[];
          partitionKey: string;
          method?: string;
          route: string;
          unsigned?: boolean;
          out: string;
        },
      ) => {
        const target = findSendTarget(path.resolve(opts.out), name);
        const key = opts.key ?? (file && file !== '-' ? path.basename(file) : undefined);
        const result = await sendToTarget(target, {
          body: readBody(file),
          key,
          attributes: pairs(opts.attribute, '--attribute'),
          partitionKey: opts.partitionKey,
          method: opts.method,
          route: opts.route,
          unsigned: opts.unsigned,
        });
        console.error(`${result.target.id} (${result.target.kind}): ${result.summary}`);
        if (result.detail !== undefined) console.log(result.detail);
        if (target.kind === SendKind.HTTP && /^HTTP [45]/.test(result.summary)) process.exitCode = 1;
      },
    );
}

/** `stagegraph event <kind>`: a realistic sample event of a trigger kind. */
export function eventCommand(): Command {
  const kinds = Object.keys(SAMPLE_EVENTS);
  return new Command('event')
    .description('print a realistic sample event of a trigger kind, as the service delivers it to a function')
    .argument('<kind>', `the trigger kind: ${kinds.join(', ')}`)
    .addHelpText(
      'after',
      '\nExamples:\n  $ stagegraph event obs\n  $ stagegraph event smn > event.json && stagegraph invoke Api --event event.json',
    )
    .action((kind: string) => {
      const sample = SAMPLE_EVENTS[kind.toLowerCase()];
      if (!sample) throw new UsageError(`Unknown trigger kind '${kind}' (allowed: ${kinds.join(', ')})`);
      console.log(JSON.stringify(sample, null, 2));
    });
}
