import * as fs from 'fs';
import * as path from 'path';
import { Command, Option } from 'commander';
import { sfnSdk } from '../aws-sdk';
import {
  executionEnd,
  isExpressFlow,
  runExpressFlow,
  FlowRun,
  latestExecutions,
  readExecution,
  startExecution,
  stateMachineNameOf,
} from '../app/flow-runs';
import { flowDiagramsOf, flowRunPictureFile, writeFlowRunPicture } from '../app/flows';
import { assemblyResources, findResource, physicalIdOf } from '../app/send';
import { localClientConfig } from '../local/endpoint';
import { UsageError } from '../errors';
import { FlowDiagram } from '../workflow/pictures/diagram';
import { failedStepOf, pathOf } from '../workflow/pictures/execution-path';
import { toPathText } from '../workflow/pictures/path-text';
import { readEvent } from './invoke';

const STATE_MACHINE = 'AWS::StepFunctions::StateMachine';
/** The text picture's lines are indented by this much under `picture:`, and stay within 80 columns. */
const PICTURE_INDENT = '    ';

/** What {@link formatFlowRun} adds to an execution's lines. */
export interface FlowRunTextOptions {
  /** How long the run took, printed after the status. */
  readonly millis?: number;
  /** The flow's diagram: with it, a text picture of the path taken follows the execution's lines. */
  readonly diagram?: FlowDiagram;
}

/**
 * A flow execution as text: status, the path taken, the failed state, output or error, and (given the flow's
 * diagram) a picture of the flow with a marker per state, 80 columns at most.
 */
export function formatFlowRun(name: string, run: FlowRun, options: FlowRunTextOptions = {}): string {
  const { millis, diagram } = options;
  const lines = [`${name}  ${run.status}${millis !== undefined ? `  in ${(millis / 1000).toFixed(1)} s` : ''}`];
  lines.push(`  path: ${run.steps.map(step => step.name).join(' -> ') || '(no state entered)'}`);
  const stopped = failedStepOf(run);
  if (stopped) lines.push(`  failed in: ${stopped.name} (${stopped.type})`);
  if (run.error !== undefined) lines.push(`  error: ${run.error}${run.cause ? `: ${run.cause}` : ''}`);
  if (run.output !== undefined) lines.push(`  output: ${JSON.stringify(run.output)}`);
  lines.push(`  execution: ${run.executionArn}`);
  if (diagram) {
    const picture = toPathText(diagram, pathOf(diagram, run), { width: 80 - PICTURE_INDENT.length });
    lines.push('  picture:', ...picture.split('\n').map(line => `${PICTURE_INDENT}${line}`));
  }
  return lines.join('\n');
}

/** The app's flows: a FunctionGraph's state machine is its child `StateMachine`, the flow goes by its path. */
function assemblyFlows(out: string) {
  return assemblyResources(path.resolve(out), [STATE_MACHINE]).map(r => ({
    ...r,
    id: r.id.replace(/\/StateMachine$/, ''),
  }));
}

async function flowArn(out: string, name: string): Promise<{ id: string; arn: string }> {
  const flow = findResource(assemblyFlows(out), name, 'flow');
  return { id: flow.id, arn: await physicalIdOf(flow) };
}

/** The diagram of the flow at `id` as the cloud assembly records it; undefined when it records none. */
function diagramOf(out: string, id: string): FlowDiagram | undefined {
  return flowDiagramsOf(path.resolve(out)).find(diagram => diagram.title === id);
}

/**
 * The flow of the app an execution belongs to, found by its state machine's name among the app's deployed flows;
 * undefined when the assembly is missing or no flow of it runs that state machine.
 */
async function flowOfExecution(out: string, executionArn: string): Promise<string | undefined> {
  if (!fs.existsSync(path.join(path.resolve(out), 'manifest.json'))) return undefined;
  const machine = stateMachineNameOf(executionArn);
  for (const flow of assemblyFlows(out)) {
    const arn = await physicalIdOf(flow).catch(() => undefined);
    if (arn !== undefined && stateMachineNameOf(arn) === machine) return flow.id;
  }
  return undefined;
}

/**
 * Writes the execution's picture where `--svg` says (its file, or the default when given none) and says where, on
 * standard error under `--json` so that standard output stays JSON.
 */
function writeSvg(svg: string | true, diagram: FlowDiagram, run: FlowRun, json: boolean | undefined): void {
  const file = path.resolve(svg === true ? flowRunPictureFile(diagram.title, run.executionArn) : svg);
  writeFlowRunPicture(diagram, run, file);
  (json ? console.error : console.log)(`  svg: ${path.relative(process.cwd(), file)}`);
}

