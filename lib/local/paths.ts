import * as path from 'path';

/** Where the embedded LocalStack keeps its files: all inside the project, in git-ignored `.stagegraph/`. */
export interface LocalPaths {
  /** `.stagegraph/localstack` */
  readonly root: string;
  /** The Python virtual environment with LocalStack core and the stagegraph executor. */
  readonly venv: string;
  /** The venv's python. */
  readonly python: string;
  /** Runtime interface clients for the runtime processes (awslambdaric per Python version, the Java client). */
  readonly runtimeSupport: string;
  /** LocalStack's own state and cache (FILESYSTEM_ROOT). */
  readonly filesystem: string;
  /** LocalStack's output. */
  readonly log: string;
  /** The pid of the LocalStack process `local up` started. */
  readonly pid: string;
  /** What the last successful install installed. */
  readonly stamp: string;
}

export function localPaths(projectDir: string): LocalPaths {
  const root = path.join(path.resolve(projectDir), '.stagegraph', 'localstack');
  const venv = path.join(root, 'venv');
  return {
    root,
    venv,
    python: path.join(venv, 'bin', 'python'),
    runtimeSupport: path.join(root, 'runtime-support'),
    filesystem: path.join(root, 'filesystem'),
    log: path.join(root, 'localstack.log'),
    pid: path.join(root, 'localstack.pid'),
    stamp: path.join(root, 'install.stamp'),
  };
}
