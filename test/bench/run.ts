// `npm run bench`: the benchmarks of test/bench, printed as tables and written to
// test/bench/results.json. Not part of `npm test`. BENCH_REPEATS sets the runs per synth figure;
// BENCH_ONLY=synth, scaling, validator, invoke, triggers, flows, throughput, kit, dev, wall or bill runs one part;
// BENCH_BASELINE=0 skips the throughput's baseline (LocalStack as shipped, in a local cloud of its own).
// Before any AWS SDK client is made: the bench runs on Node.js 20, which the SDK warns about.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { installLocalStack } from '../../lib/local/install';
import { startLocalStack, stopLocalStack } from '../../lib/local/localstack-process';
import { benchBillLag, BillLagResult } from './bill-lag';
import {
  benchFlowRuns,
  benchFlowSynth,
  FlowOverhead,
  FlowRunResult,
  FlowSynthResult,
  FlowThroughput,
  formatFlowRuns,
  formatFlowSynth,
} from './flows';
import { benchDev, DevBenchResult, formatDev } from './dev';
import { benchWall, formatWall, WallResult } from './wall';
import { benchInvoke, BurstBenchResult, formatBursts, formatInvoke, InvokeBenchResult } from './invoke';
import { benchKit, formatKit, KitBenchResult } from './kit';
import {
  benchSynth,
  benchSynthCliContext,
  benchSynthScaling,
  formatScaling,
  formatSynth,
  ScalingResult,
  SynthResult,
} from './synth';
import { table } from './stats';
import { benchThroughput, ThroughputResult } from './throughput';
import { benchTriggerLatency, TriggerLatency } from './trigger-latency';
import { benchTriggerResources, TriggerResources } from './trigger-resources';
import { benchValidator, formatValidator, ValidatorResult } from './validator';

const ROOT = path.join(__dirname, '..', '..');
const repeats = Number(process.env.BENCH_REPEATS ?? 5);
const only = process.env.BENCH_ONLY;

