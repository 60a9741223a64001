import { Command } from 'commander';
import { LocalCloudError, StagegraphError, StagegraphErrorKind } from '../errors';
import { isUnreachable, localEndpoint } from '../local/endpoint';
import { ownPackage } from '../project';
import { billCommand } from './bill';
import { costCommand } from './cost';
import { devCommand } from './dev';
import { graphCommand } from './graph';
import { invokeCommand } from './invoke';
import { eventCommand, sendCommand } from './send';
import { flowCommand } from './flow';
import { localCommand } from './local';
import { logsCommand } from './logs';
import { startCommand } from './start';
import { synthCommand } from './synth';

/** The `stagegraph` command line: one sub-command per file in this folder. */
export function buildProgram(): Command {
  const program = new Command('stagegraph')
    .description(
      'Serverless functions, triggers, workflows and pay-per-use billing as CDK code, with a Docker-free local cloud',
    )
    .version(ownPackage().version, '-v, --version')
    .showHelpAfterError()
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ stagegraph start                  local cloud up, deploy the app, invoke every function once',
        '  $ stagegraph synth                  build and synthesize the app in cdk.json, list its functions',
        '  $ stagegraph graph --out graphs     draw every flow of the app as SVG and Mermaid',
        '  $ stagegraph dev                    deploy locally, swap code on save, one live log',
        '  $ stagegraph local up               install and start the embedded LocalStack (no Docker)',
        '  $ stagegraph local deploy           deploy the app to it',
        '  $ stagegraph invoke HelloNodejs     invoke a function, print its result and logs',
        '  $ stagegraph logs HelloNodejs -f    follow its logs',
        '  $ stagegraph bill --since 1h        what each function used and cost in the last hour',
        '  $ stagegraph cost                   monthly cost of the declared traffic, before deploying',
        '  $ stagegraph local down             stop LocalStack',
      ].join('\n'),
    );
  program.addCommand(startCommand());
  program.addCommand(synthCommand());
  program.addCommand(graphCommand());
  program.addCommand(devCommand());
  program.addCommand(localCommand());
  program.addCommand(invokeCommand());
  program.addCommand(sendCommand());
  program.addCommand(eventCommand());
  program.addCommand(flowCommand());
  program.addCommand(logsCommand());
  program.addCommand(billCommand());
  program.addCommand(costCommand());
  return program;
}

/**
 * The CLI's exit codes: 0 done; 1 failed (bad input, a failed build, deploy or invocation); 2 a wrong
 * command line; 3 the local cloud is not running or cannot be reached; 4 the app or function is not
 * deployed to it.
 */
export const EXIT_CODES = { failed: 1, usage: 2, localCloudDown: 3, notDeployed: 4 } as const;

/** Runs the CLI; a failure prints one clear message and sets a non-zero exit code (see {@link EXIT_CODES}). */
export async function main(argv: readonly string[]): Promise<void> {
  // `--debug <function>` is `stagegraph dev`'s debugger; the stack of an error is `--stack-trace`.
  const debug = argv.includes('--stack-trace') || Boolean(process.env.STAGEGRAPH_DEBUG);
  try {
    const program = buildProgram().option('--stack-trace', 'print the stack of an unexpected error');
    const overrideExit = (command: Command): void => {
      command.exitOverride(error => {
        throw Object.assign(error, { usage: true });
      });
      command.commands.forEach(overrideExit);
    };
    overrideExit(program);
    await program.parseAsync([...argv]);
  } catch (error) {
    const { message, exitCode } = describeError(error);
    if (message) {
      console.error(`stagegraph: ${message}`);
    }
    // Ours print their message alone unless --stack-trace; anything else has its stack in the message already.
    if (debug && error instanceof StagegraphError && error.stack) {
      console.error(error.stack);
    }
    process.exitCode = exitCode;
  }
}

/** What the CLI says about an error, and the exit code. */
export function describeError(error: unknown): { readonly message: string; readonly exitCode: number } {
  const usage = error as { usage?: boolean; exitCode?: number; code?: string; message?: string };
  if (usage.usage) {
    // commander printed its own message (or the help, or the version, with exit code 0)
    return { message: '', exitCode: usage.exitCode === 0 ? 0 : EXIT_CODES.usage };
  }
  if (isUnreachable(error)) {
    return {
      message:
        `the local cloud is not running at ${localEndpoint()} (no answer): start it with \`npx stagegraph local up\`, ` +
        'or point LOCALSTACK_ENDPOINT at a LocalStack that runs',
      exitCode: EXIT_CODES.localCloudDown,
    };
  }
  if (error instanceof StagegraphError) {
    // Ours: the message says what happened and what to do.
    const exitCode =
      error instanceof LocalCloudError
        ? error.exitCode
        : error.kind === StagegraphErrorKind.USAGE
          ? EXIT_CODES.usage
          : EXIT_CODES.failed;
    return { message: error.message, exitCode };
  }
  const aws = awsProblem(error);
  if (aws) return { message: aws, exitCode: EXIT_CODES.failed };
  // Anything else is a defect: its stack goes with it.
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { message: `an unexpected error (please report it): ${text}`, exitCode: EXIT_CODES.failed };
}

/**
 * What an error of the AWS SDK says, when it is one: a service's refusal of the request (a client fault, with its
 * status), or a client without credentials or region. Not a defect of stagegraph: the message alone, no stack.
 */
export function awsProblem(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const sdk = error as Error & { $metadata?: { httpStatusCode?: number }; $fault?: string };
  if (sdk.name === 'CredentialsProviderError') {
    return `no AWS credentials found (${error.message}): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`;
  }
  if (error.message === 'Region is missing') {
    return 'no AWS region set: set AWS_REGION (or a region in your AWS profile)';
  }
  // A service's refusal of the request; a fault of the service itself (a 500 of the local cloud, say) stays unexpected.
  if (sdk.$metadata && sdk.$fault === 'client') {
    const status = sdk.$metadata.httpStatusCode ? ` (HTTP ${sdk.$metadata.httpStatusCode})` : '';
    return `the AWS API answered ${sdk.name}${status}: ${error.message}`;
  }
  return undefined;
}
