import * as fs from 'fs';
import * as path from 'path';
import { StageBuildError } from '../errors';

/**
 * Copies the content of folder `from` into the existing folder `to`: files with their mode and modification time
 * (Python checks a module's bytecode against its source's time), folders with their mode, and symbolic links as they
 * are, so a relative link stays relative (`fs.cpSync` points it at the folder it copied from, which for a build is
 * gone after the synth). It stats each entry once, where `fs.cpSync` stats it several times: the cache hits of a
 * 200-function synth copy in about half the time.
 */
export function copyTree(from: string, to: string): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isSymbolicLink()) {
      // Windows makes a link to a folder differently from one to a file, and may not find its target yet.
      fs.symlinkSync(fs.readlinkSync(source), target, process.platform === 'win32' ? linkType(source) : undefined);
    } else if (entry.isDirectory()) {
      fs.mkdirSync(target);
      copyTree(source, target);
      // After its content: a folder without write permission still takes it.
      fs.chmodSync(target, fs.statSync(source).mode & 0o7777);
    } else if (entry.isFile()) {
      fs.copyFileSync(source, target); // with the file's mode
      const stats = fs.statSync(source);
      fs.utimesSync(target, stats.atime, stats.mtime);
    } else {
      throw new StageBuildError(`${source} is not a file, a folder or a symbolic link: a build output cannot hold it`);
    }
  }
}

function linkType(link: string): 'dir' | 'file' {
  try {
    return fs.statSync(link).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'file'; // dangling, or a loop
  }
}