async function main(): Promise<void> {
  let synth: SynthResult[] | undefined;
  let scaling: ScalingResult[] | undefined;
  let validator: ValidatorResult | undefined;
  let invoke: InvokeBenchResult[] | undefined;
  let invokeBursts: BurstBenchResult[] | undefined;
  let triggerResources: TriggerResources[] | undefined;
  let triggerLatency: TriggerLatency[] | undefined;
  let flowSynth: FlowSynthResult[] | undefined;
  let throughput: ThroughputResult[] | undefined;
  let throughputBaseline: ThroughputResult[] | undefined;
  let flowRuns: { runs: FlowRunResult[]; throughput: FlowThroughput; overhead?: FlowOverhead } | undefined;
  let billLag: BillLagResult[] | undefined;
  let kit: KitBenchResult | undefined;
  let dev: DevBenchResult | undefined;
  let wall: WallResult | undefined;
  if (!only || only === 'flows') {
    flowSynth = benchFlowSynth(100, repeats);
    console.log(
      `\nSynthesis of one flow of 100 function nodes over 10 functions, median of ${repeats} runs, each a fresh process\n`,
    );
    console.log(formatFlowSynth(flowSynth));
  }
  if (!only || only === 'triggers') {
    triggerResources = benchTriggerResources(10);
    console.log(
      '\nResources: 10 functions, each with an OBS, an SMN and a DMS trigger (shared bucket and topic, a queue each)\n',
    );
    console.log(
      table(
        ['variant', 'resources', 'per function', 'custom resources'],
        triggerResources.map(r => [
          r.variant,
          String(r.resources),
          r.perFunction.toFixed(1),
          String(r.customResources),
        ]),
      ),
    );
    console.log(
      `ratio per function: ${(triggerResources[1].perFunction / triggerResources[0].perFunction).toFixed(2)}x`,
    );
  }
  if (!only || only === 'synth') {
    synth = [...benchSynth(50, repeats, false), ...benchSynth(50, Math.max(3, Math.floor(repeats / 2)), true)];
    console.log(
      `\nSynthesis: 50 Node.js functions, median of ${repeats} runs (3 with validation), each run a fresh process\n`,
    );
    console.log(formatSynth(synth));
  }
  if (!only || only === 'scaling') {
    scaling = benchSynthScaling([10, 50, 200], Math.max(3, Math.floor(repeats / 2)));
    console.log(
      '\nScaling: apps whose functions each have an OBS, an SMN and a DMS trigger, and one flow over 10 of them, CDK validation and ' +
        "version reporting off (plain's function assets load CDK's region facts, stagegraph's do not)\n",
    );
    console.log(formatScaling(scaling));
    const cli = benchSynthCliContext([10, 50, 200], Math.max(3, Math.floor(repeats / 2)));
    console.log(
      "\nThe same apps as `cdk synth` runs them: its context and CDK's validation on (version reporting loads CDK's region facts in both)\n",
    );
    console.log(formatScaling(cli));
    scaling = [...scaling, ...cli];
  }
  if (!only || only === 'validator') {
    validator = benchValidator(Math.max(3, Math.floor(repeats / 2)));
    console.log(
      "\nCDK's CloudFormation validation on its own: one bucket's notification list in a warm engine (fastest of 6), " +
        "and the scaling apps' templates in the first validation of a cold engine (one process each, interleaved)\n",
    );
    console.log(formatValidator(validator));
  }
  if (!only || ['invoke', 'triggers', 'flows', 'throughput', 'kit', 'dev', 'wall'].includes(only)) {
    if (!process.env.LOCALSTACK_ENDPOINT) {
      installLocalStack({ projectDir: ROOT });
    }
    const status = await startLocalStack({ projectDir: ROOT });
    try {
      if (!only || only === 'invoke') {
        ({ runs: invoke, bursts: invokeBursts } = await benchInvoke(100, 5));
      }
      if (!only || only === 'flows') {
        flowRuns = await benchFlowRuns(10, 50);
      }
      if (!only || only === 'throughput') {
        throughput = await benchThroughput(1000, 200, Math.max(1, Math.min(repeats, 3)));
      }
      if (!only || only === 'triggers') {
        triggerLatency = await benchTriggerLatency(20);
      }
      if (!only || only === 'kit') {
        kit = await benchKit(10);
      }
      if (!only || only === 'dev') {
        dev = await benchDev(10, 2);
      }
      if (!only || only === 'wall') {
        wall = await benchWall(1000, 200);
      }
    } finally {
      if (status.started) {
        await stopLocalStack(ROOT);
      }
    }
    // The same events on LocalStack as it ships (its own event source mapping loop, its services calling each
    // other over HTTP), in a local cloud of its own, once: the baseline of the throughput figures.
    if (throughput && status.started && process.env.BENCH_BASELINE !== '0') {
      throughputBaseline = await withEnv(
        {
          STAGEGRAPH_ESM_POLLING: 'localstack',
          STAGEGRAPH_IN_MEMORY_CLIENT: '0',
          STAGEGRAPH_LAMBDA_METRICS: 'localstack',
        },
        async () => {
          await startLocalStack({ projectDir: ROOT });
          try {
            return await benchThroughput(1000, 200, 1);
          } finally {
            await stopLocalStack(ROOT);
          }
        },
      );
    }
    if (wall) {
      console.log(
        '\nPast 500 resources per stack: functions in nested stacks (stagegraph:nestedFunctionStacks: about 35 functions each)\n',
      );
      console.log(formatWall(wall));
    }
    if (dev) {
      console.log(
        '\nstagegraph dev: from a saved edit to the first invocation running it, median of 10 edits per language\n',
      );
      console.log(formatDev(dev));
    }
    if (kit) {
      console.log('\nThe testing kit: a first local integration test, and 10 further tests of each kind\n');
      console.log(formatKit(kit));
    }
    if (invoke) {
      console.log(
        '\nLocal invocation through the Lambda Invoke API: 100 warm runs, 5 cold starts (each after a configuration change)\n',
      );
      console.log(formatInvoke(invoke));
    }
    if (invokeBursts) {
      console.log(
        "\nInvocations at once through the Invoke API, after a configuration change (no environment), then again; 2 interleaved rounds each, with the local cloud's line of invocations and with LocalStack's start per invocation that finds no environment\n",
      );
      console.log(formatBursts(invokeBursts));
    }
    if (flowRuns) {
      console.log(
        '\nOne execution at a time on LocalStack, 10 runs after a warm-up: chains of function nodes, and of pass nodes (Step Functions alone)\n',
      );
      console.log(formatFlowRuns(flowRuns.runs));
      const o = flowRuns.overhead;
      if (o) {
        console.log(
          `\nPer function node (10-node chain, Step Functions' reported time): ${o.perFunctionNodeMs.toFixed(1)} ms, of which the function's own Duration ${o.functionDurationMs.toFixed(1)} ms: ${o.overheadMs.toFixed(1)} ms of overhead (a pass node: ${o.perPassNodeMs.toFixed(1)} ms)`,
        );
      }
      const t = flowRuns.throughput;
      console.log(
        `\nThroughput: ${t.executions} executions of a ${t.nodes}-node flow started at once, ${t.seconds.runs} runs: the last done (its own stopDate) ${t.seconds.median.toFixed(1)} s after the first start (${t.seconds.min.toFixed(1)}..${t.seconds.max.toFixed(1)}), ${t.perSecond.median.toFixed(1)} executions/s`,
      );
    }
    if (throughput) {
      console.log(
        `\nEvent throughput on LocalStack: lost and duplicate processings counted over all runs, from the first send to the last processed line, median of ${throughput[0].seconds.runs} runs${throughputBaseline ? '; LocalStack as shipped (its own event source mapping loop and Lambda metrics, services calling each other over HTTP) in a local cloud of its own, 1 run' : ''}\n`,
      );
      const plain = throughput.find(t => t.variant.includes('plain'));
      const rows = [
        ...throughput.map(t => ({ t, shipped: false })),
        ...(throughputBaseline ?? []).map(t => ({ t, shipped: true })),
      ];
      console.log(
        table(
          [
            'events',
            'local cloud',
            'processed',
            'lost',
            'duplicates',
            'seconds',
            'min..max s',
            'events/s',
            'vs plain CDK',
            'vs as shipped',
          ],
          rows.map(({ t, shipped }) => {
            const baseline = throughputBaseline?.find(b => b.variant === t.variant);
            return [
              t.variant,
              shipped ? 'LocalStack as shipped' : 'stagegraph',
              String(t.processed),
              String(t.lost),
              String(t.duplicates),
              t.seconds.median.toFixed(1),
              `${t.seconds.min.toFixed(1)}..${t.seconds.max.toFixed(1)}`,
              t.perSecond.median.toFixed(1),
              !shipped && t.variant.includes('DMS') && plain
                ? `${(t.perSecond.median / plain.perSecond.median).toFixed(2)}x`
                : '',
              !shipped && baseline ? `${(t.perSecond.median / baseline.perSecond.median).toFixed(1)}x` : '',
            ];
          }),
        ),
      );
    }
    if (triggerLatency) {
      console.log(
        "\nFrom sending an event to the triggered function's first log line on LocalStack, 20 runs after a warm-up\n",
      );
      console.log(
        table(
          ['trigger', 'median ms', 'min..max ms'],
          triggerLatency.map(t => [
            t.trigger,
            t.millis.median.toFixed(0),
            `${t.millis.min.toFixed(0)}..${t.millis.max.toFixed(0)}`,
          ]),
        ),
      );
    }
  }
  if (!only || only === 'bill') {
    // Starts a local cloud per delivery mode itself.
    if (!process.env.LOCALSTACK_ENDPOINT) installLocalStack({ projectDir: ROOT });
    billLag = await benchBillLag(ROOT, 500);
    console.log(
      '\nThe bill after a burst of 500 invocations (20 at a time): seconds after the burst until the log group and `stagegraph bill` count all 500\n',
    );
    const sync = billLag.find(b => b.delivery.startsWith('LocalStack'));
    console.log(
      table(
        ['log subscriptions', 'burst s', 'logs complete s', 'bill complete s', 'bill vs LocalStack'],
        billLag.map(b => [
          b.delivery,
          b.burstSeconds.toFixed(1),
          b.logsSeconds.toFixed(1),
          b.billSeconds.toFixed(1),
          sync && b !== sync ? `${(sync.billSeconds / Math.max(b.billSeconds, 0.001)).toFixed(1)}x sooner` : '',
        ]),
      ),
    );
  }
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
  const file = path.join(__dirname, 'results.json');
  // A partial run (BENCH_ONLY) keeps the other part's latest figures.
  const previous = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf-8')) : {};
  fs.writeFileSync(
    file,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        machine,
        synth: synth ?? previous.synth,
        scaling: scaling ?? previous.scaling,
        validator: validator ?? previous.validator,
        invoke: invoke ?? previous.invoke,
        invokeBursts: invokeBursts ?? previous.invokeBursts,
        triggerResources: triggerResources ?? previous.triggerResources,
        triggerLatency: triggerLatency ?? previous.triggerLatency,
        flowSynth: flowSynth ?? previous.flowSynth,
        flowRuns: flowRuns ?? previous.flowRuns,
        throughput: throughput ?? previous.throughput,
        throughputBaseline: throughputBaseline ?? (throughput ? undefined : previous.throughputBaseline),
        billLag: billLag ?? previous.billLag,
        kit: kit ?? previous.kit,
        dev: dev ?? previous.dev,
        wall: wall ?? previous.wall,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nWritten to ${path.relative(process.cwd(), file)}`);
}

/** Runs `body` with these environment variables set (the local cloud it starts inherits them), then restores them. */
async function withEnv<T>(vars: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map(key => [key, process.env[key]]));
  Object.assign(process.env, vars);
  try {
    return await body();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
