import * as path from 'path';
import { Command } from 'commander';
import { LocalStackDeployment } from '../app/deploy';
import { deployApp, ensureLocalCloud } from '../app/local-run';
import { bootstrapLocal } from '../local/deploy';
import { LOCAL_ACCOUNT, LOCAL_REGION, localAwsEnvironment, localEndpoint, localHttpUrls } from '../local/endpoint';
import { installLocalStack } from '../local/install';
import { localStatus, stopLocalStack } from '../local/localstack-process';
import { localPaths } from '../local/paths';
import { describeRestore, discardState, lastRestore, notKept, stateBytes, stateDir } from '../local/state';
import { step, terminalProgress } from '../terminal/progress';
import { formatBytes } from './assembly-summary';

/**
 * Prints each deployed stack: whether it changed, its outputs and local URLs, and the functions that cannot run
 * locally.
 */
export function printDeployment(stacks: readonly LocalStackDeployment[]): void {
  for (const stack of stacks) {
    console.log(`${stack.stackName}: ${stack.changed ? 'deployed' : 'no changes'}, ${stack.resourceCount} resources`);
    const localUrls = localHttpUrls(stack.outputs);
    for (const [key, value] of Object.entries(stack.outputs)) {
      // The HTTP API's own Endpoint output names a host of its own (<id>.execute-api.<region>.<host>), which no
      // resolver knows locally.
      const hostStyle =
        Object.keys(localUrls).length > 0 &&
        key.startsWith('StageHttpApiEndpoint') &&
        /^https?:\/\/[^/]+\.execute-api\./.test(value);
      console.log(`  ${key} = ${value}${hostStyle ? ' (not reachable locally: use the local URL below)' : ''}`);
    }
    for (const [name, url] of Object.entries(localUrls)) {
      console.log(`  ${name} (local URL, works offline) = ${url}`);
    }
    for (const problem of stack.runtimeProblems) {
      console.error(`  warning: ${problem.function} will not run locally: ${problem.message}`);
    }
  }
}

/** `export NAME='value'` lines for a POSIX shell. */
export function shellExports(variables: Readonly<Record<string, string>>): string {
  return Object.entries(variables)
    .map(([name, value]) => `export ${name}='${value.replace(/'/g, "'\\''")}'`)
    .join('\n');
}

/** `stagegraph local ...`: the embedded LocalStack. */
export function localCommand(): Command {
  const local = new Command('local').description('the embedded LocalStack: install, up, status, down, deploy');
  local
    .command('install')
    .description(
      'install the pinned LocalStack core and the stagegraph executor into the user cache, shared by all apps (idempotent)',
    )
    .option('--force', 'reinstall even if up to date')
    .addHelpText(
      'after',
      '\nThe install lives in ~/.cache/stagegraph/localstack-<version> (STAGEGRAPH_CACHE_DIR or XDG_CACHE_HOME move it);\neach app keeps its own LocalStack state and log in .stagegraph/localstack.',
    )
    .action(async (opts: { force?: boolean }) => {
      const result = await step('Installing the embedded LocalStack', async () =>
        installLocalStack({
          projectDir: process.cwd(),
          force: opts.force,
          onStep: text => terminalProgress.detail(text),
        }),
      );
      console.log(
        result.installed
          ? `Installed in ${result.venv}, shared by all your apps`
          : `Already installed and up to date in ${result.venv}`,
      );
      console.log(`Python runtimes that can run locally: ${result.pythonRuntimes.map(v => `python${v}`).join(', ')}`);
    });
  local
    .command('up')
    .description('install if needed, start LocalStack on 127.0.0.1:4566 and wait until it is healthy')
    .action(async () => {
      await ensureLocalCloud(process.cwd(), terminalProgress);
      const { summary, failures } = describeRestore(lastRestore(process.cwd()), formatBytes);
      if (summary) console.log(summary);
      for (const failure of failures) console.error(`stagegraph: ${failure}`);
      await step('Bootstrapping the local account for CDK deploys', () => bootstrapLocal());
      console.log(
        `LocalStack is up at ${localEndpoint()}. Logs: ${path.relative(process.cwd(), localPaths(process.cwd()).log)}.`,
      );
      console.log(
        'Deploy with `npx stagegraph local deploy`, or with the CDK CLI: eval "$(npx stagegraph local env)" && npx cdk deploy --all',
      );
      console.log('Stop it with: npx stagegraph local down');
    });
  local
    .command('env')
    .description('print the environment that points the AWS SDK and the CDK CLI at the local cloud, for eval')
    .addHelpText(
      'after',
      '\nExamples:\n  $ eval "$(npx stagegraph local env)"\n  $ npx cdk deploy --all\n  $ aws s3 ls   # the AWS CLI reads the same variables',
    )
    .action(() => {
      console.log(
        shellExports({
          ...localAwsEnvironment(),
          CDK_DEFAULT_ACCOUNT: LOCAL_ACCOUNT,
          CDK_DEFAULT_REGION: LOCAL_REGION,
        }),
      );
    });
  local
    .command('status')
    .description('show whether LocalStack runs, where, and which pid')
    .action(async () => {
      const status = await localStatus(process.cwd());
      if (!status.health) {
        console.log(`LocalStack is not running at ${status.endpoint}`);
        process.exitCode = 3;
        return;
      }
      const owner = status.external
        ? 'your own (LOCALSTACK_ENDPOINT)'
        : status.pid
          ? `started by stagegraph, pid ${status.pid}`
          : 'not started by stagegraph';
      console.log(`LocalStack ${status.health.version ?? ''} is running at ${status.endpoint}, ${owner}`);
    });
  local
    .command('down')
    .description('stop the LocalStack that `local up` started, by its pid; its state is kept for the next `local up`')
    .option('--discard', 'remove the saved state too: the next `local up` starts empty')
    .addHelpText(
      'after',
      '\nWhat a restart does not keep is listed when it stops (and in .stagegraph/localstack/filesystem/state/UNSUPPORTED.json).',
    )
    .action(async (opts: { discard?: boolean }) => {
      const projectDir = process.cwd();
      const result = await stopLocalStack(projectDir);
      console.log(
        result.stopped ? `Stopped LocalStack (pid ${result.pid})` : 'No LocalStack started by stagegraph is running',
      );
      if (opts.discard) {
        discardState(projectDir);
        console.log('Discarded the saved state: the next `local up` starts empty');
        return;
      }
      const bytes = stateBytes(projectDir);
      if (bytes > 0) {
        console.log(
          `State kept in ${path.relative(projectDir, stateDir(projectDir))} (${formatBytes(bytes)}): \`local up\` restores it. Not kept across a restart:`,
        );
        for (const item of notKept(projectDir).filter(i => i.service !== '*')) {
          console.log(`  ${item.service}: ${item.what}`);
        }
        console.log('Remove it with `stagegraph local down --discard`.');
      }
    });
  local
    .command('deploy')
    .description('bootstrap and deploy the CDK app of cdk.json to the local cloud')
    .option('--verbose', 'print every CloudFormation event')
    .addHelpText(
      'after',
      '\nExamples:\n  $ stagegraph local deploy\n  $ stagegraph invoke HelloNodejs --event event.json',
    )
    .action(async (opts: { verbose?: boolean }) => {
      printDeployment(await deployApp(process.cwd(), { verbose: opts.verbose, progress: terminalProgress }));
    });
  return local;
}
