import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { findDeployedFunction } from '../local/functions';
import { invokeLocal } from '../local/invoke';

/** `stagegraph invoke <function>`: invoke a deployed function and print its result and logs. */
export function invokeCommand(): Command {
  return new Command('invoke')
    .description('invoke a function deployed to the local cloud and print its result and logs')
    .argument('<function>', 'the function: its construct id (Thumbnail), Stack/Id, as in `stagegraph synth`')
    .option('-e, --event <file>', 'the event: a JSON file, or - for standard input', undefined)
    .option('--out <dir>', 'the cloud assembly of the deployed app', 'cdk.out')
    .addHelpText('after', '\nExamples:\n  $ stagegraph invoke HelloNodejs\n  $ echo \'{"name":"you"}\' | stagegraph invoke HelloStack/HelloGo --event -')
    .action(async (name: string, opts: { event?: string; out: string }) => {
      const event = opts.event === undefined ? '{}' : opts.event === '-' ? fs.readFileSync(0, 'utf-8') : fs.readFileSync(opts.event, 'utf-8');
      try {
        JSON.parse(event);
      } catch (error) {
        throw new Error(`The event is not JSON (${(error as Error).message})`);
      }
      const fn = await findDeployedFunction(path.resolve(opts.out), name);
      const result = await invokeLocal(fn.functionName, event);
      console.error(result.logs.trimEnd());
      console.log(result.payload);
      if (result.functionError) {
        console.error(`${fn.id} failed (${result.functionError})`);
        process.exitCode = 1;
      }
    });
}
