import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Finds a Python interpreter of a given minor version: a `pythonX.Y` on PATH (not a pyenv shim,
 * which only answers for the selected version), else pyenv's installed versions.
 */
export function findPython(minor: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, `python${minor}`);
    if (dir && !dir.includes(`${path.sep}shims`) && isExecutable(candidate)) {
      return candidate;
    }
  }
  const versions = path.join(process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv'), 'versions');
  if (fs.existsSync(versions)) {
    const matching = fs
      .readdirSync(versions)
      .filter(name => name.startsWith(`${minor}.`))
      .sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
    for (const name of matching) {
      const candidate = path.join(versions, name, 'bin', `python${minor}`);
      if (isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

/** The `X.Y` version of an interpreter. */
export function pythonVersion(python: string): string | undefined {
  const result = spawnSync(python, ['-c', 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")'], {
    encoding: 'utf-8',
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
