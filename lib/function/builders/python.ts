import * as fs from 'fs';
import * as path from 'path';
import { StageBuildError } from '../../errors';
import { BuildSettings, BuildTarget, cpuOf, LanguageBuilder, StageLanguage } from './builder';
import { runTool, toolPath } from './toolchain';

const IGNORED = ['.venv', 'venv', '__pycache__', '*.pyc', '.pytest_cache', '.mypy_cache', 'cdk.out', '.stagegraph'];

/**
 * Copies Python sources and installs `requirements.txt` with pip for the Lambda platform: manylinux
 * wheels of the function's architecture and Python version, binary only, so no native code is
 * compiled for the wrong machine.
 */
export class PythonBuilder implements LanguageBuilder {
  public readonly language = StageLanguage.PYTHON;
  public readonly sourceDir: string;
  public readonly exclude = IGNORED;

  constructor(dir: string) {
    this.sourceDir = path.resolve(dir);
    if (!fs.existsSync(this.sourceDir) || !fs.statSync(this.sourceDir).isDirectory()) {
      throw new StageBuildError(`Python code not found: ${this.sourceDir} is not a folder`);
    }
  }

  public describe(settings: BuildSettings) {
    return {
      language: this.language,
      target: settings.target,
      platform: platformOf(settings),
      pythonVersion: pythonVersionOf(settings),
    };
  }

  public build(outputDir: string, settings: BuildSettings): void {
    // A library is imported from /opt/python; a function's code sits at the root.
    const root = settings.target === BuildTarget.LIBRARY ? path.join(outputDir, 'python') : outputDir;
    fs.mkdirSync(root, { recursive: true });
    fs.cpSync(this.sourceDir, root, {
      recursive: true,
      filter: source => !isIgnored(path.relative(this.sourceDir, source)),
    });
    const requirements = path.join(this.sourceDir, 'requirements.txt');
    if (!fs.existsSync(requirements)) {
      return;
    }
    runTool(toolPath('STAGEGRAPH_PYTHON', 'python3'), [
      '-m', 'pip', 'install',
      '--requirement', requirements,
      '--target', root,
      '--platform', platformOf(settings),
      '--implementation', 'cp',
      '--python-version', pythonVersionOf(settings),
      '--only-binary=:all:',
      '--no-compile',
      '--upgrade',
      '--quiet',
      '--disable-pip-version-check',
      '--no-input',
    ], {
      cwd: this.sourceDir,
      what: `the Python code in ${this.sourceDir}`,
      install: 'Python 3 with pip',
    });
    removeCaches(root);
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
  return relative.split(path.sep).some(part => IGNORED.some(pattern =>
    pattern.startsWith('*') ? part.endsWith(pattern.slice(1)) : part === pattern));
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
