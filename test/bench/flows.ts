// Flows: synthesis of a 100-node flow against the same flow in plain aws-cdk-lib, and on the
// embedded LocalStack the wall time of one execution of 10, 50 and 100 nodes, and executions per
// second of a 5-node flow.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { deployLocal } from '../../lib/app/deploy';
import { findDeployedFunction } from '../../lib/app/deployed';
import { parseReport } from '../../lib/billing/report-line';
import { LOCAL_ACCOUNT, LOCAL_REGION, localClientConfig } from '../../lib/local/endpoint';
import { Spread, spread, table } from './stats';
import { logMessages } from '../integ/function-logs';
import { prepare, RunResult, runOnce } from './synth';

export interface FlowSynthResult {
  readonly variant: string;
  readonly nodes: number;
  readonly seconds: Spread;
  readonly resources: number;
  readonly templateBytes: number;
  readonly peakRssMb: number;
}

/** Synth of an app of 10 functions and one flow of `nodes` function nodes, ours against plain CDK, interleaved. */
export function benchFlowSynth(nodes: number, repeats: number): FlowSynthResult[] {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-bench-flow-synth-'));
  const variants = ['plain-flow', 'stagegraph-flow'];
  try {
    prepare(workDir, 10);
    runOnce('stagegraph-flow', nodes, workDir, false); // warms the build cache
    const samples = new Map<string, RunResult[]>(variants.map(v => [v, []]));
    for (let r = 0; r < repeats; r++) {
      for (const variant of variants) samples.get(variant)!.push(runOnce(variant, nodes, workDir, false));
    }
    return variants.map(variant => {
      const runs = samples.get(variant)!;
      const failed = runs.find(run => run.error);
      if (failed) throw new Error(`${variant}: ${failed.error}`);
      return {
        variant,
        nodes,
        seconds: spread(runs.map(run => run.millis / 1000)),
        resources: runs[0].resources,
        templateBytes: runs[0].templateBytes,
        peakRssMb: Math.max(...runs.map(run => run.peakRssMb)),
      };
    });
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

export interface FlowRunResult {
  readonly flow: string;
  readonly nodes: number;
  /** From StartExecution to seeing the execution done (polled every 20 ms). */
  readonly wallMillis: Spread;
  /** stopDate - startDate as Step Functions reports it. */
  readonly reportedMillis: Spread;
}

/** What a function node costs beyond the function's own run: from the 10-node flows' reported times. */
export interface FlowOverhead {
  /** Per function node of the 10-node chain. */
  readonly perFunctionNodeMs: number;
  /** Per pass node of the 10-node chain: Step Functions' own work per state. */
  readonly perPassNodeMs: number;
  /** The function's own Duration (its REPORT lines), median. */
  readonly functionDurationMs: number;
  /** perFunctionNodeMs - functionDurationMs: the cost of invoking the function from a flow. */
  readonly overheadMs: number;
}

export interface FlowThroughput {
  readonly executions: number;
  readonly nodes: number;
  readonly seconds: Spread;
  readonly perSecond: Spread;
}

const APP_DIR = path.join(__dirname, 'flow-app');

async function runToEnd(sfn: SFNClient, stateMachineArn: string): Promise<{ wall: number; reported: number }> {
  const started = Date.now();
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ items: [1, 2, 3] }) }),
  );
  const deadline = started + 300_000;
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') {
      if (execution.status !== 'SUCCEEDED')
        throw new Error(`${stateMachineArn}: ${execution.status} ${execution.error ?? ''} ${execution.cause ?? ''}`);
      return { wall: Date.now() - started, reported: execution.stopDate!.getTime() - execution.startDate!.getTime() };
    }
    if (Date.now() > deadline) throw new Error(`${executionArn} still running after 300 s`);
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

/**
 * `n` executions started at once; seconds from the first StartExecution to the last execution's own stopDate. Done
 * is seen with one ListExecutions (RUNNING) every 100 ms, not a DescribeExecution per execution every 20 ms: 50 of
 * those are 2,500 requests a second to the server being measured.
 */
async function runConcurrently(sfn: SFNClient, stateMachineArn: string, n: number): Promise<number> {
  const started = Date.now();
  const input = JSON.stringify({ items: [1, 2, 3] });
  const arns = await Promise.all(
    Array.from({ length: n }, async () => {
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input }));
      return executionArn!;
    }),
  );
  const deadline = started + 300_000;
  for (;;) {
    const running = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 1000 }),
    );
    if ((running.executions ?? []).length === 0) break;
    if (Date.now() > deadline) throw new Error(`${stateMachineArn}: executions still running after 300 s`);
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  const done = await Promise.all(arns.map(executionArn => sfn.send(new DescribeExecutionCommand({ executionArn }))));
  const failed = done.find(execution => execution.status !== 'SUCCEEDED');
  if (failed) throw new Error(`${failed.executionArn}: ${failed.status} ${failed.error ?? ''} ${failed.cause ?? ''}`);
  return (Math.max(...done.map(execution => execution.stopDate!.getTime())) - started) / 1000;
}

