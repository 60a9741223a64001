import { Command } from 'commander';
import { ownPackage } from './project';
import { synthCommand } from './synth';

/** The `stagegraph` command line: one sub-command per file in this folder. */
export function buildProgram(): Command {
  const program = new Command('stagegraph')
    .description('Serverless functions, triggers, workflows and pay-per-use billing as CDK code, with a Docker-free local cloud')
    .version(ownPackage().version, '-v, --version')
    .showHelpAfterError()
    .addHelpText('after', '\nExamples:\n  $ stagegraph synth          build and synthesize the app in cdk.json, list its functions\n  $ stagegraph --version');
  program.addCommand(synthCommand());
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
