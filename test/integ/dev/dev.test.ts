import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { findDeployedFunction } from '../../../lib/app/deployed';
import { waitFor as waitForValue, WaitOptions } from '../../../lib/app/wait';
import { localClientConfig, localEndpoint } from '../../../lib/local/endpoint';
import { debugSessions, startDebugging, stopDebugging } from '../../../lib/local/debug';
import { DapClient, InspectorClient } from './debug-clients';
import { makeDevProject } from './dev-project';

// `stagegraph dev` as a user runs it: in a real terminal (tmux, 80 columns), in a project of its own with a Node.js
// and a Python function. The test edits files as an editor saves them, invokes through the Lambda API, reads the
// terminal with capture-pane, and stops dev with Ctrl-C.
jest.setTimeout(420_000);

const ROOT = path.join(__dirname, '..', '..', '..');
const SESSION = `stagegraph-dev-${process.pid}`;
// Ports of the debuggers: not the languages' usual ones, which a developer's own tools may hold.
const NODE_DEBUG_PORT = 9329;
const PYTHON_DEBUG_PORT = 5778;
// DevQuiet is a stack no test changes; Greeter a flow over the Node.js function.
const project = makeDevProject(
  fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-dev-')),
  ['nodejs', 'python'],
  [
    "new (require('aws-cdk-lib/aws-sns').Topic)(new Stack(app, 'DevQuiet'), 'Quiet');",
    "new FunctionGraph(Stack.of(fnNodejs), 'Greeter', { definition: Flow.sequence(Flow.invoke('Greet', fnNodejs), Flow.succeed('Done')) });",
  ].join('\n'),
);
const assembly = path.join(project, 'cdk.out');
const lambda = new LambdaClient(localClientConfig());
const cloudformation = new CloudFormationClient(localClientConfig());

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf-8' });
}

/** The terminal as the user sees it: every line as tmux wrapped it (`-J` would join what tmux wrapped). */
function screen(joined = false): string {
  return tmux('capture-pane', '-p', ...(joined ? ['-J'] : []), '-S', '-2000', '-t', SESSION);
}

/** The screen with the live log's own wrapping undone: a line that goes on below starts with `│ ` under the prefix. */
function unwrapped(): string {
  return screen(true).replace(/\n {20,}│ /g, ' ');
}

/** The lib's wait, whose failure shows the dev screen as it was at the deadline (what dev was doing, or not). */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, options?: WaitOptions): Promise<T> {
  try {
    return await waitForValue(what, probe, options);
  } catch (error) {
    let shown: string;
    try {
      shown = screen(true).trimEnd().split('\n').slice(-60).join('\n');
    } catch (e) {
      shown = `(the screen could not be read: ${(e as Error).message})`;
    }
    throw new Error(`${(error as Error).message}\n--- the dev screen's last lines ---\n${shown}`);
  }
}

function waitForScreen(what: string, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  return waitFor(`${what} on the dev screen`, async () => (pattern.test(screen()) ? screen() : undefined), {
    timeoutMs,
    intervalMs: 100,
  });
}

async function invoke(name: string, event: unknown = {}): Promise<string> {
  const fn = await findDeployedFunction(assembly, name);
  const answer = await lambda.send(
    new InvokeCommand({ FunctionName: fn.functionName, Payload: Buffer.from(JSON.stringify(event)) }),
  );
  return Buffer.from(answer.Payload ?? []).toString('utf-8');
}

async function stackUpdatedAt(stack = 'DevNodejs'): Promise<string> {
  const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: stack }));
  return String(Stacks?.[0]?.LastUpdatedTime ?? Stacks?.[0]?.CreationTime);
}

/** Saves a new version of a file the way an editor does: the whole file, in place. */
function edit(file: string, change: (text: string) => string): void {
  const full = path.join(project, file);
  fs.writeFileSync(full, change(fs.readFileSync(full, 'utf-8')));
}

