import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StageBuildError } from '../errors';
import { allLanguages } from '../function/languages/registry';
import { PIP_INSTALL_QUIETLY, runTool } from '../toolchain';
import { packageRoot } from '../project';
import { LOCALSTACK_VERSION, LocalPaths, localPaths } from './paths';
import { findPython, pythonVersion } from './python-finder';

export { LOCALSTACK_VERSION } from './paths';
/** Python versions whose functions can run locally, when the machine has that interpreter. */
export const LOCAL_PYTHON_RUNTIMES = ['3.10', '3.11', '3.12', '3.13', '3.14'];
/** LocalStack 2026.3.0 uses Python 3.13 syntax and library functions. */
const LOCALSTACK_PYTHONS = ['3.14', '3.13'];

/** What {@link installLocalStack} did. */
export interface InstallResult {
  /** False when everything was already installed from the same inputs. */
  readonly installed: boolean;
  readonly venv: string;
  /** Python versions whose functions can run locally. */
  readonly pythonRuntimes: string[];
}

/** Options of {@link installLocalStack}. */
export interface InstallOptions {
  readonly projectDir: string;
  /** Called before each long step. */
  readonly onStep?: (text: string) => void;
  /** Reinstall even when the stamp matches. */
  readonly force?: boolean;
}

/**
 * Installs the pinned LocalStack core and stagegraph's executor into a virtual environment shared by all
 * of the user's apps (see {@link localPaths}), and the runtime interface clients the executor starts
 * functions with (each language's `local` support says which). Idempotent: a stamp of the inputs makes a second call
 * return at once. Two installs at
 * once (two apps, two terminals) take turns.
 */
export function installLocalStack(options: InstallOptions): InstallResult {
  const paths = localPaths(options.projectDir);
  const sources = path.join(packageRoot(), 'localstack');
  if (!fs.existsSync(path.join(sources, 'pyproject.toml'))) {
    throw new StageBuildError(
      `stagegraph's LocalStack extension is missing from ${sources}: reinstall the stagegraph package (npm i stagegraph)`,
    );
  }
  const pythons = LOCAL_PYTHON_RUNTIMES.filter(v => findPython(v) !== undefined);
  const stamp = `${inputsDigest(sources)} pythons=${pythons.join(',')}`;
  const upToDate = () =>
    fs.existsSync(paths.python) && fs.existsSync(paths.stamp) && fs.readFileSync(paths.stamp, 'utf-8') === stamp;
  if (!options.force && upToDate()) {
    return { installed: false, venv: paths.venv, pythonRuntimes: pythons };
  }
  // Checked before anything is touched, so that a wrong setting leaves a working install as it was.
  const basePython = localStackPython();
  const step = options.onStep ?? (() => undefined);
  fs.mkdirSync(paths.install, { recursive: true });
  return withInstallLock(paths, step, () => {
    if (!options.force && upToDate()) {
      return { installed: false, venv: paths.venv, pythonRuntimes: pythons }; // another process just installed it
    }
    fs.rmSync(paths.stamp, { force: true });
    const run = (command: string, args: string[], what: string, install: string, cwd = paths.install) =>
      runTool(command, args, { cwd, what, install, work: 'install' });

    const venvVersion = fs.existsSync(paths.python) ? pythonVersion(paths.python) : undefined;
    if (options.force || !venvVersion || !isLocalStackPython(venvVersion)) {
      step(`Creating the LocalStack virtual environment in ${paths.venv} with ${basePython}`);
      fs.rmSync(paths.venv, { recursive: true, force: true });
      run(
        basePython,
        ['-m', 'venv', paths.venv],
        'the LocalStack virtual environment',
        'Python 3.13 with the venv module',
      );
    }
    step(`Installing LocalStack core ${LOCALSTACK_VERSION} and the stagegraph executor`);
    // pip builds the executor in its source folder: build from a copy, so the package stays untouched.
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-executor-'));
    try {
      fs.cpSync(sources, copy, {
        recursive: true,
        filter: source => !/(__pycache__|\.egg-info|[\\/]build)$/.test(source),
      });
      run(
        paths.python,
        [
          ...PIP_INSTALL_QUIETLY,
          '--constraint',
          path.join(sources, 'constraints.txt'),
          `localstack-core[runtime]==${LOCALSTACK_VERSION}`,
          copy,
        ],
        'LocalStack core',
        'Python 3.13 with pip',
      );
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }

    const context = {
      runtimeSupport: paths.runtimeSupport,
      extensionDir: sources,
      pythons: pythons.map(version => ({ version, executable: findPython(version) as string })),
    };
    for (const client of allLanguages().flatMap(language => language.local?.runtimeClients(context) ?? [])) {
      step(client.step);
      run(client.command, [...client.args], client.what, client.install);
    }

    fs.writeFileSync(paths.stamp, stamp);
    return { installed: true, venv: paths.venv, pythonRuntimes: pythons };
  });
}

