import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { localClientConfig } from '../../lib/local/endpoint';
import { isLoopback, listeningSockets, processTree } from '../integ/sockets';
import { waitFor } from '../../lib/testing';

// What a new user does, from the README alone: a fresh CDK app in a temp folder depends on the packed
// tarball (not this repository), installs the local cloud, starts it, deploys with the CDK CLI and with
// stagegraph, calls its functions through each trigger, reads the bill and stops the local cloud.
// It runs alone (jest project "consumer"), after the integration project has stopped its LocalStack.
jest.setTimeout(600_000);

const ROOT = path.join(__dirname, '..', '..');
const rootPackage = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));
const exec = promisify(execFile);
let work: string;
let consumer: string;
let packedFiles: string[];
const timings: Record<string, number> = {};

/** Runs a command in the consumer app as a user would, returning stdout and stderr (never throws). */
async function run(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ out: string; err: string; code: number }> {
  const started = Date.now();
  try {
    const { stdout, stderr } = await exec(command, args, {
      cwd: consumer,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { out: stdout, err: stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number };
    return { out: e.stdout ?? '', err: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  } finally {
    timings[[command.split('/').pop(), ...args].join(' ').slice(0, 60)] = Date.now() - started;
  }
}

const stagegraph = (...args: string[]) => run(path.join(consumer, 'node_modules', '.bin', 'stagegraph'), args);

function ok(result: { out: string; err: string; code: number }): string {
  if (result.code !== 0) {
    throw new Error(`exit code ${result.code}\n${result.out}\n${result.err}`);
  }
  return result.out;
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-consumer-'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf-8' }),
  ) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packedFiles = packed[0].files.map(f => f.path);
  consumer = path.join(work, 'my-app');
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(consumer, file)), { recursive: true });
    fs.writeFileSync(path.join(consumer, file), text);
  };
  write('bin/app.ts', fs.readFileSync(path.join(__dirname, 'app.ts'), 'utf-8'));
  // A local integration test's part as the README shows it: the running local cloud reused, an app deployed
  // from this process, an invocation and its REPORT figures read back.
  write(
    'bin/kit-check.ts',
    [
      "import { Stack } from 'aws-cdk-lib';",
      "import { StageCode, StageFunction } from 'stagegraph';",
      "import { LocalCloud, testApp } from 'stagegraph/testing';",
      'async function main(): Promise<void> {',
      "  const stack = new Stack(testApp({ build: true }), 'KitCheck');",
      "  const fn = new StageFunction(stack, 'Greeter', { code: StageCode.fromNodejs('functions/greeter'), memorySize: 128 });",
      '  const cloud = await LocalCloud.start();',
      '  const deployed = await cloud.deploy(stack);',
      '  const since = new Date();',
      "  const result = await deployed.invoke(fn, { name: 'kit' });",
      '  const run = await deployed.nextInvocation(fn, { since });',
      '  console.log(JSON.stringify({ started: cloud.started, result, billed: run.report.billedDurationMillis }));',
      '  await cloud.stop();',
      '}',
      '// An error ends the process with code 1, as an unhandled rejection does.',
      'void main();',
      '',
    ].join('\n'),
  );
  // A snapshot test's part as the README shows it, from the testing entry point (types and code).
  write(
    'bin/snapshot-check.ts',
    [
      "import { Stack } from 'aws-cdk-lib';",
      "import { StageCode, StageFunction } from 'stagegraph';",
      "import { stableTemplate, testApp } from 'stagegraph/testing';",
      "import serializer = require('stagegraph/testing/serializer');",
      "const stack = new Stack(testApp(), 'Snap');",
      "new StageFunction(stack, 'Greeter', { code: StageCode.fromNodejs('functions/greeter'), memorySize: 192 });",
      'console.log(JSON.stringify({ template: stableTemplate(stack), serializerTakes: serializer.test({ Resources: {} }) }));',
      '',
    ].join('\n'),
  );
  // A user's Jest suite as the README's "Testing your app" shows it: the local cloud started once by the kit's
  // global setup, the serializer, a snapshot test and a local integration test (a trigger and a flow with a
  // mocked, failing step), compiled by tsc and run by the app's own Jest.
  write(
    'jest.config.js',
    [
      'module.exports = {',
      "  testMatch: ['<rootDir>/dist/test/**/*.test.js'],",
      "  testEnvironment: 'node',",
      "  globalSetup: 'stagegraph/testing/jest-setup',",
      "  globalTeardown: 'stagegraph/testing/jest-teardown',",
      "  snapshotSerializers: ['stagegraph/testing/serializer'],",
      "  snapshotResolver: '<rootDir>/snapshot-resolver.js',",
      '};',
      '',
    ].join('\n'),
  );
  // Snapshots beside the TypeScript sources, not the compiled files.
  write(
    'snapshot-resolver.js',
    [
      "const path = require('path');",
      'module.exports = {',
      "  resolveSnapshotPath: (test, ext) => path.join(__dirname, 'test', '__snapshots__', path.basename(test) + ext),",
      "  resolveTestPath: (snap, ext) => path.join(__dirname, 'dist', 'test', path.basename(snap).slice(0, -ext.length)),",
      "  testPathForConsistencyCheck: path.join(__dirname, 'dist', 'test', 'example.test.js'),",
      '};',
      '',
    ].join('\n'),
  );
  write(
    'test/snapshot.test.ts',
    [
      "import { Stack } from 'aws-cdk-lib';",
      "import { StageCode, StageFunction } from 'stagegraph';",
      "import { stableTemplate, testApp } from 'stagegraph/testing';",
      '',
      "test('the greeter stack', () => {",
      "  const stack = new Stack(testApp(), 'Shop');",
      "  new StageFunction(stack, 'Greeter', { code: StageCode.fromNodejs('functions/greeter'), memorySize: 512 });",
      '  expect(stableTemplate(stack)).toMatchSnapshot();',
      '});',
      '',
    ].join('\n'),
  );
  write(
    'test/local.test.ts',
    [
      "import { Stack } from 'aws-cdk-lib';",
      "import { Flow, FunctionGraph, ObsBucket, ObsTrigger, StageCode, StageFunction } from 'stagegraph';",
      "import { DeployedApp, LocalCloud, StepMock, testApp } from 'stagegraph/testing';",
      '',
      "const stack = new Stack(testApp({ build: true }), 'KitLocal');",
      "const uploads = new ObsBucket(stack, 'Uploads');",
      "const onUpload = new StageFunction(stack, 'OnUpload', {",
      "  code: StageCode.fromPython('functions/on-upload'),",
      '  memorySize: 128,',
      '  triggers: [new ObsTrigger(uploads)],',
      '});',
      "const greeter = new StageFunction(stack, 'Greeter', { code: StageCode.fromNodejs('functions/greeter'), memorySize: 128 });",
      "const greeting = new FunctionGraph(stack, 'Greeting', {",
      '  definition: Flow.sequence(',
      "    Flow.invoke('Greet', greeter, { resultPath: '$.greeting' }).catch(Flow.fail('NoGreeting', { error: 'NoGreeting' })),",
      "    Flow.succeed('Greeted'),",
      '  ),',
      '});',
      '',
      'let cloud: LocalCloud;',
      'let deployed: DeployedApp;',
      'beforeAll(async () => {',
      '  cloud = await LocalCloud.start();',
      '  deployed = await cloud.deploy(stack);',
      '}, 300_000);',
      'afterAll(async () => {',
      '  await cloud.destroy();',
      '  await cloud.stop();',
      '}, 120_000);',
      '',
      "test('an upload runs the Python function with the object in its event', async () => {",
      '  const since = new Date();',
      "  await deployed.upload(uploads, 'in/cat.jpg', 'bytes');",
      '  const run = await deployed.nextInvocation(onUpload, { since });',
      "  expect(JSON.stringify(run.event)).toContain('in/cat.jpg');",
      '  expect(run.result).toEqual({ records: 1 });',
      "  expect(run.logs.join('\\n')).toContain('uploaded in/cat.jpg');",
      '});',
      '',
      "test('the flow greets with the real function, and takes its failing branch when the step is mocked to throw', async () => {",
      "  const real = await deployed.runFlow(greeting, { name: 'flow' });",
      "  expect(real.output).toEqual({ name: 'flow', greeting: { greeting: 'hi flow' } });",
      "  const failed = await deployed.runFlow(greeting, { name: 'flow' }, { mocks: { Greet: StepMock.throws('Down') } });",
      "  expect(failed).toEqual(expect.objectContaining({ status: 'FAILED', error: 'NoGreeting' }));",
      "  expect(failed.steps.map(step => step.name)).toEqual(['Greet', 'NoGreeting']);",
      '});',
      '',
    ].join('\n'),
  );
  write(
    'tsconfig.test.json',
    // The app's settings, with Jest's globals, for the tests.
    JSON.stringify({ extends: './tsconfig.json', compilerOptions: { types: ['jest'] }, include: ['test/**/*.ts'] }),
  );
  write(
    'functions/greeter/index.ts',
    [
      'export const handler = async (event: { name?: string; queryStringParameters?: { name?: string } }) => {',
      '  const name = event.queryStringParameters?.name ?? event.name ?? "world";',
      '  const greeting = { greeting: `hi ${name}` };',
      '  return event.queryStringParameters ? { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(greeting) } : greeting;',
      '};',
      '',
    ].join('\n'),
  );
  write(
    'functions/on-upload/index.py',
    [
      'def handler(event, context):',
      '    for record in (event or {}).get("Records", []):',
      '        print("uploaded", record["s3"]["object"]["key"])',
      '    return {"records": len((event or {}).get("Records", []))}',
      '',
    ].join('\n'),
  );
  write(
    'package.json',
    JSON.stringify(
      {
        name: 'my-app',
        version: '1.0.0',
        private: true,
        dependencies: {
          stagegraph: `file:${path.join(work, packed[0].filename)}`,
          'aws-cdk-lib': rootPackage.devDependencies['aws-cdk-lib'],
          constructs: rootPackage.devDependencies.constructs,
        },
        devDependencies: {
          'aws-cdk': rootPackage.devDependencies['aws-cdk'],
          jest: rootPackage.devDependencies.jest,
          '@types/jest': rootPackage.devDependencies['@types/jest'],
        },
      },
      null,
      2,
    ),
  );
  write(
    'tsconfig.json',
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'commonjs',
        strict: true,
        outDir: 'dist',
        rootDir: '.',
        skipLibCheck: true,
        types: [],
      },
      include: ['bin/**/*.ts'],
    }),
  );
  write('cdk.json', JSON.stringify({ app: 'node dist/bin/app.js' }));
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: consumer,
    stdio: 'ignore',
  });
  // TypeScript comes from this repository: `npm i -D typescript` gives 7.x, which the README explains.
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: consumer });
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.test.json'], { cwd: consumer });
});

