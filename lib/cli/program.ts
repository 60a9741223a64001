import { Command } from 'commander';
import { ownPackage } from '../project';
import { billCommand } from './bill';
import { costCommand } from './cost';
import { graphCommand } from './graph';
import { invokeCommand } from './invoke';
import { localCommand } from './local';
import { logsCommand } from './logs';
import { startCommand } from './start';
import { synthCommand } from './synth';

/** The `stagegraph` command line: one sub-command per file in this folder. */
export function buildProgram(): Command {
  const program = new Command('stagegraph')
    .description('Serverless functions, triggers, workflows and pay-per-use billing as CDK code, with a Docker-free local cloud')
    .version(ownPackage().version, '-v, --version')
    .showHelpAfterError()
    .addHelpText('after', [
      '', 'Examples:',
      '  $ stagegraph start                  local cloud up, deploy the app, invoke every function once',
      '  $ stagegraph synth                  build and synthesize the app in cdk.json, list its functions',
      '  $ stagegraph graph --out graphs     draw every flow of the app as SVG and Mermaid',
      '  $ stagegraph local up               install and start the embedded LocalStack (no Docker)',
      '  $ stagegraph local deploy           deploy the app to it',
      '  $ stagegraph invoke HelloNodejs     invoke a function, print its result and logs',
      '  $ stagegraph logs HelloNodejs -f    follow its logs',
      '  $ stagegraph bill --since 1h        what each function used and cost in the last hour',
      '  $ stagegraph cost                   monthly cost of the declared traffic, before deploying',
      '  $ stagegraph local down             stop LocalStack',
    ].join('\n'));
  program.addCommand(startCommand());
  program.addCommand(synthCommand());
  program.addCommand(graphCommand());
  program.addCommand(localCommand());
  program.addCommand(invokeCommand());
  program.addCommand(logsCommand());
  program.addCommand(billCommand());
  program.addCommand(costCommand());
  return program;
}

/** Runs the CLI; a failure prints one clear message and sets a non-zero exit code. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    console.error(`stagegraph: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
