import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { copyTree } from '../../../lib/function/copy-tree';

let scratch: string;

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-copy-tree-'));
});

afterEach(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('copyTree', () => {
  test('files keep their content, mode and modification time; folders their mode; links stay as they are', () => {
    const from = path.join(scratch, 'from');
    fs.mkdirSync(path.join(from, 'pkg', 'bin'), { recursive: true });
    fs.writeFileSync(path.join(from, 'pkg', 'mod.py'), 'x = 1\n');
    fs.writeFileSync(path.join(from, 'pkg', 'bin', 'run'), '#!/bin/sh\n', { mode: 0o755 });
    const old = new Date('2020-02-02T02:02:02.000Z');
    fs.utimesSync(path.join(from, 'pkg', 'mod.py'), old, old);
    fs.symlinkSync('../pkg/bin/run', path.join(from, 'pkg', 'run-link'));
    fs.symlinkSync('/nowhere/at/all', path.join(from, 'dangling'));
    fs.chmodSync(path.join(from, 'pkg', 'bin'), 0o550); // no write: its content goes in before the mode
    const to = path.join(scratch, 'to');
    fs.mkdirSync(to);

    copyTree(from, to);

    expect(fs.readFileSync(path.join(to, 'pkg', 'mod.py'), 'utf-8')).toBe('x = 1\n');
    expect(fs.statSync(path.join(to, 'pkg', 'mod.py')).mtime.getTime()).toBe(old.getTime());
    expect(fs.statSync(path.join(to, 'pkg', 'bin', 'run')).mode & 0o777).toBe(0o755);
    expect(fs.statSync(path.join(to, 'pkg', 'bin')).mode & 0o777).toBe(0o550);
    // Relative links stay relative: they point into the copy, not back at the folder copied from.
    expect(fs.readlinkSync(path.join(to, 'pkg', 'run-link'))).toBe('../pkg/bin/run');
    expect(fs.readlinkSync(path.join(to, 'dangling'))).toBe('/nowhere/at/all');
    expect(fs.readdirSync(to).sort()).toEqual(['dangling', 'pkg']);
    fs.chmodSync(path.join(from, 'pkg', 'bin'), 0o755);
    fs.chmodSync(path.join(to, 'pkg', 'bin'), 0o755);
  });

  test('what is not a file, a folder or a link is refused with its path', () => {
    const from = path.join(scratch, 'from');
    fs.mkdirSync(from);
    execFileSync('mkfifo', [path.join(from, 'pipe')]);
    const to = path.join(scratch, 'to');
    fs.mkdirSync(to);

    expect(() => copyTree(from, to)).toThrow(`${path.join(from, 'pipe')} is not a file, a folder or a symbolic link`);
  });
});
