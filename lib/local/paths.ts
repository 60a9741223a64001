import * as os from 'os';
import * as path from 'path';
import { STATE_FOLDER } from '../state-folder';

/** The LocalStack core release the embedded local cloud runs. */
export const LOCALSTACK_VERSION = '2026.3.0';

/**
 * Where the embedded LocalStack keeps its files. The install (a 600 MB virtual environment and the
 * runtime interface clients) is shared by all of a user's apps, one per LocalStack version, in the
 * user's cache folder; what belongs to one app (LocalStack's state, its log and pid) stays in that
 * app's git-ignored `.stagegraph/localstack`.
 */
export interface LocalPaths {
  /** `<app>/.stagegraph/localstack`: the app's own local cloud. */
  readonly root: string;
  /** `<cache>/localstack-<version>`: the shared install. */
  readonly install: string;
  /** The Python virtual environment with LocalStack core and the stagegraph executor. */
  readonly venv: string;
  /** The venv's python. */
  readonly python: string;
  /** Runtime interface clients for the runtime processes (awslambdaric per Python version, the Java client). */
  readonly runtimeSupport: string;
  /** What the last successful install installed. */
  readonly stamp: string;
  /** Held while an install runs, so two apps installing at once do not write the same venv. */
  readonly lock: string;
  /** LocalStack's own state and cache (FILESYSTEM_ROOT), per app. */
  readonly filesystem: string;
  /** LocalStack's output. */
  readonly log: string;
  /** The pid of the LocalStack process `local up` started. */
  readonly pid: string;
  /** Step Functions' mocked responses for flow tests (`SFN_MOCK_CONFIG`), written by `stagegraph/testing`. */
  readonly flowMocks: string;
}

/**
 * The user's stagegraph cache: `STAGEGRAPH_CACHE_DIR`, else `$XDG_CACHE_HOME/stagegraph`, else
 * `~/.cache/stagegraph`.
 */
export function stagegraphCacheDir(): string {
  const fromEnv = process.env.STAGEGRAPH_CACHE_DIR;
  if (fromEnv) {
    return path.resolve(fromEnv);
  }
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'stagegraph');
}

export function localPaths(projectDir: string): LocalPaths {
  const root = path.join(path.resolve(projectDir), STATE_FOLDER, 'localstack');
  const install = path.join(stagegraphCacheDir(), `localstack-${LOCALSTACK_VERSION}`);
  const venv = path.join(install, 'venv');
  return {
    root,
    install,
    venv,
    python: path.join(venv, 'bin', 'python'),
    runtimeSupport: path.join(install, 'runtime-support'),
    stamp: path.join(install, 'install.stamp'),
    lock: path.join(install, 'install.lock'),
    filesystem: path.join(root, 'filesystem'),
    log: path.join(root, 'localstack.log'),
    pid: path.join(root, 'localstack.pid'),
    flowMocks: path.join(root, 'flow-mocks.json'),
  };
}
