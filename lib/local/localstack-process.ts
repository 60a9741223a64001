import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import { LocalCloudError, StageBuildError } from '../errors';
import { localEndpoint, localPort, LocalStackHealth, localStackHealth, usesExternalLocalStack } from './endpoint';
import { localPaths } from './paths';
import { ignoreStateFolder } from '../state-folder';

/** How long LocalStack may take to become healthy. */
const START_TIMEOUT_MS = 120_000;

/** Where the local cloud stands. */
export interface LocalStatus {
  readonly endpoint: string;
  /** The LocalStack answering at the endpoint, if any. */
  readonly health?: LocalStackHealth;
  /** The pid of the LocalStack that `local up` started, while it runs. */
  readonly pid?: number;
  /** True when LOCALSTACK_ENDPOINT points at the user's own LocalStack. */
  readonly external: boolean;
}

/** The state of the local cloud of a project. */
export async function localStatus(projectDir: string): Promise<LocalStatus> {
  const pid = ownPid(projectDir);
  return { endpoint: localEndpoint(), health: await localStackHealth(), pid, external: usesExternalLocalStack() };
}

/** Options of {@link startLocalStack}. */
export interface StartOptions {
  readonly projectDir: string;
}

/**
 * Starts LocalStack core on 127.0.0.1:4566 (or `STAGEGRAPH_LOCAL_PORT`) as a background process of the host, with the
 * stagegraph
 * executor, its state and log inside the project, and waits until it is healthy. Reuses the one it
 * started before; uses the user's own when LOCALSTACK_ENDPOINT is set.
 */