afterAll(async () => {
  await stagegraph('local', 'down');
  process.stderr.write(`[consumer] timings (ms): ${JSON.stringify(timings, null, 1)}\n`);
  fs.rmSync(work, { recursive: true, force: true });
});

test("the tarball holds the compiled library, the CLI and the local cloud's extension, not the sources or tests", () => {
  expect(packedFiles).toEqual(
    expect.arrayContaining([
      'dist/lib/index.js',
      'dist/lib/index.d.ts',
      'dist/bin/stagegraph.js',
      'localstack/pyproject.toml',
      'localstack/constraints.txt',
      'localstack/java-runtime/pom.xml',
      'localstack/stagegraph_localstack/executor.py',
      'localstack/stagegraph_localstack/bootstrap/node-bootstrap.js',
    ]),
  );
  expect(
    packedFiles.filter(f => /^(lib|test|bin)\/|localstack\/tests\/|__pycache__|\.ts$/.test(f) && !f.endsWith('.d.ts')),
  ).toEqual([]);
});

test('the CDK CLI synthesizes the app, building its functions with the packed library', async () => {
  ok(await run(path.join(consumer, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet']));

  const template = JSON.parse(fs.readFileSync(path.join(consumer, 'cdk.out', 'ConsumerStack.template.json'), 'utf-8'));
  const functions = Object.values(
    template.Resources as Record<string, { Type: string; Properties: { MemorySize: number; Code: { S3Key: string } } }>,
  ).filter(r => r.Type === 'AWS::Lambda::Function');
  expect(functions.map(f => f.Properties.MemorySize).sort()).toEqual([128, 192, 256]); // OnUpload, Greeter, the meter
  expect(
    fs.readFileSync(
      path.join(
        consumer,
        'cdk.out',
        `asset.${functions.find(f => f.Properties.MemorySize === 192)?.Properties.Code.S3Key.replace(/\.zip$/, '')}`,
        'index.js',
      ),
      'utf-8',
    ),
  ).toContain('hi ${name}');
});

test('stagegraph/testing works from the tarball: a stable template and the snapshot serializer', async () => {
  const out = JSON.parse(ok(await run('node', [path.join(consumer, 'dist', 'bin', 'snapshot-check.js')]))) as {
    template: { Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }> };
    serializerTakes: boolean;
  };
  const fn = Object.values(out.template.Resources).find(r => r.Type === 'AWS::Lambda::Function');
  expect(fn?.Properties.Code?.S3Key).toBe('<asset-hash>.zip');
  expect(JSON.stringify(out.template)).not.toMatch(/[0-9a-f]{64}/);
  expect(out.serializerTakes).toBe(true);
});

test('the packed CLI prints its version and summarizes the app', async () => {
  expect(ok(await stagegraph('--version')).trim()).toBe(rootPackage.version);

  const summary = JSON.parse(ok(await stagegraph('synth', '--json')));
  expect(summary.stacks).toEqual(['ConsumerStack']);
  expect(summary.functions).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        path: 'ConsumerStack/Greeter/Function/Resource',
        runtime: 'nodejs22.x',
        memoryMb: 192,
      }),
    ]),
  );
});

