import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StageBuildError } from '../errors';

/** The CPU a native file or machine is built for, in Lambda's names. */
export type NativeCpu = 'x86_64' | 'arm64';

/** ELF e_machine values of the two Lambda architectures. */
const ELF_MACHINES: Record<number, NativeCpu> = { 0x3e: 'x86_64', 0xb7: 'arm64' };

/** The CPU of this machine, or undefined when Lambda has no such architecture. */
export function hostCpu(): NativeCpu | undefined {
  switch (os.arch()) {
    case 'x64':
      return 'x86_64';
    case 'arm64':
      return 'arm64';
    default:
      return undefined;
  }
}

/** The CPU an ELF executable or shared object is built for; undefined for any other file. */
export function elfCpuOf(file: string): NativeCpu | undefined {
  const header = Buffer.alloc(20);
  const fd = fs.openSync(file, 'r');
  try {
    if (fs.readSync(fd, header, 0, 20, 0) < 20) {
      return undefined;
    }
  } finally {
    fs.closeSync(fd);
  }
  if (header.readUInt32BE(0) !== 0x7f454c46) {
    return undefined;
  }
  const littleEndian = header[5] === 1;
  const machine = littleEndian ? header.readUInt16LE(18) : header.readUInt16BE(18);
  return ELF_MACHINES[machine];
}

/**
 * Checks that every native file of a built code package runs on this machine: a Go `bootstrap`,
 * Python extension modules (`*.so`), executables under `bin/`.
 *
 * @param codeDir the built package (an asset folder in cdk.out)
 * @param functionName how the function is named in the error
 * @throws StageBuildError naming the first file built for another CPU and how to fix it
 */
export function assertRunsOnThisMachine(codeDir: string, functionName: string): void {
  const host = hostCpu();
  if (!host) {
    throw new StageBuildError(
      `This machine's CPU (${os.arch()}) cannot run Lambda code locally: only x86_64 and arm64 can`,
    );
  }
  for (const file of nativeCandidates(codeDir)) {
    const cpu = elfCpuOf(file);
    if (cpu && cpu !== host) {
      throw new StageBuildError(
        `${functionName} cannot run on this machine: ${path.relative(codeDir, file)} is built for ${cpu}, ` +
          `this machine is ${host}. Give the function architecture ${host === 'arm64' ? 'Architecture.ARM_64' : 'Architecture.X86_64'} ` +
          'for local runs (for example from a context value), or run the local sandbox on a matching machine.',
      );
    }
  }
}

function* nativeCandidates(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      yield* nativeCandidates(full);
    } else if (
      entry.isFile() &&
      (entry.name === 'bootstrap' || /\.so(\.\d+)*$/.test(entry.name) || path.basename(dir) === 'bin')
    ) {
      yield full;
    }
  }
}