export async function startLocalStack(options: StartOptions): Promise<LocalStatus & { readonly started: boolean }> {
  const status = await localStatus(options.projectDir);
  if (status.external) {
    if (!status.health) {
      throw new StageBuildError(
        `LOCALSTACK_ENDPOINT is ${status.endpoint}, but no LocalStack answers there (${status.endpoint}/_localstack/health)`,
      );
    }
    return { ...status, started: false };
  }
  if (status.pid && status.health) {
    return { ...status, started: false };
  }
  const paths = localPaths(options.projectDir);
  if (!fs.existsSync(paths.python)) {
    throw new LocalCloudError(
      `The embedded LocalStack is not installed (no ${paths.python}): run \`stagegraph local install\` (npm start and npm test do it for you)`,
    );
  }
  const port = localPort();
  if (await portTaken(port)) {
    throw new StageBuildError(
      status.health
        ? `A LocalStack that stagegraph did not start already listens on 127.0.0.1:${port}. Stop it, or use it with LOCALSTACK_ENDPOINT=http://127.0.0.1:${port}`
        : `Port ${port} on 127.0.0.1 is taken by another program, so LocalStack cannot start: stop that program (see \`ss -ltnp 'sport = :${port}'\`)`,
    );
  }
  fs.mkdirSync(paths.filesystem, { recursive: true });
  ignoreStateFolder(paths.root);
  // The local cloud's state, function code and output: the user's alone. (LocalStack clears its tmp folder at each
  // start; on hosts other than Debian it first makes what it deletes writable by everyone.)
  fs.chmodSync(paths.filesystem, 0o700);
  rotateLog(paths.log);
  const log = fs.openSync(paths.log, 'a');
  const child = spawn(paths.python, ['-m', 'localstack.runtime.main'], {
    cwd: paths.root,
    detached: true,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      // The machine may look like a container (/.dockerenv): LocalStack must not treat it as one.
      OVERRIDE_IN_DOCKER: '0',
      DNS_ADDRESS: '0',
      DISABLE_EVENTS: '1',
      SKIP_SSL_CERT_DOWNLOAD: '1',
      GATEWAY_LISTEN: `127.0.0.1:${port}`,
      // The URLs LocalStack gives out (a function's code location, queue URLs) name 127.0.0.1, not
      // localhost.localstack.cloud, a public DNS name for 127.0.0.1 that an offline laptop cannot resolve and
      // DNS-rebinding protection refuses; queue URLs keep the region in their path. (A host-style URL, such as a
      // REST API's <id>.execute-api.<host>, resolves nowhere then: stagegraph prints the path-style local one.)
      // The user's own settings win (an empty one would bring LocalStack's defaults back).
      LOCALSTACK_HOST: process.env.LOCALSTACK_HOST || `127.0.0.1:${port}`,
      SQS_ENDPOINT_STRATEGY: process.env.SQS_ENDPOINT_STRATEGY || 'path',
      // LocalStack's default server (twisted) binds every interface whatever GATEWAY_LISTEN says: the
      // extension repairs it to bind the host given (repairs.py), as hypercorn would, at twice its speed.
      GATEWAY_SERVER: 'twisted',
      FILESYSTEM_ROOT: paths.filesystem,
      LAMBDA_RUNTIME_EXECUTOR: 'stagegraph',
      // LocalStack's own calls between services (S3 notifying Lambda, Lambda's asynchronous and event source
      // mapping invocations, its metrics and logs) go straight into the gateway's handler chain instead of
      // through HTTP on the loopback: 200 uploads through an OBS trigger took 8.8 s of LocalStack's CPU over
      // HTTP, 5 s in memory. STAGEGRAPH_IN_MEMORY_CLIENT=0 restores HTTP (the bench's baseline).
      IN_MEMORY_CLIENT: process.env.STAGEGRAPH_IN_MEMORY_CLIENT === '0' ? '0' : '1',
      STAGEGRAPH_RUNTIME_SUPPORT: paths.runtimeSupport,
      LAMBDA_KEEPALIVE_MS: process.env.LAMBDA_KEEPALIVE_MS ?? '600000',
      // State survives `local down`, `local up` and a crash: the extension saves it under
      // <filesystem>/state every STAGEGRAPH_PERSIST_INTERVAL seconds (default 5) and on SIGTERM, and
      // restores it before the health check answers. STAGEGRAPH_PERSISTENCE=0 starts empty every time.
      PERSISTENCE: process.env.STAGEGRAPH_PERSISTENCE === '0' ? '0' : '1',
      // kinesis-mock keeps its streams' records itself, in <filesystem>/state/kinesis; written every 2 s,
      // so that a stop waits at most that long for the records put just before it.
      KINESIS_PERSISTENCE: process.env.STAGEGRAPH_PERSISTENCE === '0' ? '0' : '1',
      KINESIS_MOCK_PERSIST_INTERVAL: process.env.KINESIS_MOCK_PERSIST_INTERVAL ?? '2s',
      // Flow tests with mocked steps (stagegraph/testing's runFlow): executions started as <arn>#<test case>
      // answer the listed states from this file instead of calling them; other executions are untouched.
      SFN_MOCK_CONFIG: paths.flowMocks,
    },
  });
  fs.closeSync(log);
  if (child.pid === undefined) {
    throw new StageBuildError(`LocalStack could not be started with ${paths.python}`);
  }
  child.unref();
  writePidFile(paths.pid, child.pid);
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const health = await localStackHealth(localEndpoint(), 500);
    if (health) {
      return { endpoint: localEndpoint(), health, pid: child.pid, external: false, started: true };
    }
    if (!isAlive(child.pid)) {
      fs.rmSync(paths.pid, { force: true });
      throw new StageBuildError(`LocalStack exited while starting. The end of ${paths.log}:\n${tail(paths.log)}`);
    }
    if (Date.now() > deadline) {
      await stopLocalStack(options.projectDir);
      throw new StageBuildError(
        `LocalStack did not become healthy within ${START_TIMEOUT_MS / 1000} s. The end of ${paths.log}:\n${tail(paths.log)}`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

/** Stops the LocalStack that `local up` started, by its pid: SIGTERM, then SIGKILL after 10 s. */
export async function stopLocalStack(
  projectDir: string,
): Promise<{ readonly stopped: boolean; readonly pid?: number }> {
  const paths = localPaths(projectDir);
  const pid = ownPid(projectDir);
  if (!pid) {
    fs.rmSync(paths.pid, { force: true });
    return { stopped: false };
  }
  // LocalStack shuts its environments down itself on SIGTERM; the group gets SIGKILL only if it hangs.
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  if (isAlive(pid)) {
    signalGroup(pid, 'SIGKILL');
    while (isAlive(pid)) {
      await new Promise(resolve => setTimeout(resolve, 50));
    }
  }
  fs.rmSync(paths.pid, { force: true });
  return { stopped: true, pid };
}

/**
 * What identifies the LocalStack process `local up` started: its pid, and the start time and command
 * line of that process, so that a pid reused by another program after a crash or a reboot is never
 * taken for LocalStack, nor signalled.
 */
interface PidRecord {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks since boot when the process started. */
  readonly startTicks: string;
  /** What its command line contains. */
  readonly command: string;
}

const LOCALSTACK_COMMAND = 'localstack.runtime.main';

function writePidFile(file: string, pid: number): void {
  const record: PidRecord = { pid, startTicks: processStartTicks(pid) ?? '', command: LOCALSTACK_COMMAND };
  fs.writeFileSync(file, `${JSON.stringify(record)}\n`);
}

/** The pid in the pid file, if that very process still runs; a stale pid file is removed. */
function ownPid(projectDir: string): number | undefined {
  const file = localPaths(projectDir).pid;
  if (!fs.existsSync(file)) {
    return undefined;
  }
  let record: Partial<PidRecord> = {};
  try {
    record = JSON.parse(fs.readFileSync(file, 'utf-8')) as Partial<PidRecord>;
  } catch {
    // a pid file of an older stagegraph (a bare number) cannot say which process it meant
  }
  const pid = record.pid;
  const same =
    typeof pid === 'number' &&
    Number.isInteger(pid) &&
    pid > 0 &&
    isAlive(pid) &&
    Boolean(record.startTicks) &&
    processStartTicks(pid) === record.startTicks &&
    processCommandLine(pid).includes(record.command ?? LOCALSTACK_COMMAND);
  if (!same) {
    fs.rmSync(file, { force: true });
    return undefined;
  }
  return pid;
}

/** The start time of a process in clock ticks since boot, or undefined when it is gone. */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf-8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function processCommandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf-8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/**
 * Whether any thread of the process still runs. A zombie still answers signal 0: it counts as gone, but
 * only once it is the last thread of its process. The main thread of a process killed with SIGKILL shows
 * as a zombie while its other threads are still exiting, and until the last one has, the process's files
 * (LocalStack's listening socket among them) stay open.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.existsSync(`/proc/${pid}/stat`) ? fs.readFileSync(`/proc/${pid}/stat`, 'utf-8') : '';
    if (!/^\d+ \(.*\) Z/.test(stat)) {
      return true;
    }
    return fs.readdirSync(`/proc/${pid}/task`).length > 1;
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

function portTaken(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The size past which the local cloud's log is moved aside when it starts (see {@link rotateLog}). */
export const LOG_ROTATE_BYTES = 16 * 1024 * 1024;

/**
 * Moves a log of more than `maxBytes` to `<file>.1`, replacing the one moved there before, so that a start writes a
 * new log: the previous one stays readable, and the two stay near `maxBytes` plus what one run writes. True when it
 * moved the log; false when it was small enough, or could not be moved.
 */
export function rotateLog(file: string, maxBytes = LOG_ROTATE_BYTES): boolean {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return false;
  }
  if (size <= maxBytes) return false;
  try {
    fs.renameSync(file, `${file}.1`);
  } catch {
    // `.1` cannot be replaced (a folder, say): the log goes on growing rather than the local cloud not starting.
    return false;
  }
  return true;
}

/** The end of a log, read from its last bytes only. */
export function tail(file: string, chars = 3000): string {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return '(no log)';
  }
  try {
    const size = fs.fstatSync(fd).size;
    // A character is at most 4 bytes in UTF-8 (one cut at the start of what is read shows as U+FFFD).
    const length = Math.min(size, chars * 4);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf-8').slice(-chars);
  } finally {
    fs.closeSync(fd);
  }
}