test("local install uses the install shared by the user's apps: nothing big in the app folder", async () => {
  const out = ok(await stagegraph('local', 'install'));

  expect(out).toMatch(/(Installed in|Already installed and up to date in) .*localstack-2026\.3\.0\/venv/);
  expect(fs.existsSync(path.join(consumer, '.stagegraph', 'localstack', 'venv'))).toBe(false);
});

test('local up starts the local cloud on 127.0.0.1 only and bootstraps it', async () => {
  const result = await stagegraph('local', 'up');

  expect(ok(result)).toContain('LocalStack is up at http://127.0.0.1:4566');
  const pid = JSON.parse(fs.readFileSync(path.join(consumer, '.stagegraph', 'localstack', 'localstack.pid'), 'utf-8'))
    .pid as number;
  const sockets = listeningSockets(processTree(pid));
  expect(sockets.length).toBeGreaterThan(0);
  expect(sockets.filter(s => !isLoopback(s.address))).toEqual([]);
});

test('the CDK CLI deploys the app to the local cloud with the environment `local env` prints', async () => {
  const env = ok(await stagegraph('local', 'env'));
  expect(env).toContain("export AWS_ENDPOINT_URL='http://127.0.0.1:4566'");

  ok(
    await run('bash', [
      '-c',
      'eval "$(node_modules/.bin/stagegraph local env)" && node_modules/.bin/cdk deploy --all --require-approval never',
    ]),
  );

  const cloudformation = new CloudFormationClient(localClientConfig());
  const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: 'ConsumerStack' }));
  cloudformation.destroy();
  expect(Stacks?.[0].StackStatus).toBe('CREATE_COMPLETE');
});

