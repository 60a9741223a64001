import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { logMessages } from '../function-logs';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ResourceNotFoundException,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { deployLocal } from '../../../lib/app/deploy';
import { localClientConfig, localEndpoint } from '../../../lib/local/endpoint';
import { findDeployedFunction } from '../../../lib/app/deployed';
import { invokeLocal, InvokeResult } from '../../../lib/local/invoke';
import { localStatus } from '../../../lib/local/localstack-process';
import { localPaths } from '../../../lib/local/paths';
import { PROJECT_DIR } from '../global-setup';
import { isLoopback, listeningSockets, processTree } from '../sockets';
import { waitFor } from '../../../lib/testing';

// The local cloud end to end: a real CDK deploy to LocalStack core, and every function running as a
// process of its own runtime behind the Lambda Invoke API. No mocks; effects are polled with deadlines.
jest.setTimeout(300_000);

const APP_DIR = __dirname;
let outdir: string;
const names: Record<string, string> = {};
let deployed: Awaited<ReturnType<typeof deployLocal>>;

async function invoke(id: string, event: unknown = {}): Promise<InvokeResult & { json: Record<string, unknown> }> {
  const result = await invokeLocal(names[id], JSON.stringify(event));
  return { ...result, json: JSON.parse(result.payload || 'null') };
}

function report(logs: string): Record<string, string> {
  const line = logs.split('\n').find(l => l.startsWith('REPORT RequestId:'));
  if (!line) {
    throw new Error(`no REPORT line in:\n${logs}`);
  }
  return Object.fromEntries(
    line
      .split('\t')
      .filter(Boolean)
      .map(part => {
        const [key, ...rest] = part.split(': ');
        return [key.replace(/^REPORT /, ''), rest.join(': ')];
      }),
  );
}

