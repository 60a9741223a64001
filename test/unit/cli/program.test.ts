import * as fs from 'fs';
import * as path from 'path';
import { buildProgram } from '../../../lib/cli/program';

/** Runs the program on argv and returns what it wrote, without exiting the test process. */
async function run(...args: string[]): Promise<{ out: string; code?: number }> {
  let out = '';
  const program = buildProgram().exitOverride().configureOutput({ writeOut: s => (out += s), writeErr: s => (out += s) });
  try {
    await program.parseAsync(['node', 'stagegraph', ...args]);
    return { out };
  } catch (error) {
    return { out, code: (error as { exitCode?: number }).exitCode };
  }
}

describe('stagegraph CLI', () => {
  test('--version prints the package version', async () => {
    const { out } = await run('--version');
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf-8'));
    expect(out.trim()).toBe(manifest.version);
  });

  test('--help lists the commands with runnable examples', async () => {
    const { out, code } = await run('--help');
    expect(code).toBe(0);
    expect(out).toContain('Usage: stagegraph [options] [command]');
    expect(out).toMatch(/synth \[options\]\s+synthesize the app in cdk\.json/);
    expect(out).toContain('$ stagegraph synth');
  });

  test('an unknown command fails with help', async () => {
    const { out, code } = await run('deploy-everything');
    expect(code).toBe(1);
    expect(out).toContain("error: unknown command 'deploy-everything'");
  });
});
