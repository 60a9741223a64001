import * as path from 'path';
import { Command, Option } from 'commander';
import { SFNClient } from '@aws-sdk/client-sfn';
import { executionEnd, FlowRun, latestExecutions, readExecution, startExecution } from '../app/flow-runs';
import { assemblyResources, findResource, physicalIdOf } from '../app/send';
import { localClientConfig } from '../local/endpoint';
import { UsageError } from '../errors';
import { readEvent } from './invoke';

const STATE_MACHINE = 'AWS::StepFunctions::StateMachine';

/** A flow execution as text: status, the path taken, the failed state, output or error. */
export function formatFlowRun(name: string, run: FlowRun, millis?: number): string {
  const lines = [`${name}  ${run.status}${millis !== undefined ? `  in ${(millis / 1000).toFixed(1)} s` : ''}`];
  lines.push(`  path: ${run.steps.map(step => step.name).join(' -> ') || '(no state entered)'}`);
  const stopped = run.status === 'FAILED' ? run.steps.filter(step => step.output === undefined).pop() : undefined;
  if (stopped) lines.push(`  failed in: ${stopped.name} (${stopped.type})`);
  if (run.error !== undefined) lines.push(`  error: ${run.error}${run.cause ? `: ${run.cause}` : ''}`);
  if (run.output !== undefined) lines.push(`  output: ${JSON.stringify(run.output)}`);
  lines.push(`  execution: ${run.executionArn}`);
  return lines.join('\n');
}

async function flowArn(out: string, name: string): Promise<{ id: string; arn: string }> {
  // A FunctionGraph's state machine is its child `StateMachine`: the flow goes by the FunctionGraph's path.
  const flows = assemblyResources(path.resolve(out), [STATE_MACHINE]).map(r => ({
    ...r,
    id: r.id.replace(/\/StateMachine$/, ''),
  }));
  const flow = findResource(flows, name, 'flow');
  return { id: flow.id, arn: await physicalIdOf(flow) };
}

/** `stagegraph flow run|list|show`: run the app's flows on the local cloud and read their executions. */
export function flowCommand(): Command {
  const flow = new Command('flow').description(
    'run the flows of the app deployed to the local cloud, and read their executions',
  );
  const out = () => new Option('--out <dir>', 'the cloud assembly of the deployed app').default('cdk.out');
  flow
    .command('run')
    .description('start a flow with an input, wait for its end, and print its status, the path taken and its output')
    .argument('<flow>', 'the flow, by construct path or id: Checkout, Shop/Checkout')
    .argument('[input]', 'the input: inline JSON, a JSON file, or - for standard input', '{}')
    .option('--timeout <seconds>', 'how long to wait for the end', '300')
    .option('--json', 'print the execution as JSON: status, output or error, and each state with its input and output')
    .addOption(out())
    .addHelpText(
      'after',
      '\nExamples:\n  $ stagegraph flow run Checkout \'{"order":1}\'\n  $ stagegraph flow run Checkout order.json --json',
    )
    .action(async (name: string, input: string, opts: { timeout: string; json?: boolean; out: string }) => {
      const timeoutSeconds = Number(opts.timeout);
      if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
        throw new UsageError(`--timeout must be a number of seconds above 0 (given '${opts.timeout}')`);
      }
      const { id, arn } = await flowArn(opts.out, name);
      const client = new SFNClient(localClientConfig());
      try {
        const started = Date.now();
        const executionArn = await startExecution(client, arn, JSON.parse(readEvent(input)) as unknown);
        const run = await executionEnd(client, executionArn, {
          timeoutMs: Number(opts.timeout) * 1000,
          intervalMs: 100,
        });
        console.log(opts.json ? JSON.stringify(run, null, 2) : formatFlowRun(id, run, Date.now() - started));
        if (run.status !== 'SUCCEEDED') process.exitCode = 1;
      } finally {
        client.destroy();
      }
    });
  flow
    .command('list')
    .description("list a flow's latest executions, newest first")
    .argument('<flow>', 'the flow, by construct path or id')
    .addOption(out())
    .action(async (name: string, opts: { out: string }) => {
      const { id, arn } = await flowArn(opts.out, name);
      const client = new SFNClient(localClientConfig());
      try {
        const executions = await latestExecutions(client, arn);
        if (executions.length === 0)
          console.log(`${id} has no execution yet: start one with \`stagegraph flow run ${name}\``);
        for (const e of executions)
          console.log(`${e.startDate?.toISOString() ?? '?'}  ${e.status.padEnd(9)}  ${e.executionArn}`);
      } finally {
        client.destroy();
      }
    });
  flow
    .command('show')
    .description('print an execution as it stands: status, the path taken so far, the failed state, output or error')
    .argument('<execution>', 'the execution ARN, as `flow run` and `flow list` print it')
    .option('--json', 'print it as JSON')
    .action(async (executionArn: string, opts: { json?: boolean }) => {
      const client = new SFNClient(localClientConfig());
      try {
        const run = await readExecution(client, executionArn);
        const name = executionArn.split(':').slice(-2, -1)[0] ?? executionArn;
        console.log(opts.json ? JSON.stringify(run, null, 2) : formatFlowRun(name, run));
      } finally {
        client.destroy();
      }
    });
  return flow;
}