beforeAll(async () => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-local-'));
  const started = Date.now();
  deployed = await deployLocal({ projectDir: APP_DIR, outdir });
  process.stderr.write(`[integ] test app deployed in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  for (const id of [
    'HelloNodejs',
    'HelloPython',
    'HelloJava',
    'HelloGo',
    'Probe',
    'ProbePython',
    'HelloNode24',
    'HelloNode18',
    'Counted',
  ]) {
    names[id] = (await findDeployedFunction(outdir, id)).functionName;
  }
});

afterAll(() => {
  fs.rmSync(outdir, { recursive: true, force: true });
});

describe.each([
  ['HelloNodejs', /^nodejs v22\./],
  ['HelloNode24', /^nodejs v24\./],
  ['HelloPython', /^python 3\.11\./],
  ['HelloJava', /^java 17\./],
  ['HelloGo', /^go go1\./],
])('%s', (id, runtime) => {
  test('runs in its own runtime: a cold start, then a warm one', async () => {
    const cold = await invoke(id, { name: 'cold' });
    const warm = await invoke(id, { name: 'warm' });

    expect(cold.functionError).toBeUndefined();
    expect(cold.json).toMatchObject({ message: 'hello, cold', runtime: expect.stringMatching(runtime) });
    expect(warm.json.message).toBe('hello, warm');
    expect(report(cold.logs)['Init Duration']).toMatch(/^\d+\.\d\d ms$/);
    expect(report(warm.logs)['Init Duration']).toBeUndefined();
    const warmReport = report(warm.logs);
    expect(warmReport.Duration).toMatch(/^\d+\.\d\d ms$/);
    expect(warmReport['Billed Duration']).toBe(`${Math.ceil(parseFloat(warmReport.Duration))} ms`);
    expect(warmReport['Memory Size']).toMatch(/^\d+ MB$/);
    expect(parseInt(warmReport['Max Memory Used'], 10)).toBeGreaterThan(0);
  });
});

test('a handler error comes back as a function error with its type and message', async () => {
  const result = await invoke('Probe', { action: 'fail' });

  expect(result.functionError).toBe('Unhandled');
  expect(result.json).toMatchObject({ errorType: 'TypeError', errorMessage: 'probe failed on purpose' });
  expect(result.logs).toMatch(/ERROR\tInvoke Error/);
});

test('the timeout kills the invocation as Lambda does, and the next one starts afresh', async () => {
  const result = await invoke('Probe', { action: 'sleep', millis: 5000 });

  expect(result.functionError).toBe('Unhandled');
  expect(result.json.errorMessage).toMatch(/Task timed out after 2\.00 seconds$/);
  const next = await invoke('Probe', { action: 'sleep', millis: 10 });
  expect(next.json).toEqual({ slept: 10 });
  expect(report(next.logs)['Init Duration']).toBeDefined();
});

test('a crashing process fails its invocation; the next one gets a fresh environment', async () => {
  const crash = await invoke('Probe', { action: 'exit' });
  const next = await invoke('Probe', { action: 'env' });

  expect(crash.functionError).toBe('Unhandled');
  expect(crash.json).toMatchObject({
    errorType: 'Runtime.ExitError',
    errorMessage: 'Runtime exited with error: exit status 3',
  });
  expect(next.functionError).toBeUndefined();
  expect(report(next.logs)['Init Duration']).toBeDefined();
});

test('environment variables and the Lambda context reach the function', async () => {
  const result = await invoke('Probe', { action: 'env' });

  expect(result.json).toMatchObject({
    greeting: 'hello from the environment',
    functionName: names.Probe,
    memory: '256',
    region: 'us-east-1',
  });
  expect(result.json.remainingMillis).toBeGreaterThan(0);
  expect(result.json.remainingMillis).toBeLessThanOrEqual(2000);
});

test('20 concurrent invocations are all answered', async () => {
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) => invoke('Probe', { action: 'sleep', millis: 200 + i })),
  );

  expect(results.map(r => r.json)).toEqual(Array.from({ length: 20 }, (_, i) => ({ slept: 200 + i })));
});

test("Lambda's own Invocations and Errors metrics count each invocation once", async () => {
  const cloudwatch = new CloudWatchClient(localClientConfig());
  const since = new Date(Date.now() - 10 * 60_000);
  const sum = async (metric: string) => {
    const { Datapoints } = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: names.Counted }],
        StartTime: since,
        EndTime: new Date(Date.now() + 60_000),
        Period: 60,
        Statistics: ['Sum'],
      }),
    );
    return (Datapoints ?? []).reduce((total, point) => total + (point.Sum ?? 0), 0);
  };
  // A function no other test invokes: what was counted for it before (a run of the tests minutes ago, on a local
  // cloud that kept its state) is all put by now.
  const before = { invocations: await sum('Invocations'), errors: await sum('Errors') };

  await Promise.all(Array.from({ length: 12 }, (_, i) => invoke('Counted', { action: 'sleep', millis: i })));
  expect((await invoke('Counted', { action: 'fail' })).functionError).toBe('Unhandled');

  const after = await waitFor(
    'the 13 invocations in AWS/Lambda',
    async () => {
      const now = { invocations: await sum('Invocations'), errors: await sum('Errors') };
      return now.invocations >= before.invocations + 13 && now.errors >= before.errors + 1 ? now : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 200 },
  );
  expect(after).toEqual({ invocations: before.invocations + 13, errors: before.errors + 1 });
});

test("Java environments that start at the same moment all answer (each loads the client's native library safely)", async () => {
  // Concurrent invocations of a cold function start as many JVMs at once.
  const results = await Promise.all(Array.from({ length: 4 }, (_, i) => invoke('HelloJava', { name: `jvm ${i}` })));

  expect(results.map(r => r.functionError)).toEqual([undefined, undefined, undefined, undefined]);
  expect(results.map(r => r.json.message)).toEqual(['hello, jvm 0', 'hello, jvm 1', 'hello, jvm 2', 'hello, jvm 3']);
});

test('a function writes to S3 with its own SDK, and the object is there', async () => {
  const key = `probe/${Date.now()}.txt`;
  const result = await invoke('Probe', { action: 's3put', key, body: 'written by the probe' });
  expect(result.functionError).toBeUndefined();

  const s3 = new S3Client(localClientConfig());
  const bucket = String(result.json.written).replace(/^s3:\/\/([^/]+)\/.*$/, '$1');
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  expect(await object.Body?.transformToString()).toBe('written by the probe');
  s3.destroy();
});

test('START, the function output, END and REPORT reach the CloudWatch log group', async () => {
  const marker = `marker-${Date.now()}`;
  const result = await invoke('Probe', { action: 'log', body: marker });
  const requestId = report(result.logs)['RequestId'];

  const messages = await waitFor('the REPORT line in CloudWatch Logs', async () => {
    const lines = (await logMessages(names.Probe)).filter(m => m.includes(requestId));
    return lines.some(l => l.startsWith('REPORT')) ? lines : undefined;
  });
  expect(messages.find(m => m.startsWith('START'))).toMatch(`START RequestId: ${requestId} Version: $LATEST`);
  expect(messages.some(m => m.includes(`probe says ${marker}`))).toBe(true);
  expect(messages.find(m => m.startsWith('END'))).toMatch(`END RequestId: ${requestId}`);
  expect(messages.find(m => m.startsWith('REPORT'))).toMatch(
    /Duration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB/,
  );
});

test('nothing of the local cloud listens beyond 127.0.0.1: the gateway, the Kinesis server and the runtime API servers', async () => {
  const { pid } = await localStatus(PROJECT_DIR);
  if (!pid) {
    return; // a LocalStack of the user's own (LOCALSTACK_ENDPOINT): not ours to check
  }
  await invoke('HelloPython', { name: 'sockets' }); // at least one runtime API server is open
  // LocalStack starts the Kinesis server with the first stream, or at the first Kinesis request after a restart.
  const kinesis = new KinesisClient(localClientConfig());
  await kinesis.send(new ListStreamsCommand({}));
  kinesis.destroy();

  const sockets = listeningSockets(processTree(pid));

  expect(sockets).toContainEqual(expect.objectContaining({ pid, port: 4566 }));
  expect(sockets.some(s => /kinesis/.test(s.command))).toBe(true); // the stream's server, a child process
  expect(sockets.filter(s => s.pid === pid && s.port !== 4566).length).toBeGreaterThan(0); // runtime API servers
  expect(sockets.filter(s => !isLoopback(s.address))).toEqual([]);
});

test('the URLs the local cloud gives out name 127.0.0.1, which needs no DNS: a code location, a queue URL', async () => {
  const { pid } = await localStatus(PROJECT_DIR);
  if (!pid) {
    return; // a LocalStack of the user's own (LOCALSTACK_ENDPOINT): its URLs are its configuration's
  }
  const lambda = new LambdaClient(localClientConfig());
  const code = (await lambda.send(new GetFunctionCommand({ FunctionName: names.HelloPython }))).Code?.Location ?? '';
  lambda.destroy();
  expect(code.startsWith(`${localEndpoint()}/`)).toBe(true);
  const archive = Buffer.from(await (await fetch(code)).arrayBuffer());
  expect(archive.subarray(0, 2).toString()).toBe('PK'); // a zip archive

  const sqs = new SQSClient(localClientConfig());
  const queueName = `stagegraph-url-${Date.now()}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
  try {
    expect(QueueUrl).toBe(`${localEndpoint()}/queue/us-east-1/000000000000/${queueName}`);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'addressed by its URL' }));
  } finally {
    await sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => undefined);
    sqs.destroy();
  }
});

