// The testing kit as a user's local integration test uses it: the first test (find the running local cloud,
// deploy a fresh app, one event through a trigger) and each further test (an upload through an OBS trigger waited
// for with nextInvocation; the same done by hand with the AWS SDK and a log poll, the baseline), and a flow test
// with its function step mocked against the same flow with the real function.
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { functionLogEvents, functionLogSource } from '../../lib/local/function-log-events';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Flow, FunctionGraph, ObsBucket, ObsTrigger, StageCode, StageFunction } from '../../lib';
import { localClientConfig } from '../../lib/local/endpoint';
import { LocalCloud, StepMock, testApp, waitFor } from '../../lib/testing';
import { Spread, spread, table } from './stats';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures');

export interface KitBenchResult {
  /** LocalCloud.start() finding the running local cloud, the first time (it bootstraps a fresh one), ms. */
  readonly start: number;
  /** LocalCloud.start() again, as each further test file does, ms. */
  readonly startAgain: number;
  /** The first deploy of the app (two functions, a bucket, a flow, built), ms. */
  readonly firstDeploy: number;
  /** The first event: upload and wait for the function's invocation, ms. */
  readonly firstEvent: number;
  /** Further tests, ms each. */
  readonly further: Record<string, Spread>;
}

export async function benchKit(runs: number): Promise<KitBenchResult> {
  // A fresh stack name per run, so that the first deploy is a first deploy.
  const stack = new Stack(testApp({ build: true }), `KitBench${Date.now().toString(36)}`);
  const uploads = new ObsBucket(stack, 'Uploads');
  const echo = new StageFunction(stack, 'Echo', {
    code: StageCode.fromNodejs(path.join(FIXTURES, 'echo-nodejs')),
    memorySize: 128,
    triggers: [new ObsTrigger(uploads, { prefix: 'in/' })],
  });
  const flow = new FunctionGraph(stack, 'Checkout', {
    definition: Flow.sequence(Flow.invoke('Echo', echo, { resultPath: '$.answer' }), Flow.succeed('Done')),
  });

  let started = Date.now();
  const cloud = await LocalCloud.start({ projectDir: ROOT });
  const start = Date.now() - started;
  started = Date.now();
  await LocalCloud.start({ projectDir: ROOT });
  const startAgain = Date.now() - started;
  started = Date.now();
  const deployed = await cloud.deploy(stack);
  const firstDeploy = Date.now() - started;
  const timed = async (work: () => Promise<unknown>): Promise<number> => {
    const begun = performance.now();
    await work();
    return performance.now() - begun;
  };
  const uploadAndWait = (key: string) => async () => {
    const since = new Date();
    await deployed.upload(uploads, key, 'bytes');
    await deployed.nextInvocation(echo, { since, where: i => JSON.stringify(i.event ?? '').includes(key) });
  };
  const firstEvent = await timed(uploadAndWait('in/first.jpg'));

  // The baseline: the same upload and wait by hand, with the SDK and a poll of the log group at the same interval.
  const config = localClientConfig();
  const s3 = new S3Client(config);
  const logs = new CloudWatchLogsClient(config);
  const lambda = new LambdaClient(config);
  const bucket = await deployed.physicalId(uploads);
  // Its streams of the stack's function log group, read as `stagegraph logs` reads them.
  const source = await functionLogSource(lambda, await deployed.physicalId(echo));
  const byHand = (key: string) => async () => {
    const since = Date.now();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'bytes' }));
    await waitFor('the invocation in the log', async () => {
      const messages = (await functionLogEvents(logs, source, since)).map(e => e.message ?? '');
      return messages.some(m => m.includes(key)) && messages.some(m => m.startsWith('REPORT')) ? true : undefined;
    });
  };

  const samples: Record<string, number[]> = {
    'upload + nextInvocation (kit)': [],
    'upload + log poll (SDK by hand)': [],
    'invoke (kit)': [],
    'runFlow, real function': [],
    'runFlow, step mocked': [],
  };
  for (let i = 0; i < runs; i++) {
    samples['upload + nextInvocation (kit)'].push(await timed(uploadAndWait(`in/kit-${i}.jpg`)));
    samples['upload + log poll (SDK by hand)'].push(await timed(byHand(`in/hand-${i}.jpg`)));
    samples['invoke (kit)'].push(await timed(() => deployed.invoke(echo, { i })));
    samples['runFlow, real function'].push(await timed(() => deployed.runFlow(flow, { i })));
    samples['runFlow, step mocked'].push(
      await timed(() => deployed.runFlow(flow, { i }, { mocks: { Echo: StepMock.returns({ mocked: i }) } })),
    );
  }
  s3.destroy();
  logs.destroy();
  lambda.destroy();
  await cloud.destroy();
  await cloud.stop();
  const further = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, spread(values)]));
  return { start, startAgain, firstDeploy, firstEvent, further };
}

export function formatKit(result: KitBenchResult): string {
  const mocked = result.further['runFlow, step mocked'].median;
  const real = result.further['runFlow, real function'].median;
  const hand = result.further['upload + log poll (SDK by hand)'].median;
  return [
    `First test: start ${result.start} ms (the local cloud running, bootstrapped on first use; ${result.startAgain} ms ` +
      `in each further test file) + first deploy ${(result.firstDeploy / 1000).toFixed(1)} s + first event ${result.firstEvent.toFixed(0)} ms`,
    '',
    table(
      ['further test', 'median ms', 'min..max ms', 'vs'],
      Object.entries(result.further).map(([name, s]) => [
        name,
        s.median.toFixed(0),
        `${s.min.toFixed(0)}..${s.max.toFixed(0)}`,
        name.includes('(kit)') && name.startsWith('upload')
          ? `${(s.median / hand).toFixed(2)}x by hand`
          : name.includes('mocked')
            ? `${(mocked / real).toFixed(2)}x real`
            : '',
      ]),
    ),
  ].join('\n');
}