let localUrl: string;

test("stagegraph local deploy prints one line per stack and the HTTP API's local URL, not every event", async () => {
  const result = await stagegraph('local', 'deploy');

  const out = ok(result);
  expect(out).toMatch(/^ConsumerStack: (no changes|deployed), \d+ resources$/m);
  localUrl = /StageHttpApi \(local URL, works offline\) = (\S+)/.exec(out)?.[1] ?? '';
  expect(localUrl).toMatch(/^http:\/\/127\.0\.0\.1:4566\/_aws\/execute-api\/\w+\/live\/$/);
  // The REST API's own Endpoint output names a host no resolver knows locally: said so beside it.
  expect(/^ {2}StageHttpApiEndpoint\w* = https:\/\/\w+\.execute-api\.\S+( .*)$/m.exec(out)?.[1]).toBe(
    ' (not reachable locally: use the local URL below)',
  );
  expect(`${out}${result.err}`).not.toMatch(/CREATE_IN_PROGRESS|UPDATE_IN_PROGRESS/);
});

test('the HTTP trigger answers at the printed local URL', async () => {
  const response = await fetch(`${localUrl}greet?name=you`);

  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ greeting: 'hi you' });
});

test('stagegraph invoke runs a function by its id', async () => {
  const out = ok(await stagegraph('invoke', 'Greeter', '--event', '{"name":"cli"}'));

  expect(out).toContain('"greeting":"hi cli"');
});

