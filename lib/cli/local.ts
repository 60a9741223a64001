import * as path from 'path';
import { Command } from 'commander';
import { deployLocal } from '../local/deploy';
import { localEndpoint } from '../local/endpoint';
import { installLocalStack } from '../local/install';
import { localStatus, startLocalStack, stopLocalStack } from '../local/localstack-process';
import { localPaths } from '../local/paths';
import { step } from './progress';

/** Installs (when needed) and starts the embedded LocalStack, with progress: the shared start of several commands. */
export async function ensureLocalCloud(projectDir: string): Promise<void> {
  if (!process.env.LOCALSTACK_ENDPOINT) {
    await step('Checking the embedded LocalStack installation', async () => {
      installLocalStack({ projectDir, onStep: text => process.stderr.write(`  ${text}\n`) });
    });
  }
  const status = await step(`Starting LocalStack on ${localEndpoint()}`, () => startLocalStack({ projectDir }));
  if (!status.started) {
    console.error(`  using the LocalStack already running at ${status.endpoint}${status.pid ? ` (pid ${status.pid})` : ''}`);
  }
}

/** `stagegraph local ...`: the embedded LocalStack. */
export function localCommand(): Command {
  const local = new Command('local').description('the embedded LocalStack: install, up, status, down, deploy');
  local.command('install')
    .description('create .stagegraph/localstack with the pinned LocalStack core and the stagegraph executor (idempotent)')
    .option('--force', 'reinstall even if up to date')
    .action(async (opts: { force?: boolean }) => {
      const result = await step('Installing the embedded LocalStack', async () =>
        installLocalStack({ projectDir: process.cwd(), force: opts.force, onStep: text => process.stderr.write(`  ${text}\n`) }));
      console.log(result.installed ? `Installed in ${path.relative(process.cwd(), result.venv)}` : 'Already installed and up to date');
      console.log(`Python runtimes that can run locally: ${result.pythonRuntimes.map(v => `python${v}`).join(', ')}`);
    });
  local.command('up')
    .description('install if needed, start LocalStack on 127.0.0.1:4566 and wait until it is healthy')
    .action(async () => {
      await ensureLocalCloud(process.cwd());
      console.log(`LocalStack is up. Logs: ${path.relative(process.cwd(), localPaths(process.cwd()).log)}. Stop it with: npx stagegraph local down`);
    });
  local.command('status')
    .description('show whether LocalStack runs, where, and which pid')
    .action(async () => {
      const status = await localStatus(process.cwd());
      if (!status.health) {
        console.log(`LocalStack is not running at ${status.endpoint}`);
        process.exitCode = 3;
        return;
      }
      const owner = status.external ? 'your own (LOCALSTACK_ENDPOINT)' : status.pid ? `started by stagegraph, pid ${status.pid}` : 'not started by stagegraph';
      console.log(`LocalStack ${status.health.version ?? ''} is running at ${status.endpoint}, ${owner}`);
    });
  local.command('down')
    .description('stop the LocalStack that `local up` started, by its pid')
    .action(async () => {
      const result = await stopLocalStack(process.cwd());
      console.log(result.stopped ? `Stopped LocalStack (pid ${result.pid})` : 'No LocalStack started by stagegraph is running');
    });
  local.command('deploy')
    .description('bootstrap and deploy the CDK app of cdk.json to the local cloud')
    .addHelpText('after', '\nExamples:\n  $ stagegraph local deploy\n  $ stagegraph invoke HelloNodejs --event event.json')
    .action(async () => {
      await ensureLocalCloud(process.cwd());
      const stacks = await step('Deploying the app to the local cloud', () =>
        deployLocal({ projectDir: process.cwd(), onProgress: line => process.stderr.write(`  ${line.split('\n')[0]}\n`) }));
      for (const stack of stacks) {
        console.log(`${stack.stackName}: deployed`);
        for (const [key, value] of Object.entries(stack.outputs)) {
          console.log(`  ${key} = ${value}`);
        }
      }
    });
  return local;
}
