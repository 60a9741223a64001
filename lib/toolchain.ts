import { spawnSync } from 'child_process';
import { StageBuildError } from './errors';

/** How much of a failing command's output an error message keeps (its end, where the cause usually is). */
const OUTPUT_TAIL_CHARS = 4000;

/** Options for {@link runTool}. */
export interface RunToolOptions {
  /** Working directory of the command. */
  readonly cwd: string;
  /** Variables added to the environment of the command. */
  readonly env?: Record<string, string>;
  /** What is being built, for the error message, e.g. `Go code in ./functions/thumbnail`. */
  readonly what: string;
  /** What to install when the tool is missing, e.g. `Go 1.22 or later (https://go.dev)`. */
  readonly install: string;
  /**
   * The work, for the error message: `build` gives "Cannot build ..." and "Building ... failed".
   * @default 'build'
   */
  readonly work?: 'build' | 'install';
}

/**
 * Runs one toolchain command to completion and returns its output.
 *
 * A missing tool or a non-zero exit becomes one {@link StageBuildError} that names what was built,
 * the exact command line and the end of its output.
 */
export function runTool(command: string, args: readonly string[], options: RunToolOptions): string {
  const commandLine = [command, ...args].map(quote).join(' ');
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf-8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const [verb, gerund] = options.work === 'install' ? ['install', 'Installing'] : ['build', 'Building'];
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new StageBuildError(
        `Cannot ${verb} ${options.what}: '${command}' was not found on PATH. Install ${options.install}, ` +
          'or point the matching STAGEGRAPH_* variable at it (see README, "Building code without Docker").',
      );
    }
    throw new StageBuildError(
      `Cannot ${verb} ${options.what}: '${commandLine}' could not run: ${result.error.message}`,
    );
  }
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) {
    const tail = output.length > OUTPUT_TAIL_CHARS ? `...${output.slice(-OUTPUT_TAIL_CHARS)}` : output;
    const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.status}`;
    throw new StageBuildError(
      `${gerund} ${options.what} failed: '${commandLine}' ${how} in ${options.cwd}\n${tail.trimEnd()}`,
    );
  }
  return output;
}

/** The executable for a tool: the STAGEGRAPH_<NAME> variable when set, else the plain name. */
export function toolPath(envName: string, fallback: string): string {
  const fromEnv = process.env[envName];
  return fromEnv && fromEnv.length > 0 ? fromEnv : fallback;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

/** `python -m pip install`, quiet and never asking: the arguments every pip install of stagegraph starts with. */
export const PIP_INSTALL_QUIETLY: readonly string[] = [
  '-m',
  'pip',
  'install',
  '--quiet',
  '--disable-pip-version-check',
  '--no-input',
];
