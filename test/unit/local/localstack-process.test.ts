import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { installLocalStack } from '../../../lib/local/install';
import {
  isAlive,
  localStatus,
  processStartTicks,
  rotateLog,
  stopLocalStack,
  tail,
} from '../../../lib/local/localstack-process';
import { localPaths } from '../../../lib/local/paths';
import { tempDirPerTest } from '../../helpers';

// The local cloud's pid file and install, without starting LocalStack: a stale pid file must never make
// stagegraph signal or name another process, and a wrong setting must not break a working install.
let scratch: string;
const saved = { ...process.env };

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-pid-'));
  process.env.STAGEGRAPH_CACHE_DIR = path.join(scratch, 'cache');
  process.env.LOCALSTACK_ENDPOINT = 'http://127.0.0.1:9'; // nothing answers there
});
afterEach(() => {
  process.env = { ...saved };
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function withBystander(check: (pid: number) => Promise<void>): Promise<void> {
  const bystander = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    await check(bystander.pid as number);
    expect(bystander.exitCode).toBeNull();
    expect(bystander.signalCode).toBeNull();
  } finally {
    bystander.kill('SIGKILL');
  }
}

describe.each([
  ['a bare pid (an older stagegraph, or a file left by a crash)', (pid: number) => String(pid)],
  [
    "a record whose start time is not that process's",
    (pid: number) => JSON.stringify({ pid, startTicks: '1', command: 'localstack.runtime.main' }),
  ],
  [
    'a record of the right start time but another command',
    (pid: number) => JSON.stringify({ pid, startTicks: processStartTicks(pid), command: 'localstack.runtime.main' }),
  ],
])('a pid file holding %s of a live unrelated process', (_what, content) => {
  test('is not LocalStack: status names no pid, down signals nothing, and the file is removed', async () => {
    await withBystander(async pid => {
      const file = localPaths(scratch).pid;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content(pid));

      const status = await localStatus(scratch);
      const stopped = await stopLocalStack(scratch);

      expect(status.pid).toBeUndefined();
      expect(stopped).toEqual({ stopped: false });
      expect(fs.existsSync(file)).toBe(false);
    });
  });
});

test('processStartTicks reads the start time of a live process and nothing for a gone one', () => {
  expect(processStartTicks(process.pid)).toMatch(/^\d+$/);
  expect(processStartTicks(2 ** 22 + 1)).toBeUndefined();
});

// The main thread of a process exits alone (the exit system call, not exit_group): it shows as a zombie
// while the process's other thread still runs, as LocalStack's main thread does for a moment after a
// SIGKILL while its other threads are exiting, its port still open.
const LEADER_EXITS_FIRST = `
import ctypes, os, sys, threading, time
threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
print("ready", flush=True)
ctypes.CDLL(None).syscall({"x86_64": 60, "aarch64": 93}[os.uname().machine], 0)
`;
const linuxOnX64OrArm = process.platform === 'linux' && ['x64', 'arm64'].includes(process.arch);

(linuxOnX64OrArm ? test : test.skip)(
  'isAlive counts a process as gone only once its last thread is, not when its main thread is a zombie',
  async () => {
    const child = spawn('python3', ['-c', LEADER_EXITS_FIRST], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = child.pid as number;
    try {
      await new Promise(resolve => child.stdout.once('data', resolve));
      const deadline = Date.now() + 10_000;
      while (!/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf-8')) && Date.now() < deadline) {
        await new Promise(resolve => setTimeout(resolve, 20));
      }
      expect(fs.readFileSync(`/proc/${pid}/stat`, 'utf-8')).toMatch(/^\d+ \(.*\) Z/);
      expect(isAlive(pid)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
    const deadline = Date.now() + 10_000;
    while (isAlive(pid) && Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    expect(isAlive(pid)).toBe(false);
  },
);

test('fails if STAGEGRAPH_LOCALSTACK_PYTHON points at nothing, saying so, and leaves the install as it was', () => {
  const paths = localPaths(scratch);
  fs.mkdirSync(path.dirname(paths.python), { recursive: true });
  fs.writeFileSync(paths.python, '#!/bin/sh\n');
  fs.writeFileSync(paths.stamp, 'an older install');
  process.env.STAGEGRAPH_LOCALSTACK_PYTHON = path.join(scratch, 'no-such-python');

  for (const force of [false, true]) {
    expect(() => installLocalStack({ projectDir: scratch, force })).toThrow(
      `STAGEGRAPH_LOCALSTACK_PYTHON is ${path.join(scratch, 'no-such-python')}, which does not run as a Python interpreter`,
    );
  }
  expect(fs.readFileSync(paths.stamp, 'utf-8')).toBe('an older install');
  expect(fs.existsSync(paths.python)).toBe(true);
});

test("the install is shared in the user's cache, one per LocalStack version; state stays in the app", () => {
  const paths = localPaths(scratch);

  expect(paths.venv).toBe(path.join(scratch, 'cache', 'localstack-2026.3.0', 'venv'));
  expect(paths.filesystem).toBe(path.join(scratch, '.stagegraph', 'localstack', 'filesystem'));
  expect(paths.pid).toBe(path.join(scratch, '.stagegraph', 'localstack', 'localstack.pid'));
});

describe("the local cloud's log", () => {
  const folder = tempDirPerTest('stagegraph-log-');

  test('a log past the limit is moved to .1 (replacing the one before) when the local cloud starts; a small one stays', () => {
    const dir = folder();
    const log = path.join(dir, 'localstack.log');
    fs.writeFileSync(`${log}.1`, 'older');
    fs.writeFileSync(log, 'x'.repeat(100));
    expect(rotateLog(log, 100)).toBe(false);
    expect(fs.readFileSync(log, 'utf-8')).toHaveLength(100);

    fs.appendFileSync(log, 'y');
    expect(rotateLog(log, 100)).toBe(true);
    expect(fs.existsSync(log)).toBe(false);
    expect(fs.readFileSync(`${log}.1`, 'utf-8')).toBe(`${'x'.repeat(100)}y`);
    expect(rotateLog(path.join(dir, 'none.log'), 100)).toBe(false);

    // A .1 that cannot be replaced leaves the log where it is: the local cloud still starts.
    fs.writeFileSync(log, 'z'.repeat(101));
    fs.rmSync(`${log}.1`);
    fs.mkdirSync(`${log}.1`);
    fs.writeFileSync(path.join(`${log}.1`, 'inside'), '');
    expect(rotateLog(log, 100)).toBe(false);
    expect(fs.statSync(log).size).toBe(101);
  });

  test('its tail is the last characters, read from the end of the file', () => {
    const dir = folder();
    const log = path.join(dir, 'localstack.log');
    fs.writeFileSync(log, `${'a'.repeat(50_000)}é${'b'.repeat(10)}\nthe end`);
    expect(tail(log, 19)).toBe(`é${'b'.repeat(10)}\nthe end`);
    expect(tail(log, 70_000)).toHaveLength(50_000 + 1 + 10 + 8);
    expect(tail(path.join(dir, 'none.log'))).toBe('(no log)');
  });
});
