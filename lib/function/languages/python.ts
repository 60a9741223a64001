import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Runtime, RuntimeFamily } from 'aws-cdk-lib/aws-lambda';
import { StageBuildError } from '../../errors';
import { PIP_INSTALL_QUIETLY, runTool, toolPath } from '../../toolchain';
import { buildCacheDir } from '../local-build';
import { BuildSettings, BuildTarget, cpuOf, SourceBuilder, sourceFolder } from './builder';
import { LanguageSupport } from './language';
import { STATE_FOLDER } from '../../state-folder';

/** The runtime interface client for local Python functions, from PyPI. */
export const AWSLAMBDARIC_VERSION = '4.2.2';
/** The AWS SDK for Python that Lambda's Python runtimes provide to every function, installed beside the client. */
export const BOTO3_VERSION = '1.40.70';
/** debugpy, beside the runtime interface client: `stagegraph dev --debug` starts Python functions under it. */
export const DEBUGPY_VERSION = '1.8.22';

/** A library (layer) is imported from `/opt/python`. */
const LIBRARY_FOLDER = 'python';

// A name matches at any depth, `*.x` any name ending so; one that starts with `/` the top of the folder only.
const IGNORED = ['.venv', '/venv', '__pycache__', '*.pyc', '.pytest_cache', '.mypy_cache', 'cdk.out', STATE_FOLDER];

/**
 * Copies Python sources and installs `requirements.txt` with pip for the Lambda platform: manylinux
 * wheels of the function's architecture and Python version, binary only, so no native code is
 * compiled for the wrong machine.
 */
export class PythonBuilder extends SourceBuilder {
  constructor(dir: string) {
    super(
      'python',
      sourceFolder(dir, undefined, resolved => `Python code not found: ${resolved} is not a folder`),
      IGNORED,
    );
  }

  protected describeOutput(settings: BuildSettings) {
    return {
      platform: platformOf(settings),
      pythonVersion: pythonVersionOf(settings),
    };
  }

  public build(outputDir: string, settings: BuildSettings): void {
    // A library is imported from /opt/python; a function's code sits at the root.
    const root = settings.target === BuildTarget.LIBRARY ? path.join(outputDir, LIBRARY_FOLDER) : outputDir;
    fs.mkdirSync(root, { recursive: true });
    fs.cpSync(this.sourceDir, root, {
      recursive: true,
      filter: source => !isIgnored(path.relative(this.sourceDir, source)),
    });
    const requirements = path.join(this.sourceDir, 'requirements.txt');
    if (!fs.existsSync(requirements)) {
      return;
    }
    const installInto = (target: string) => this.installRequirements(requirements, target, settings);
    const cache = buildCacheDir();
    // A requirements file that names other files (`-r`, `-e`, local paths) is installed each time: its content
    // alone does not say what gets installed.
    const text = fs.readFileSync(requirements, 'utf-8');
    const options = /^\s*(-[rcefi]\b|--(requirement|constraint|editable|find-links|index-url|extra-index-url)\b)/m;
    const refersToFiles = options.test(text) || /^\s*(\.|\/|file:)/m.test(text) || /@\s*file:/.test(text);
    if (!cache || refersToFiles) {
      installInto(root);
      removeCaches(root);
      return;
    }
    // The installed requirements, cached by the file's content and the platform: a change to the code alone
    // (`stagegraph dev`, a second app with the same requirements) copies them instead of running pip again.
    // pip's own settings from the environment (an index, constraints) and the interpreter choose what is installed too.
    const environment = Object.entries(process.env)
      .filter(([name]) => name.startsWith('PIP_') || name === 'STAGEGRAPH_PYTHON')
      .sort(([a], [b]) => a.localeCompare(b));
    const key = createHash('sha256')
      .update(text)
      .update(JSON.stringify(environment))
      .update(JSON.stringify(this.describeOutput(settings)))
      .digest('hex')
      .slice(0, 32);
    const entry = path.join(cache, `python-requirements-${key}`);
    if (!fs.existsSync(entry)) {
      fs.mkdirSync(cache, { recursive: true });
      const staging = `${entry}.${process.pid}.tmp`;
      fs.rmSync(staging, { recursive: true, force: true });
      fs.mkdirSync(staging, { recursive: true });
      try {
        installInto(staging);
      } catch (error) {
        fs.rmSync(staging, { recursive: true, force: true });
        throw error;
      }
      removeCaches(staging);
      try {
        fs.renameSync(staging, entry);
      } catch {
        // Another build stored the same requirements first, or the cache cannot take it: use this install.
        if (!fs.existsSync(entry)) {
          fs.cpSync(staging, root, { recursive: true, preserveTimestamps: true });
          fs.rmSync(staging, { recursive: true, force: true });
          removeCaches(root);
          return;
        }
        fs.rmSync(staging, { recursive: true, force: true });
      }
    }
    fs.cpSync(entry, root, { recursive: true, preserveTimestamps: true });
    removeCaches(root);
  }