function isLocalStackPython(version: string): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major === 3 && minor >= 13;
}

/**
 * The Python that creates LocalStack's virtual environment: `STAGEGRAPH_LOCALSTACK_PYTHON` when set (it
 * must run and be 3.13 or later), else the newest 3.13+ on PATH or in pyenv.
 */
export function localStackPython(): string {
  const fromEnv = process.env.STAGEGRAPH_LOCALSTACK_PYTHON;
  if (fromEnv) {
    const version = pythonVersion(fromEnv);
    if (!version) {
      throw new StageBuildError(
        `STAGEGRAPH_LOCALSTACK_PYTHON is ${fromEnv}, which does not run as a Python interpreter: ` +
          'point it at a python3.13 (or later) executable, or unset it to let stagegraph find one on PATH or in pyenv',
      );
    }
    if (!isLocalStackPython(version)) {
      throw new StageBuildError(
        `STAGEGRAPH_LOCALSTACK_PYTHON is ${fromEnv}, a Python ${version}: LocalStack ${LOCALSTACK_VERSION} needs 3.13 or later`,
      );
    }
    return fromEnv;
  }
  const found = LOCALSTACK_PYTHONS.map(findPython).find(p => p !== undefined);
  if (!found) {
    throw new StageBuildError(
      `LocalStack ${LOCALSTACK_VERSION} needs Python 3.13 or later, and none was found on PATH or in pyenv: ` +
        'install one, or set STAGEGRAPH_LOCALSTACK_PYTHON to its python executable',
    );
  }
  return found;
}

/** How long an install waits for another one to finish before giving up. */
const LOCK_WAIT_MS = 15 * 60_000;

/**
 * Runs `work` holding the install lock (a file naming the holder's pid); a lock left by a dead process is taken over.
 */
function withInstallLock<T>(paths: LocalPaths, step: (text: string) => void, work: () => T): T {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let told = false;
  for (;;) {
    try {
      fs.writeFileSync(paths.lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
      const holder = Number(fs.readFileSync(paths.lock, 'utf-8').trim());
      if (!Number.isInteger(holder) || holder <= 0 || !processExists(holder)) {
        fs.rmSync(paths.lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new StageBuildError(
          `Another install (pid ${holder}) has held ${paths.lock} for over ${LOCK_WAIT_MS / 60_000} minutes: stop it, or remove the file`,
        );
      }
      if (!told) {
        step(`Waiting for another stagegraph install (pid ${holder}) to finish`);
        told = true;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    return work();
  } finally {
    fs.rmSync(paths.lock, { force: true });
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The files of the extension that the install uses, as the npm package ships them (package.json "files"). */
const EXTENSION_FILE = /(\.py|\.js|^pyproject\.toml|^constraints\.txt|^pom\.xml)$/;

/**
 * A digest of everything the install takes from the package: the pins and the extension's files, the same
 * from the repository and from the npm package, so that both share one install.
 */
function inputsDigest(sources: string): string {
  const pins = allLanguages().flatMap(language => language.local?.pins ?? []);
  const hash = createHash('sha256').update([LOCALSTACK_VERSION, ...pins].join(' '));
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (name === '__pycache__' || name === 'build' || name.endsWith('.egg-info') || name === 'tests') {
        continue;
      }
      if (fs.statSync(full).isDirectory()) {
        walk(full);
      } else if (EXTENSION_FILE.test(name)) {
        hash.update(path.relative(sources, full)).update(fs.readFileSync(full));
      }
    }
  };
  walk(sources);
  return hash.digest('hex');
}
