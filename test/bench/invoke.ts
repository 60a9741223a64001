// Cold start and warm round trip of each runtime through the Lambda Invoke API of the embedded
// LocalStack, with the function running as a process of its own runtime.
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import {
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  LogType,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { deployLocal } from '../../lib/app/deploy';
import { localClientConfig } from '../../lib/local/endpoint';
import { findDeployedFunction } from '../../lib/app/deployed';
import { percentile, Spread, spread, table } from './stats';

export interface InvokeBenchResult {
  readonly function: string;
  readonly coldRoundTripMs: Spread;
  readonly initDurationMs: Spread;
  readonly warmRoundTripMs: Spread & { readonly p99: number };
  readonly warmDurationMs: Spread;
}

/** Concurrent invocations of one function: the first burst finds no environment, the second the ones it started. */
export interface BurstBenchResult {
  readonly function: string;
  readonly invocations: number;
  readonly coldP50Ms: number;
  readonly coldP99Ms: number;
  readonly environmentsStarted: number;
  readonly initDurationMs: Spread;
  readonly warmP50Ms: number;
  readonly warmP99Ms: number;
}

const APP_DIR = path.join(__dirname, '..', 'integ', 'local');
const FUNCTIONS = ['HelloNodejs', 'HelloPython', 'HelloGo', 'HelloJava'];

function reportField(logs: string, field: string): number | undefined {
  const match = new RegExp(`${field}: ([\\d.]+) ms`).exec(logs);
  return match ? Number(match[1]) : undefined;
}

async function timedInvoke(
  lambda: LambdaClient,
  functionName: string,
  i: number,
): Promise<{ ms: number; logs: string }> {
  const started = process.hrtime.bigint();
  const response = await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      Payload: Buffer.from(JSON.stringify({ name: `bench${i}` })),
      LogType: LogType.Tail,
    }),
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (response.FunctionError) {
    throw new Error(`${functionName} failed: ${Buffer.from(response.Payload ?? []).toString()}`);
  }
  return { ms, logs: Buffer.from(response.LogResult ?? '', 'base64').toString() };
}

/** A configuration change retires the function's environments, so the next invocation is cold. */
async function forceColdStart(
  lambda: LambdaClient,
  functionName: string,
  i: number,
  variables: Record<string, string> = {},
): Promise<void> {
  await lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: functionName,
      Environment: { Variables: { BENCH_COLD: String(i), ...variables } },
    }),
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    if (config.LastUpdateStatus === 'Successful' && config.State === 'Active') {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`${functionName} did not become active after an update`);
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

/**
 * `n` invocations at once, right after a configuration change (no environment), then `n` more at once; with the local
 * cloud's line of invocations and, as the baseline, with LocalStack's start per invocation that finds no environment
 * (`STAGEGRAPH_LAMBDA_SCALING=localstack` in the function's environment), in `rounds` interleaved rounds each.
 */
async function benchBurst(
  lambda: LambdaClient,
  id: string,
  functionName: string,
  n: number,
  rounds = 2,
): Promise<BurstBenchResult[]> {
  const modes: { label: string; variables: Record<string, string> }[] = [
    { label: id, variables: {} },
    { label: `${id}, LocalStack's starts (baseline)`, variables: { STAGEGRAPH_LAMBDA_SCALING: 'localstack' } },
  ];
  const runs = modes.map(() => ({
    cold: [] as number[],
    warm: [] as number[],
    inits: [] as number[],
    started: [] as number[],
  }));
  const burst = () => Promise.all(Array.from({ length: n }, (_, i) => timedInvoke(lambda, functionName, i)));
  // The client's `n` connections are opened before the first round: otherwise the first burst (the line's) opens them
  // while it is measured, and every later one, the baseline's included, finds them open.
  await Promise.all(
    Array.from({ length: n }, () => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }))),
  );
  for (let round = 0; round < rounds; round++) {
    for (const [m, mode] of modes.entries()) {
      await forceColdStart(lambda, functionName, 2000 + round * modes.length + m, mode.variables);
      const cold = await burst();
      const warm = await burst();
      const inits = cold
        .map(run => reportField(run.logs, 'Init Duration'))
        .filter((ms): ms is number => ms !== undefined);
      runs[m].cold.push(...cold.map(run => run.ms));
      runs[m].warm.push(...warm.map(run => run.ms));
      runs[m].inits.push(...inits);
      runs[m].started.push(inits.length);
    }
  }
  return modes.map((mode, m) => ({
    function: mode.label,
    invocations: n,
    coldP50Ms: percentile(runs[m].cold, 0.5),
    coldP99Ms: percentile(runs[m].cold, 0.99),
    environmentsStarted: percentile(runs[m].started, 0.5),
    initDurationMs: spread(runs[m].inits),
    warmP50Ms: percentile(runs[m].warm, 0.5),
    warmP99Ms: percentile(runs[m].warm, 0.99),
  }));
}