beforeAll(async () => {
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  // The integration run's local cloud belongs to this repository's project: the user's project uses it as their own.
  const command =
    `LOCALSTACK_ENDPOINT=${localEndpoint()} ${tsx} ${path.join(ROOT, 'bin', 'stagegraph.ts')} dev ` +
    `--debug HelloNodejs --debug-port ${NODE_DEBUG_PORT}; ` +
    'echo "dev exited with $?"; sleep 600';
  tmux('new-session', '-d', '-s', SESSION, '-x', '80', '-y', '50', '-c', project, command);
  await waitForScreen('the first deploy', /watching .*|failed/, 300_000);
  expect(unwrapped()).toMatch(/watching .* \(2 functions built from source\); Ctrl-C stops/);
});

afterAll(() => {
  try {
    tmux('kill-session', '-t', SESSION);
  } catch {
    // already gone
  }
  lambda.destroy();
  cloudformation.destroy();
  fs.rmSync(project, { recursive: true, force: true });
});

test('a saved change to a function runs on the next invocation, swapped in without a deploy', async () => {
  expect(await invoke('HelloNodejs')).toContain('"hello, world"');
  const before = await stackUpdatedAt();

  const saved = Date.now();
  edit('functions/nodejs/greeting.ts', text =>
    text.replace('return `hello, ${name}`;', "console.log('greeting', name);\n  return `hello again, ${name}`;"),
  );
  const answer = await waitFor(
    'the new Node.js code',
    async () => {
      const payload = await invoke('HelloNodejs', { name: 'dev' });
      return payload.includes('hello again, dev') ? payload : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 20 },
  );
  const nodeMillis = Date.now() - saved;

  edit('functions/python/index.py', text => text.replace('f"hello, {name}"', 'f"hi there, {name}"'));
  const pythonSaved = Date.now();
  await waitFor(
    'the new Python code',
    async () => ((await invoke('HelloPython')).includes('hi there, world') ? true : undefined),
    { timeoutMs: 60_000, intervalMs: 20 },
  );
  const pythonMillis = Date.now() - pythonSaved;

  expect(answer).toContain('hello again, dev');
  expect(await stackUpdatedAt()).toBe(before);
  const text = unwrapped();
  expect(text).toMatch(/DevNodejs\/HelloNodejs: new code in \d+ ms/);
  expect(text).toMatch(/DevPython\/HelloPython: new code in \d+ ms/);
  // A loaded CI machine is slower than the benchmark's figures; the bound still catches a deploy (15 s and more).
  expect(nodeMillis).toBeLessThan(8_000);
  expect(pythonMillis).toBeLessThan(8_000);
});

test('code that cannot start after a save shows INIT failed in the live log, and the next save runs again', async () => {
  const good = fs.readFileSync(path.join(project, 'functions/python/index.py'), 'utf-8');
  edit('functions/python/index.py', text => `${text}\ndef broken(:\n`);
  // The local cloud answers an environment that cannot start with an error (Lambda's Runtime.UserCodeSyntaxError).
  const answerOf = () => invoke('HelloPython').catch((error: Error) => error.message);
  const failed = await waitFor(
    'the broken code',
    async () => {
      const answer = await answerOf();
      return answer.includes('hi there') ? undefined : answer;
    },
    { timeoutMs: 30_000, intervalMs: 50 },
  );
  expect(failed).toMatch(/Syntax ?error/i);
  await waitForScreen(
    'INIT failed in the live log',
    /HelloPython\s+│ INIT failed: Runtime\.UserCodeSyntaxError: Syntax/,
  );

  edit('functions/python/index.py', () => good);
  await waitFor('the repaired code', async () => ((await answerOf()).includes('hi there') ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 50,
  });
});