test("the gateway's worker threads are started ahead of a first burst of requests (256, STAGEGRAPH_GATEWAY_THREADS)", async () => {
  const { pid } = await localStatus(PROJECT_DIR);
  if (!pid) {
    return; // a LocalStack of the user's own
  }
  // LocalStack alone runs about 30 threads; the pool grows in the background once the gateway is up.
  const threads = await waitFor(
    'the gateway thread pool to be grown',
    async () => {
      const count = Number(/^Threads:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf-8'))?.[1]);
      return count >= 256 + 14 ? count : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  expect(threads).toBeGreaterThanOrEqual(270); // the 256 and LocalStack's own (28 after a start here, at least 14)
});

test("a function's output goes to a file only its user can read, in the app's local cloud, not the shared /tmp", async () => {
  const { pid } = await localStatus(PROJECT_DIR);
  if (!pid) {
    return; // a LocalStack of the user's own
  }
  await invoke('HelloNodejs', { name: 'private' }); // a warm environment, its process alive
  const link = (file: string): string | undefined => {
    try {
      return fs.readlinkSync(file);
    } catch {
      return undefined; // gone meanwhile, or no such descriptor
    }
  };
  const runtimes = processTree(pid)
    .map(child => ({ log: link(`/proc/${child}/fd/1`), cwd: link(`/proc/${child}/cwd`) }))
    .filter(p => p.log !== undefined && /stagegraph-lambda-.*\.log$/.test(p.log));
  const logs = runtimes.map(p => p.log as string);

  expect(logs.length).toBeGreaterThan(0);
  // LocalStack's tmp folder: its temporary folder's path below FILESYSTEM_ROOT.
  const folder = path.join(localPaths(PROJECT_DIR).filesystem, os.tmpdir(), 'localstack', 'stagegraph-runtime-logs');
  for (const log of logs) {
    expect(path.dirname(log)).toBe(folder);
    expect(fs.statSync(log).mode & 0o777).toBe(0o600);
  }
  expect(fs.statSync(folder).mode & 0o777).toBe(0o700);
  expect(fs.statSync(localPaths(PROJECT_DIR).filesystem).mode & 0o777).toBe(0o700); // and all of the local cloud's
  // The function's code too: the runtime runs in it (LAMBDA_TASK_ROOT), unzipped below the app's local cloud.
  const codeDirs = runtimes.map(p => p.cwd as string);
  expect(codeDirs.length).toBeGreaterThan(0);
  for (const dir of codeDirs) {
    expect(dir.startsWith(localPaths(PROJECT_DIR).filesystem + path.sep)).toBe(true);
  }
});

function processGone(pid: number): Promise<true> {
  return waitFor(`process ${pid} to exit`, async () => (fs.existsSync(`/proc/${pid}`) ? undefined : true), {
    timeoutMs: 10_000,
    intervalMs: 50,
  });
}

describe.each(['Probe', 'ProbePython'])('%s', id => {
  test('a runtime that exits while waiting for its next event is replaced: the next invocation succeeds', async () => {
    // It exits 1.5 s after it returns, by when its runtime has posted the answer and waits for the next event: with
    // 300 ms, a CI run whose local cloud was busy once lost the answer to the exit (the invocation failed, as it would
    // on Lambda when a process dies before its runtime has answered).
    const first = await invoke(id, { action: 'exitLater', millis: 1500 });
    expect(first.functionError).toBeUndefined();
    await processGone(first.json.pid as number);

    const next = await invoke(id, { action: 'pid' });
    const after = await invoke(id, { action: 'pid' });

    expect(next.functionError).toBeUndefined();
    expect(next.json.pid).not.toBe(first.json.pid);
    expect(report(next.logs)['Init Duration']).toBeDefined(); // a cold start, as on Lambda
    expect(after.json.pid).toBe(next.json.pid);
  });

  test('an error of 500 KB comes back with its own type and message, not a runtime crash', async () => {
    const result = await invoke(id, { action: 'bigError', bytes: 500_000 });

    expect(result.functionError).toBe('Unhandled');
    expect(result.json.errorType).toBe(id === 'Probe' ? 'RangeError' : 'ValueError');
    expect(result.json.errorMessage).toMatch(/^x{1000}/);
    expect((await invoke(id, { action: 'pid' })).functionError).toBeUndefined();
  });
});

test('a RecursionError comes back as itself', async () => {
  const result = await invoke('ProbePython', { action: 'recurse' });

  expect(result.functionError).toBe('Unhandled');
  expect(result.json.errorType).toBe('RecursionError');
  expect(result.json.errorMessage).toMatch(/maximum recursion depth exceeded/);
});

describe.each([
  ['Probe', 256, { action: 'hold', mb: 400 }],
  ['ProbePython', 256, { action: 'hold', mb: 400 }],
  ['HelloJava', 1024, { holdMb: 1300 }],
  ['HelloGo', 128, { holdMb: 300 }],
])('%s (%p MB)', (id, memory, hold) => {
  test('going past its memory size stops it as Lambda does: Runtime.OutOfMemory, Max Memory Used at the limit, a fresh process next', async () => {
    const result = await invoke(id, hold);

    expect(result.functionError).toBe('Unhandled');
    expect(result.json).toEqual({
      errorType: 'Runtime.OutOfMemory',
      errorMessage: expect.stringMatching(/^RequestId: \S+ Error: Runtime exited with error: signal: killed$/),
    });
    expect(report(result.logs)['Max Memory Used']).toBe(`${memory} MB`);
    const next = await invoke(id, id.startsWith('Probe') ? { action: 'pid' } : { name: 'after' });
    // The error's payload and logs, if any, are in the failure message.
    expect({
      error: next.functionError,
      payload: next.functionError && next.payload,
      logs: next.functionError && next.logs,
    }).toEqual({ error: undefined, payload: undefined, logs: undefined });
    expect(report(next.logs)['Init Duration']).toBeDefined();
  });
});

test('Max Memory Used is the measured peak of the runtime process', async () => {
  const small = await invoke('ProbePython', { action: 'pid' });
  const grown = await invoke('ProbePython', { action: 'hold', mb: 120 });

  expect(grown.functionError).toBeUndefined();
  const before = parseInt(report(small.logs)['Max Memory Used'], 10);
  const after = parseInt(report(grown.logs)['Max Memory Used'], 10);
  expect(after - before).toBeGreaterThanOrEqual(115);
  expect(after).toBeLessThan(256);
});

describe('payload limits, as the Lambda API enforces them', () => {
  const lambda = () => new LambdaClient(localClientConfig());

  test('a synchronous request over 6 MB is refused with 413 RequestTooLargeException', async () => {
    const client = lambda();
    const big = JSON.stringify({ action: 'pid', pad: 'x'.repeat(6 * 1024 * 1024) });
    await expect(
      client.send(new InvokeCommand({ FunctionName: names.Probe, Payload: Buffer.from(big) })),
    ).rejects.toMatchObject({ name: 'RequestTooLargeException', $metadata: { httpStatusCode: 413 } });
    client.destroy();
  });

  test('an asynchronous event over 1 MB is refused; one under it is accepted', async () => {
    const client = lambda();
    const event = (bytes: number) => Buffer.from(JSON.stringify({ action: 'pid', pad: 'x'.repeat(bytes) }));
    await expect(
      client.send(
        new InvokeCommand({ FunctionName: names.Probe, InvocationType: 'Event', Payload: event(1024 * 1024 + 10) }),
      ),
    ).rejects.toMatchObject({ name: 'RequestTooLargeException', $metadata: { httpStatusCode: 413 } });
    const accepted = await client.send(
      new InvokeCommand({ FunctionName: names.Probe, InvocationType: 'Event', Payload: event(900 * 1024) }),
    );
    expect(accepted.StatusCode).toBe(202);
    client.destroy();
  });

  test('a response over 6 MB becomes Function.ResponseSizeTooLarge', async () => {
    const result = await invoke('ProbePython', { action: 'echo', bytes: 7 * 1024 * 1024 });

    expect(result.functionError).toBe('Unhandled');
    expect(result.json).toEqual({
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
    });
  });
});

test('a function whose runtime version cannot be had is named at deploy and fails clearly at invoke, never run on another', async () => {
  expect(deployed.flatMap(stack => stack.runtimeProblems)).toEqual([
    expect.objectContaining({
      function: 'LocalTestStack/HelloNode18',
      runtime: 'nodejs18.x',
      message: expect.stringMatching(/^nodejs18\.x cannot run locally: stagegraph runs Node\.js 20, 22, 24/),
    }),
  ]);

  const client = new LambdaClient(localClientConfig());
  const failure = await client
    .send(new InvokeCommand({ FunctionName: names.HelloNode18, Payload: Buffer.from('{}') }))
    .then(
      response => Buffer.from(response.Payload ?? []).toString(),
      (error: Error) => error.message,
    );
  client.destroy();
  expect(failure).toMatch(/nodejs18\.x needs Node\.js 18, which is not installed/);
});

test('an update of a function lets the invocation under way finish on the old version, logs included; the next runs the new one', async () => {
  const name = names.ProbePython;
  const marker = path.join(outdir, `rollover-${Date.now()}`);
  const release = `${marker}.release`;
  // An invocation that runs until the test releases it (at most 15 s of the function's 20).
  const answer = invoke('ProbePython', { action: 'wait', millis: 15_000, marker, release });
  await waitFor('the invocation to begin', async () => (fs.existsSync(marker) ? true : undefined), {
    timeoutMs: 60_000,
    intervalMs: 20,
  });
  const lambda = new LambdaClient(localClientConfig());
  const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  // A value of this run: a local cloud kept from an earlier run has that run's value.
  const rolled = `rolled-${Date.now()}`;
  await lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: name,
      Environment: { Variables: { ...(before.Environment?.Variables ?? {}), ROLLED: rolled } },
    }),
  );
  // Active on the new configuration: LocalStack has stopped the old version by then.
  await waitFor(
    'the update to complete',
    async () => {
      const now = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      return now.LastUpdateStatus === 'Successful' && now.Environment?.Variables?.ROLLED === rolled ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 50 },
  );
  fs.writeFileSync(release, '');
  const result = await answer;
  const requestId = fs.readFileSync(marker, 'utf-8');

  // It ended as its code said, on the old configuration, released after the update had completed.
  expect(result.json).toMatchObject({ released: true, rolled: before.Environment?.Variables?.ROLLED ?? null });
  expect(result.functionError).toBeUndefined();
  expect(report(result.logs).RequestId).toBe(requestId);
  // Its log lines were written by the old version's log handler before it stopped.
  await waitFor(`the REPORT line of ${requestId} in CloudWatch Logs`, async () =>
    (await logMessages(name)).some(m => m.startsWith(`REPORT RequestId: ${requestId}`)) ? true : undefined,
  );
  // The old environment is gone once its invocation ended; the next invocation runs the new configuration.
  await processGone(result.json.pid as number);
  const next = await invoke('ProbePython', { action: 'pid' });
  expect(next.json).toMatchObject({ rolled });
  expect(next.json.pid).not.toBe(result.json.pid);
  lambda.destroy();
});