test('stagegraph/testing deploys an app from a test process to the running local cloud and reads its invocation', async () => {
  const out = JSON.parse(
    ok(await run('node', [path.join(consumer, 'dist', 'bin', 'kit-check.js')]))
      .trim()
      .split('\n')
      .pop() ?? '',
  ) as {
    started: boolean;
    result: unknown;
    billed: number;
  };
  expect(out).toEqual({ started: false, result: { greeting: 'hi kit' }, billed: expect.any(Number) });
  expect(out.billed).toBeGreaterThan(0);
});

test("the user's Jest suite written as the README shows runs: a snapshot, a trigger and a mocked flow test", async () => {
  const jest = path.join(consumer, 'node_modules', '.bin', 'jest');
  // The first run writes the snapshot; the second, with --ci, must match it and runs the local tests too.
  // A user writes it once on their machine (--ci=false: CI, as here, writes no snapshot by itself).
  const first = await run(jest, ['--ci=false', 'dist/test/snapshot.test.js']);
  expect(`${first.out}${first.err}`).toMatch(/1 snapshot written/);
  const suite = await run(jest, ['--ci']);
  const report = `${suite.out}${suite.err}`;
  expect({ code: suite.code, report }).toEqual({
    code: 0,
    report: expect.stringMatching(/Tests:\s+3 passed, 3 total/),
  });
  expect(report).toMatch(/Snapshots:\s+1 passed, 1 total/);
  const snapshot = fs.readFileSync(path.join(consumer, 'test', '__snapshots__', 'snapshot.test.js.snap'), 'utf-8');
  expect(snapshot).toContain('"MemorySize": 512');
  expect(snapshot).not.toMatch(/[0-9a-f]{64}/);
  // The kit's teardown deleted the stack the suite deployed; the local cloud the user started runs on.
  expect(ok(await stagegraph('local', 'status'))).toMatch(/is running at .*started by stagegraph/);
  const cloudformation = new CloudFormationClient(localClientConfig());
  await expect(cloudformation.send(new DescribeStackResourcesCommand({ StackName: 'KitLocal' }))).rejects.toThrow(
    /does not exist/,
  );
  cloudformation.destroy();
});

test('an upload to the bucket runs the Python function, and stagegraph logs shows it', async () => {
  const cloudformation = new CloudFormationClient(localClientConfig());
  const { StackResources } = await cloudformation.send(
    new DescribeStackResourcesCommand({ StackName: 'ConsumerStack' }),
  );
  cloudformation.destroy();
  const bucket = StackResources?.find(
    r => r.ResourceType === 'AWS::S3::Bucket' && r.LogicalResourceId?.startsWith('Uploads'),
  )?.PhysicalResourceId;
  const s3 = new S3Client(localClientConfig());
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'in/hello.txt', Body: 'hello' }));
  s3.destroy();

  const logs = await waitFor(
    "the upload in the function's log",
    async () => {
      const out = (await stagegraph('logs', 'OnUpload')).out;
      return out.includes('uploaded in/hello.txt') ? out : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 1000 },
  );
  expect(logs).toMatch(/REPORT RequestId/);
});

test("stagegraph start invokes only the app's own functions, and suggests one that exists", async () => {
  const result = await stagegraph('start');

  const out = ok(result);
  expect(out).toMatch(/^ConsumerStack\/Greeter: ok/m);
  expect(out).toMatch(/^ConsumerStack\/OnUpload: ok/m);
  expect(out).not.toMatch(/Billing|Meter|FAILED/);
  expect(out).toContain('try `npx stagegraph invoke Greeter`');
});

test('stagegraph bill shows what each function used', async () => {
  const bill = await waitFor(
    'the bill of the Greeter',
    async () => {
      const out = (await stagegraph('bill')).out;
      return /ConsumerStack\/Greeter\s+\d+/.test(out) ? out : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 2000 },
  );

  expect(bill).toMatch(/total\s+\d+/);
});

test('local down stops it; status then says it is not running, with exit code 3', async () => {
  expect(ok(await stagegraph('local', 'down'))).toMatch(/Stopped LocalStack \(pid \d+\)/);

  const status = await stagegraph('local', 'status');
  expect(status.code).toBe(3);
  expect(status.out).toContain('LocalStack is not running at http://127.0.0.1:4566');
  const invoke = await stagegraph('invoke', 'Greeter');
  expect(invoke.code).toBe(3);
  expect(invoke.err).toMatch(/local cloud is not running at http:\/\/127\.0\.0\.1:4566.*stagegraph local up/);
});