test('one live log: each invocation with its output, START and REPORT figures and cost, within 80 columns', async () => {
  await invoke('HelloNodejs', { name: 'live-log' });
  const text = await waitForScreen('the invocation in the live log', /INFO greeting live-log/);

  expect(text).toMatch(/HelloNodejs\s+│ START [0-9a-f]{8}/);
  expect(text).toMatch(/HelloNodejs\s+│ INFO greeting live-log/);
  expect(unwrapped()).toMatch(/HelloNodejs\s+│ REPORT \d+\.\d\d ms \(billed \d+ ms\)/);
  expect(unwrapped()).toMatch(/\$0\.0000\d+/);
  // Lines the live log wrapped itself stay within the pane: tmux wrapped none of them.
  for (const line of screen(true).split('\n')) expect(line.length).toBeLessThanOrEqual(80);
});

test("the live log shows a flow execution's states as they happen", async () => {
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  execFileSync(tsx, [path.join(ROOT, 'bin', 'stagegraph.ts'), 'flow', 'run', 'Greeter', '{"name":"flow"}'], {
    cwd: project,
    env: { ...process.env, LOCALSTACK_ENDPOINT: localEndpoint() },
  });
  const text = await waitForScreen('the flow in the live log', /Greeter\s+│ ✔ …\S+ succeeded/);

  expect(text).toMatch(/Greeter\s+│ ▶ …\S+ started/);
  expect(text).toMatch(/Greeter\s+│ → Greet\n/);
  expect(text).toMatch(/Greeter\s+│ ✔ Greet\n/);
  expect(text).toMatch(/Greeter\s+│ ✔ Done\n/);
  expect(text).toMatch(/HelloNodejs\s+│ INFO greeting flow/);
});

test('--debug: a Node.js breakpoint in the handler is hit with the event in scope, outlives the timeout, and resumes', async () => {
  expect(unwrapped()).toMatch(
    new RegExp(`debugging DevNodejs/HelloNodejs: .* the Node.js inspector on 127\\.0\\.0\\.1:${NODE_DEBUG_PORT}`),
  );
  // The environment started under the inspector.
  await invoke('HelloNodejs', { name: 'warm' });
  const inspector = await InspectorClient.connect(NODE_DEBUG_PORT);
  try {
    const parsed = inspector.event('Debugger.scriptParsed', 10_000, p => /\/index\.js$/.test(String(p.url)));
    await inspector.send('Debugger.enable');
    const scriptId = String((await parsed).params?.scriptId);
    const { scriptSource } = await inspector.send('Debugger.getScriptSource', { scriptId });
    const lineNumber = String(scriptSource)
      .split('\n')
      .findIndex(line => line.includes('greeting(event.name'));
    expect(lineNumber).toBeGreaterThanOrEqual(0);
    await inspector.send('Debugger.setBreakpoint', { location: { scriptId, lineNumber } });

    const paused = inspector.event('Debugger.paused', 30_000);
    const fn = await findDeployedFunction(assembly, 'HelloNodejs');
    const invocation = lambda.send(
      new InvokeCommand({ FunctionName: fn.functionName, Payload: Buffer.from('{"name":"breakpoint"}') }),
    );
    const frames = (await paused).params?.callFrames as { callFrameId: string }[];
    const { result } = await inspector.send('Debugger.evaluateOnCallFrame', {
      callFrameId: frames[0].callFrameId,
      expression: 'JSON.stringify(event)',
    });
    expect((result as { value: string }).value).toContain('"name":"breakpoint"');
    // Held at the breakpoint past the function's 2 s timeout, on purpose: the invocation must still be waiting.
    await new Promise(resolve => setTimeout(resolve, 2_500));
    await inspector.send('Debugger.resume');
    const answer = await invocation;

    expect(answer.FunctionError).toBeUndefined();
    expect(Buffer.from(answer.Payload ?? []).toString()).toContain('hello again, breakpoint');
  } finally {
    inspector.close();
  }
});