const SVG_OPTION =
  'also write the SVG picture of the flow with the path taken, to <file> or, without one, to ' +
  'flow-runs/<Stack>-<Flow>-<execution>.svg';

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
    .option('--svg [file]', SVG_OPTION)
    .addOption(out())
    .addHelpText(
      'after',
      '\nExamples:\n  $ stagegraph flow run Checkout \'{"order":1}\'\n  $ stagegraph flow run Checkout order.json --json' +
        '\n  $ stagegraph flow run Checkout order.json --svg checkout-run.svg',
    )
    .action(
      async (
        name: string,
        input: string,
        opts: { timeout: string; json?: boolean; svg?: string | true; out: string },
      ) => {
        const timeoutSeconds = Number(opts.timeout);
        if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
          throw new UsageError(`--timeout must be a number of seconds above 0 (given '${opts.timeout}')`);
        }
        const { id, arn } = await flowArn(opts.out, name);
        const client = new (sfnSdk().SFNClient)(localClientConfig());
        try {
          const event = JSON.parse(readEvent(input)) as unknown;
          // An EXPRESS flow runs synchronously: Step Functions keeps no execution of it to wait for.
          const express = await isExpressFlow(client, arn);
          const started = Date.now();
          const run = express
            ? await runExpressFlow(client, arn, event, { timeoutMs: timeoutSeconds * 1000 })
            : await executionEnd(client, await startExecution(client, arn, event), {
                timeoutMs: Number(opts.timeout) * 1000,
                intervalMs: 100,
              });
          const millis = Date.now() - started;
          if (express && !opts.json) {
            console.error(`${id} is an EXPRESS flow: run synchronously, it keeps no history of the path taken`);
          }
          const diagram = diagramOf(opts.out, id);
          console.log(opts.json ? JSON.stringify(run, null, 2) : formatFlowRun(id, run, { millis, diagram }));
          if (opts.svg !== undefined) {
            if (!diagram) throw new UsageError(`--svg: the cloud assembly in ${opts.out} records no picture of ${id}`);
            writeSvg(opts.svg, diagram, run, opts.json);
          }
          if (run.status !== 'SUCCEEDED') process.exitCode = 1;
        } finally {
          client.destroy();
        }
      },
    );
  flow
    .command('list')
    .description("list a flow's latest executions, newest first")
    .argument('<flow>', 'the flow, by construct path or id')
    .addOption(out())
    .action(async (name: string, opts: { out: string }) => {
      const { id, arn } = await flowArn(opts.out, name);
      const client = new (sfnSdk().SFNClient)(localClientConfig());
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
    .description(
      'print an execution as it stands: status, the path taken so far, the failed state, output or error, and a ' +
        "picture of the path when the app's cloud assembly (--out) has the flow",
    )
    .argument('<execution>', 'the execution ARN, as `flow run` and `flow list` print it')
    .option('--json', 'print it as JSON')
    .option('--svg [file]', SVG_OPTION)
    .addOption(out())
    .addHelpText(
      'after',
      '\nExamples:\n  $ stagegraph flow show arn:aws:states:us-east-1:000000000000:execution:checkout:1f0c...' +
        '\n  $ stagegraph flow show <execution-arn> --svg --out cdk.out',
    )
    .action(async (executionArn: string, opts: { json?: boolean; svg?: string | true; out: string }) => {
      const client = new (sfnSdk().SFNClient)(localClientConfig());
      try {
        const run = await readExecution(client, executionArn);
        const name = stateMachineNameOf(executionArn);
        // The picture needs the flow's diagram: only when asked for one, or printing text, is the flow looked up.
        const flow = !opts.json || opts.svg !== undefined ? await flowOfExecution(opts.out, executionArn) : undefined;
        const diagram = flow !== undefined ? diagramOf(opts.out, flow) : undefined;
        console.log(opts.json ? JSON.stringify(run, null, 2) : formatFlowRun(flow ?? name, run, { diagram }));
        if (opts.svg !== undefined) {
          if (!diagram) {
            throw new UsageError(
              `--svg: no flow of the cloud assembly in ${opts.out} runs the state machine ${name}: give the app's assembly with --out`,
            );
          }
          writeSvg(opts.svg, diagram, run, opts.json);
        }
      } finally {
        client.destroy();
      }
    });
  return flow;
}
