import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StageBuildError } from '../errors';
import { runTool, toolPath } from '../function/builders/toolchain';
import { packageRoot } from '../project';
import { localPaths } from './paths';
import { findPython, pythonVersion } from './python-finder';

/** The LocalStack core release the embedded local cloud runs. */
export const LOCALSTACK_VERSION = '2026.3.0';
/** The runtime interface client for local Python functions, from PyPI. */
export const AWSLAMBDARIC_VERSION = '4.2.2';
/** The AWS SDK for Python that Lambda's Python runtimes provide to every function, installed beside the client. */
export const BOTO3_VERSION = '1.40.70';
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
 * Creates `.stagegraph/localstack/venv` with the pinned LocalStack core and stagegraph's executor,
 * and installs the runtime interface clients the executor starts functions with. Idempotent: a
 * stamp of the inputs makes a second call return at once.
 */
export function installLocalStack(options: InstallOptions): InstallResult {
  const paths = localPaths(options.projectDir);
  const sources = path.join(packageRoot(), 'localstack');
  const pythons = LOCAL_PYTHON_RUNTIMES.filter(v => findPython(v) !== undefined);
  const stamp = `${inputsDigest(sources)} pythons=${pythons.join(',')}`;
  if (!options.force && fs.existsSync(paths.python) && fs.existsSync(paths.stamp) && fs.readFileSync(paths.stamp, 'utf-8') === stamp) {
    return { installed: false, venv: paths.venv, pythonRuntimes: pythons };
  }
  const step = options.onStep ?? (() => undefined);
  fs.mkdirSync(paths.root, { recursive: true });
  fs.rmSync(paths.stamp, { force: true });

  const basePython = process.env.STAGEGRAPH_LOCALSTACK_PYTHON ?? LOCALSTACK_PYTHONS.map(findPython).find(p => p !== undefined);
  if (!basePython) {
    throw new StageBuildError(
      `LocalStack ${LOCALSTACK_VERSION} needs Python 3.13 or later, and none was found on PATH or in pyenv: ` +
      'install one, or set STAGEGRAPH_LOCALSTACK_PYTHON to its python executable');
  }
  const run = (command: string, args: string[], what: string, install: string, cwd = paths.root) =>
    runTool(command, args, { cwd, what, install, work: 'install' });

  if (!fs.existsSync(paths.python) || !(pythonVersion(paths.python) ?? '').startsWith('3.1')) {
    step(`Creating the LocalStack virtual environment with ${basePython}`);
    fs.rmSync(paths.venv, { recursive: true, force: true });
    run(basePython, ['-m', 'venv', paths.venv], 'the LocalStack virtual environment', 'Python 3.13 with the venv module');
  }
  step(`Installing LocalStack core ${LOCALSTACK_VERSION} and the stagegraph executor`);
  // pip builds the executor in its source folder: build from a copy, so the package stays untouched.
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-executor-'));
  try {
    fs.cpSync(sources, copy, { recursive: true, filter: source => !/(__pycache__|\.egg-info|[\\/]build)$/.test(source) });
    run(paths.python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input',
      '--constraint', path.join(sources, 'constraints.txt'), `localstack-core[runtime]==${LOCALSTACK_VERSION}`, copy],
    'LocalStack core', 'Python 3.13 with pip');
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }

  for (const version of pythons) {
    step(`Installing the Python ${version} runtime interface client and boto3`);
    run(findPython(version) as string, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--upgrade',
      '--only-binary=:all:', '--target', path.join(paths.runtimeSupport, `python${version}`), `awslambdaric==${AWSLAMBDARIC_VERSION}`, `boto3==${BOTO3_VERSION}`],
    `the Python ${version} runtime interface client`, `Python ${version} with pip`);
  }
  step('Installing the Java runtime interface client');
  run(toolPath('STAGEGRAPH_MVN', 'mvn'), ['--batch-mode', '--quiet', '-f', path.join(sources, 'java-runtime', 'pom.xml'),
    'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies', `-DoutputDirectory=${path.join(paths.runtimeSupport, 'java')}`],
  'the Java runtime interface client', 'a JDK and Apache Maven');

  fs.writeFileSync(paths.stamp, stamp);
  return { installed: true, venv: paths.venv, pythonRuntimes: pythons };
}

/** A digest of everything the install takes from the package: the executor and its pins. */
function inputsDigest(sources: string): string {
  const hash = createHash('sha256').update(`${LOCALSTACK_VERSION} ${AWSLAMBDARIC_VERSION} ${BOTO3_VERSION}`);
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (name === '__pycache__' || name === 'build' || name.endsWith('.egg-info') || name === 'tests') {
        continue;
      }
      if (fs.statSync(full).isDirectory()) {
        walk(full);
      } else {
        hash.update(path.relative(sources, full)).update(fs.readFileSync(full));
      }
    }
  };
  walk(sources);
  return hash.digest('hex');
}
