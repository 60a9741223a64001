import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { invokeDeployed } from '../app/deployed';
import { UsageError } from '../errors';

/** `stagegraph invoke <function>`: invoke a deployed function and print its result and logs. */
export function invokeCommand(): Command {
  return new Command('invoke')
    .description('invoke a function deployed to the local cloud and print its result and logs')
    .argument('<function>', 'the function: its construct id (Thumbnail), Stack/Id, as in `stagegraph synth`')
    .option('-e, --event <json|file>', 'the event: inline JSON, a JSON file, or - for standard input', undefined)
    .option('--out <dir>', 'the cloud assembly of the deployed app', 'cdk.out')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ stagegraph invoke HelloNodejs',
        '  $ stagegraph invoke HelloNodejs --event \'{"name":"you"}\'',
        '  $ stagegraph invoke HelloNodejs --event event.json',
        '  $ echo \'{"name":"you"}\' | stagegraph invoke HelloStack/HelloGo --event -',
      ].join('\n'),
    )
    .action(async (name: string, opts: { event?: string; out: string }) => {
      const event = readEvent(opts.event);
      const { id, result } = await invokeDeployed(path.resolve(opts.out), name, event);
      console.error(result.logs.trimEnd());
      console.log(result.payload);
      if (result.functionError) {
        console.error(`${id} failed (${result.functionError})`);
        process.exitCode = 1;
      }
    });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The event of `--event`: inline JSON (starting with `{`, `[` or `"`), `-` for standard input, a file, or another
 * JSON value (a number, true, false, null) when no file has that name.
 */
export function readEvent(given: string | undefined): string {
  let event: string;
  if (given === undefined) {
    event = '{}';
  } else if (given === '-') {
    event = fs.readFileSync(0, 'utf-8');
  } else if (/^\s*[[{"]/.test(given)) {
    event = given;
  } else if (fs.existsSync(given) && fs.statSync(given).isFile()) {
    event = fs.readFileSync(given, 'utf-8');
  } else if (isJson(given)) {
    // A number, true, false or null (a file of that name, looked for first, wins).
    event = given;
  } else {
    throw new UsageError(
      `--event '${given}' is neither JSON nor a file (looked for ${path.resolve(given)}): give inline JSON such as '{"name":"you"}', a JSON file, or - for standard input`,
    );
  }
  try {
    JSON.parse(event);
  } catch (error) {
    throw new UsageError(
      `The event${given && given !== '-' && !/^\s*[[{"]/.test(given) ? ` in ${given}` : ''} is not JSON (${(error as Error).message})`,
    );
  }
  return event;
}