/** The median Duration of the function's REPORT lines of the last 10 minutes. */
async function medianDuration(functionName: string): Promise<number> {
  // The last 10 minutes: the runs just made.
  const durations = (await logMessages(functionName, Date.now() - 600_000)).flatMap(message => {
    const report = parseReport(message);
    return report ? [report.durationMillis] : [];
  });
  if (durations.length === 0) throw new Error(`no REPORT lines of ${functionName}`);
  return spread(durations).median;
}

/** Executions of the bench flows on the embedded LocalStack (which must be running). */
export async function benchFlowRuns(
  runs: number,
  concurrentExecutions: number,
): Promise<{ runs: FlowRunResult[]; throughput: FlowThroughput; overhead: FlowOverhead }> {
  const config = localClientConfig();
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-bench-flows-'));
  const sfn = new SFNClient({ ...config, disableHostPrefix: true });
  const arn = (name: string) => `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;
  try {
    await deployLocal({ projectDir: APP_DIR, outdir });
    const results: FlowRunResult[] = [];
    for (const kind of ['invoke', 'pass']) {
      for (const nodes of [10, 50, 100]) {
        const flow = `bench-${kind}-${nodes}`;
        await runToEnd(sfn, arn(flow)); // warm-up: the function's environment starts here
        const samples: Array<{ wall: number; reported: number }> = [];
        for (let i = 0; i < runs; i++) samples.push(await runToEnd(sfn, arn(flow)));
        results.push({
          flow,
          nodes,
          wallMillis: spread(samples.map(s => s.wall)),
          reportedMillis: spread(samples.map(s => s.reported)),
        });
      }
    }
    // Throughput: many executions of the 5-node flow at once, until the last is done.
    await runToEnd(sfn, arn('bench-invoke-5'));
    const seconds: number[] = [];
    for (let r = 0; r < 3; r++) {
      seconds.push(await runConcurrently(sfn, arn('bench-invoke-5'), concurrentExecutions));
    }
    const perNode = (flow: string) => {
      const run = results.find(r => r.flow === flow)!;
      return run.reportedMillis.median / run.nodes;
    };
    const functionDurationMs = await medianDuration((await findDeployedFunction(outdir, 'Step')).functionName);
    const perFunctionNodeMs = perNode('bench-invoke-10');
    return {
      runs: results,
      overhead: {
        perFunctionNodeMs,
        perPassNodeMs: perNode('bench-pass-10'),
        functionDurationMs,
        overheadMs: perFunctionNodeMs - functionDurationMs,
      },
      throughput: {
        executions: concurrentExecutions,
        nodes: 5,
        seconds: spread(seconds),
        perSecond: spread(seconds.map(s => concurrentExecutions / s)),
      },
    };
  } finally {
    sfn.destroy();
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

export function formatFlowSynth(results: FlowSynthResult[]): string {
  const plain = results.find(r => r.variant === 'plain-flow')!;
  return table(
    ['variant', 'nodes', 'median s', 'min..max s', 'ratio', 'resources', 'template KB', 'peak MB'],
    results.map(r => [
      r.variant,
      String(r.nodes),
      r.seconds.median.toFixed(2),
      `${r.seconds.min.toFixed(2)}..${r.seconds.max.toFixed(2)}`,
      `${(r.seconds.median / plain.seconds.median).toFixed(2)}x`,
      String(r.resources),
      (r.templateBytes / 1024).toFixed(1),
      String(r.peakRssMb),
    ]),
  );
}

export function formatFlowRuns(results: FlowRunResult[]): string {
  const base = (r: FlowRunResult) => results.find(x => x.flow === r.flow.replace(/\d+$/, '10'))!;
  return table(
    ['flow', 'nodes', 'wall median ms', 'min..max ms', 'reported median ms', 'per node ms', 'vs 10 nodes'],
    results.map(r => [
      r.flow,
      String(r.nodes),
      r.wallMillis.median.toFixed(0),
      `${r.wallMillis.min.toFixed(0)}..${r.wallMillis.max.toFixed(0)}`,
      r.reportedMillis.median.toFixed(0),
      (r.wallMillis.median / r.nodes).toFixed(1),
      `${(r.wallMillis.median / base(r).wallMillis.median).toFixed(2)}x`,
    ]),
  );
}
