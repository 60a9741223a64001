import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assertRunsOnThisMachine } from '../../../lib';
import { elfCpuOf, hostCpu } from '../../../lib/function/native-architecture';

/** The first 20 bytes of a little-endian 64-bit ELF file for a machine type. */
function elfHeader(machine: number): Buffer {
  const header = Buffer.alloc(64);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = 2; // 64-bit
  header[5] = 1; // little endian
  header.writeUInt16LE(machine, 18);
  return header;
}

describe('native architecture', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-arch-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([
    [0x3e, 'x86_64'],
    [0xb7, 'arm64'],
    [0x28, undefined],
  ])('reads ELF machine %p as %p', (machine, cpu) => {
    const file = path.join(dir, 'bootstrap');
    fs.writeFileSync(file, elfHeader(machine));

    expect(elfCpuOf(file)).toBe(cpu);
  });

  test('a text or short file is not native', () => {
    fs.writeFileSync(path.join(dir, 'a.sh'), '#!/bin/sh\necho hello world, long enough\n');
    fs.writeFileSync(path.join(dir, 'b'), 'x');

    expect(elfCpuOf(path.join(dir, 'a.sh'))).toBeUndefined();
    expect(elfCpuOf(path.join(dir, 'b'))).toBeUndefined();
  });

  test('a package of this machine passes; a foreign extension module deep inside fails', () => {
    const host = hostCpu();
    const [hostMachine, foreignMachine, foreign] = host === 'arm64' ? [0xb7, 0x3e, 'x86_64'] : [0x3e, 0xb7, 'arm64'];
    fs.writeFileSync(path.join(dir, 'bootstrap'), elfHeader(hostMachine));
    expect(() => assertRunsOnThisMachine(dir, 'Fn')).not.toThrow();

    fs.mkdirSync(path.join(dir, 'numpy', 'core'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'numpy', 'core', '_multiarray.cpython-311.so'), elfHeader(foreignMachine));

    expect(() => assertRunsOnThisMachine(dir, 'Fn')).toThrow(
      `Fn cannot run on this machine: numpy/core/_multiarray.cpython-311.so is built for ${foreign}, this machine is ${host}`,
    );
  });
});