test('deleting a function lets the invocation under way finish on its code, which is removed once it has', async () => {
  // A copy of ProbePython made for this test alone (the deployed app keeps its own), from the same code archive.
  const lambda = new LambdaClient(localClientConfig());
  const probe = await lambda.send(new GetFunctionCommand({ FunctionName: names.ProbePython }));
  const archive = Buffer.from(await (await fetch(probe.Code?.Location ?? '')).arrayBuffer());
  const name = `stagegraph-deleted-probe-${Date.now()}`;
  const marker = path.join(outdir, `deleted-${Date.now()}`);
  const release = `${marker}.release`;
  let answer: Promise<InvokeResult> | undefined;
  try {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: probe.Configuration?.Runtime,
        Handler: probe.Configuration?.Handler,
        Role: probe.Configuration?.Role,
        Timeout: 20,
        MemorySize: 256,
        Code: { ZipFile: archive },
      }),
    );
    await waitFor(
      `${name} to be active`,
      async () => {
        const now = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
        return now.State === 'Active' ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    const code = (await lambda.send(new GetFunctionCommand({ FunctionName: name }))).Code?.Location ?? '';
    expect((await fetch(code)).status).toBe(200);

    // It imports a module of its code only after the release, once the function has been deleted.
    answer = invokeLocal(name, JSON.stringify({ action: 'wait', millis: 15_000, marker, release, late: true }));
    await waitFor('the invocation to begin', async () => (fs.existsSync(marker) ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    await expect(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    fs.writeFileSync(release, '');
    const result = await answer;

    expect([result.functionError, JSON.parse(result.payload)]).toEqual([
      undefined,
      expect.objectContaining({ released: true, late: 'loaded after the wait' }),
    ]);
    // Nothing left behind: the code archive goes once the invocation has ended.
    await waitFor("the deleted function's code archive to be removed", async () =>
      (await fetch(code)).status === 404 ? true : undefined,
    );
  } finally {
    // Whatever failed, the invocation is released and awaited before the function goes.
    fs.writeFileSync(release, '');
    await answer?.catch(() => undefined);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name })).catch(() => undefined);
    lambda.destroy();
  }
});