test('a Python breakpoint through debugpy is hit with the event in scope, and resumes', async () => {
  const fn = await findDeployedFunction(assembly, 'HelloPython');
  await startDebugging(fn.functionName, PYTHON_DEBUG_PORT);
  let dap: DapClient | undefined;
  try {
    // The environment started under debugpy; the local cloud says where its code runs from.
    await invoke('HelloPython', { name: 'warm' });
    const dir = (await debugSessions()).codeDirs[fn.functionName];
    const file = path.join(dir, 'index.py');
    const line =
      fs
        .readFileSync(file, 'utf-8')
        .split('\n')
        .findIndex(l => l.includes('"message"')) + 1;
    expect(line).toBeGreaterThan(0);

    dap = await DapClient.connect(PYTHON_DEBUG_PORT);
    await dap.request('initialize', { adapterID: 'debugpy', clientID: 'stagegraph-test', pathFormat: 'path' });
    const attach = dap.send('attach', { justMyCode: false });
    await dap.event('initialized', 30_000);
    await dap.request('setBreakpoints', { source: { path: file }, breakpoints: [{ line }] });
    await dap.request('configurationDone');
    await dap.response(attach);

    const stopped = dap.event('stopped', 30_000);
    const invocation = invoke('HelloPython', { name: 'breakpoint' });
    const threadId = (await stopped).body?.threadId;
    const trace = await dap.request('stackTrace', { threadId });
    const frameId = (trace.stackFrames as { id: number }[])[0].id;
    const evaluated = await dap.request('evaluate', { expression: 'event', frameId, context: 'repl' });
    expect(String(evaluated.result)).toContain("'name': 'breakpoint'");
    await dap.request('continue', { threadId });

    expect(await invocation).toContain('hi there, breakpoint');
  } finally {
    dap?.close();
    await stopDebugging(fn.functionName);
  }
});

test('a change to the app deploys it, and only the stack that changed is updated', async () => {
  const untouched = await stackUpdatedAt('DevQuiet');
  edit('app.ts', text =>
    text.replace(
      'memorySize: 128, timeout: Duration.seconds(2) }',
      "memorySize: 128, timeout: Duration.seconds(2), environment: { DEV_MARK: 'on' } }",
    ),
  );
  await waitFor(
    'the deploy on the dev screen',
    async () =>
      // Either order: the stacks are listed as their deploys end.
      /deployed in [\d.]+ s: updated (\w+, )?DevNodejs|deploying the app failed/.test(unwrapped()) ? true : undefined,
    { timeoutMs: 180_000, intervalMs: 200 },
  );

  // DevPython's template changed too: its code was swapped in by the first test, and the synth builds it.
  expect(unwrapped()).toMatch(/deployed in [\d.]+ s: updated (DevNodejs, DevPython|DevPython, DevNodejs)$/m);
  expect(await stackUpdatedAt('DevQuiet')).toBe(untouched);
  expect(unwrapped()).toMatch(/app\.ts changed: deploying the app/);
  const fn = await findDeployedFunction(assembly, 'HelloNodejs');
  const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.functionName }));
  expect(config.Environment?.Variables?.DEV_MARK).toBe('on');
  // The swapped code is what the deploy built too.
  expect(await invoke('HelloNodejs', { name: 'dev' })).toContain('hello again, dev');
});

test('Ctrl-C stops watching and leaves the local cloud running', async () => {
  tmux('send-keys', '-t', SESSION, 'C-c');
  await waitForScreen('dev to end', /dev exited with \d+/, 30_000);

  expect(unwrapped()).toMatch(/the local cloud keeps running: `stagegraph local down` stops it/);
  // 0, or 130 (the usual status after Ctrl-C) when tsx, which runs the CLI here, relays the signal a second time
  // on a loaded machine; either way dev ran its clean-up (the line above) and the local cloud still answers.
  expect(screen(true)).toMatch(/dev exited with (0|130)\b/);
  const health = await fetch(`${localEndpoint()}/_localstack/health`);
  expect(health.ok).toBe(true);
});
