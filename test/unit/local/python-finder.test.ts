import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findPython } from '../../../lib/local/python-finder';

describe('findPython', () => {
  const saved = { PATH: process.env.PATH, PYENV_ROOT: process.env.PYENV_ROOT };
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-python-'));
  });
  afterEach(() => {
    process.env.PATH = saved.PATH;
    process.env.PYENV_ROOT = saved.PYENV_ROOT;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function fakeExecutable(file: string): string {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
    return file;
  }

  test('takes pythonX.Y from PATH, passing over pyenv shims', () => {
    fakeExecutable(path.join(dir, 'shims', 'python3.13'));
    const real = fakeExecutable(path.join(dir, 'bin', 'python3.13'));
    process.env.PATH = [path.join(dir, 'shims'), path.join(dir, 'bin')].join(path.delimiter);
    process.env.PYENV_ROOT = path.join(dir, 'no-pyenv');

    expect(findPython('3.13')).toBe(real);
  });

  test('falls back to the newest matching pyenv version', () => {
    process.env.PATH = path.join(dir, 'empty');
    process.env.PYENV_ROOT = path.join(dir, 'pyenv');
    fakeExecutable(path.join(dir, 'pyenv', 'versions', '3.13.0', 'bin', 'python3.13'));
    const newest = fakeExecutable(path.join(dir, 'pyenv', 'versions', '3.13.10', 'bin', 'python3.13'));
    fakeExecutable(path.join(dir, 'pyenv', 'versions', '3.12.9', 'bin', 'python3.12'));

    expect(findPython('3.13')).toBe(newest);
    expect(findPython('3.14')).toBeUndefined();
  });
});