  private installRequirements(requirements: string, target: string, settings: BuildSettings): void {
    runTool(
      toolPath('STAGEGRAPH_PYTHON', 'python3'),
      [
        '-m',
        'pip',
        'install',
        '--requirement',
        requirements,
        '--target',
        target,
        '--platform',
        platformOf(settings),
        '--implementation',
        'cp',
        '--python-version',
        pythonVersionOf(settings),
        '--only-binary=:all:',
        '--no-compile',
        '--upgrade',
        '--quiet',
        '--disable-pip-version-check',
        '--no-input',
      ],
      {
        cwd: this.sourceDir,
        what: `the Python code in ${this.sourceDir}`,
        install: 'Python 3 with pip',
      },
    );
  }
}

function platformOf(settings: BuildSettings): string {
  return cpuOf(settings.architecture) === 'arm64' ? 'manylinux2014_aarch64' : 'manylinux2014_x86_64';
}

function pythonVersionOf(settings: BuildSettings): string {
  const match = /^python(\d+\.\d+)/.exec(settings.runtime.name);
  if (!match) {
    throw new StageBuildError(`${settings.runtime.name} is not a Python runtime`);
  }
  return match[1];
}

function isIgnored(relative: string): boolean {
  if (relative === '') {
    return false;
  }
  return relative
    .split(path.sep)
    .some((part, depth) =>
      IGNORED.some(pattern =>
        pattern.startsWith('/')
          ? depth === 0 && part === pattern.slice(1)
          : pattern.startsWith('*')
            ? part.endsWith(pattern.slice(1))
            : part === pattern,
      ),
    );
}

function removeCaches(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === '__pycache__') {
        fs.rmSync(full, { recursive: true, force: true });
      } else {
        removeCaches(full);
      }
    }
  }
}

/** Options of {@link StageCode.fromPython}. */
export interface PythonCodeOptions {
  /**
   * The handler as `module.function`.
   * @default 'index.handler'
   */
  readonly handler?: string;
  /**
   * A Python runtime; requirements are installed for its version.
   * @default Runtime.PYTHON_3_11 - the Python of the local sandbox, so native wheels load there too
   */
  readonly runtime?: Runtime;
}

/**
 * Python: sources plus manylinux wheels (native code), run locally by the official runtime interface
 * client, which the local install puts beside each Python version of the machine, with boto3.
 */
export const PYTHON: LanguageSupport<PythonCodeOptions, 'python'> = {
  language: 'python',
  // The local sandbox's interpreter.
  defaultRuntime: Runtime.PYTHON_3_11,
  canRun: runtime => runtime.family === RuntimeFamily.PYTHON,
  nativeCode: true,
  libraryFolder: LIBRARY_FOLDER,
  builder: dir => new PythonBuilder(dir),
  entry: options => ({ handler: options.handler ?? 'index.handler', runtime: options.runtime }),
  local: {
    pins: [AWSLAMBDARIC_VERSION, BOTO3_VERSION, DEBUGPY_VERSION],
    runtimeClients: context =>
      context.pythons.map(({ version, executable }) => ({
        step: `Installing the Python ${version} runtime interface client, boto3 and debugpy`,
        command: executable,
        args: [
          ...PIP_INSTALL_QUIETLY,
          '--upgrade',
          '--only-binary=:all:',
          '--target',
          path.join(context.runtimeSupport, `python${version}`),
          `awslambdaric==${AWSLAMBDARIC_VERSION}`,
          `boto3==${BOTO3_VERSION}`,
          `debugpy==${DEBUGPY_VERSION}`,
        ],
        what: `the Python ${version} runtime interface client`,
        install: `Python ${version} with pip`,
      })),
  },
};