export async function benchInvoke(
  warmRuns: number,
  coldRuns: number,
  burstSize = 200,
): Promise<{ runs: InvokeBenchResult[]; bursts: BurstBenchResult[] }> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-bench-invoke-'));
  // One connection per invocation of a burst (the SDK's default pool has 50).
  const lambda = new LambdaClient({
    ...localClientConfig(),
    requestHandler: { httpAgent: new http.Agent({ keepAlive: true, maxSockets: burstSize }) },
  });
  try {
    await deployLocal({ projectDir: APP_DIR, outdir });
    const results: InvokeBenchResult[] = [];
    for (const id of FUNCTIONS) {
      const { functionName } = await findDeployedFunction(outdir, id);
      const cold: number[] = [];
      const init: number[] = [];
      for (let i = 0; i < coldRuns; i++) {
        await forceColdStart(lambda, functionName, i);
        const run = await timedInvoke(lambda, functionName, i);
        cold.push(run.ms);
        init.push(reportField(run.logs, 'Init Duration') ?? NaN);
      }
      await timedInvoke(lambda, functionName, -1); // one more warm-up after the last cold start
      const warm: number[] = [];
      const durations: number[] = [];
      for (let i = 0; i < warmRuns; i++) {
        const run = await timedInvoke(lambda, functionName, i);
        warm.push(run.ms);
        durations.push(reportField(run.logs, 'Duration') ?? NaN);
      }
      results.push({
        function: id,
        coldRoundTripMs: spread(cold),
        initDurationMs: spread(init),
        warmRoundTripMs: {
          ...spread(warm),
          p99: percentile(warm, 0.99),
        },
        warmDurationMs: spread(durations),
      });
    }
    const nodejs = (await findDeployedFunction(outdir, 'HelloNodejs')).functionName;
    results.push(await benchGatewayFloor(lambda, nodejs, warmRuns));
    results.push(...(await benchMemoryWatch(lambda, nodejs, warmRuns)));
    const bursts = await benchBurst(lambda, 'HelloNodejs', nodejs, burstSize);
    return { runs: results, bursts };
  } finally {
    lambda.destroy();
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * The floor under a warm invoke on this machine at this moment: a GetFunctionConfiguration round trip (the same client,
 * connection, gateway and handler chain, no function run). Its median varies with the machine as the invokes' do; the
 * difference is the invoke path's own cost.
 */
async function benchGatewayFloor(lambda: LambdaClient, functionName: string, runs: number): Promise<InvokeBenchResult> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    ms.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return warmRow('GetFunctionConfiguration (no function run)', ms);
}

/**
 * The memory watch's cost on a warm invoke: the same function with its watch off and on
 * (`STAGEGRAPH_MEMORY_WATCH=off` in its environment), in three interleaved rounds.
 */
async function benchMemoryWatch(
  lambda: LambdaClient,
  functionName: string,
  warmRuns: number,
): Promise<InvokeBenchResult[]> {
  const runs: Record<'off' | 'on', { warm: number[]; durations: number[] }> = {
    off: { warm: [], durations: [] },
    on: { warm: [], durations: [] },
  };
  for (let round = 0; round < 3; round++) {
    for (const mode of ['off', 'on'] as const) {
      await forceColdStart(lambda, functionName, 1000 + round, { STAGEGRAPH_MEMORY_WATCH: mode });
      await timedInvoke(lambda, functionName, -1);
      for (let i = 0; i < warmRuns; i++) {
        const run = await timedInvoke(lambda, functionName, i);
        runs[mode].warm.push(run.ms);
        runs[mode].durations.push(reportField(run.logs, 'Duration') ?? NaN);
      }
    }
  }
  return (['off', 'on'] as const).map(mode =>
    warmRow(`HelloNodejs, memory watch ${mode}`, runs[mode].warm, runs[mode].durations),
  );
}

/** A row of warm round trips only (no cold starts), with the handler's durations when there are any. */
function warmRow(label: string, roundTrips: number[], durations: number[] = [NaN]): InvokeBenchResult {
  return {
    function: label,
    coldRoundTripMs: spread([NaN]),
    initDurationMs: spread([NaN]),
    warmRoundTripMs: { ...spread(roundTrips), p99: percentile(roundTrips, 0.99) },
    warmDurationMs: spread(durations),
  };
}

export function formatInvoke(results: readonly InvokeBenchResult[]): string {
  return table(
    [
      'function',
      'cold round trip ms (median)',
      'init duration ms',
      'warm round trip ms (median)',
      'warm p99 ms',
      'warm handler ms (median)',
      'runs warm/cold',
    ],
    results.map(r => [
      r.function,
      Number.isNaN(r.coldRoundTripMs.median) ? '-' : r.coldRoundTripMs.median.toFixed(1),
      Number.isNaN(r.initDurationMs.median) ? '-' : r.initDurationMs.median.toFixed(1),
      r.warmRoundTripMs.median.toFixed(1),
      r.warmRoundTripMs.p99.toFixed(1),
      Number.isNaN(r.warmDurationMs.median) ? '-' : r.warmDurationMs.median.toFixed(2),
      `${r.warmRoundTripMs.runs}/${r.coldRoundTripMs.runs}`,
    ]),
  );
}

export function formatBursts(results: readonly BurstBenchResult[]): string {
  return table(
    [
      'function',
      'invocations at once',
      'cold burst p50 ms',
      'cold burst p99 ms',
      'environments started (median)',
      'init duration ms (median)',
      'warm burst p50 ms',
      'warm burst p99 ms',
    ],
    results.map(r => [
      r.function,
      String(r.invocations),
      r.coldP50Ms.toFixed(0),
      r.coldP99Ms.toFixed(0),
      String(r.environmentsStarted),
      r.initDurationMs.median.toFixed(1),
      r.warmP50Ms.toFixed(0),
      r.warmP99Ms.toFixed(0),
    ]),
  );
}
