import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthesizeApp } from '../../lib/cli/synth';

// `npm start`'s work: the app of cdk.json synthesized through the CDK toolkit library, every
// function built for real, with CDK's built-in CloudFormation validation left on.
jest.setTimeout(300_000);

const ROOT = path.join(__dirname, '..', '..');
let outdir: string;
const validation = process.env.CDK_VALIDATION;

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-app-'));
  delete process.env.CDK_VALIDATION;
});

afterAll(() => {
  process.env.CDK_VALIDATION = validation;
  fs.rmSync(outdir, { recursive: true, force: true });
});

test('the app synthesizes, validated, with one built function per language', async () => {
  const summary = await synthesizeApp({ projectDir: ROOT, outdir });

  expect(summary.stacks).toEqual(['HelloStack']);
  expect(summary.functions.map(f => [f.path, f.runtime, f.memoryMb])).toEqual([
    ['HelloStack/HelloNodejs/Function/Resource', 'nodejs22.x', 256],
    ['HelloStack/HelloPython/Function/Resource', 'python3.11', 256],
    ['HelloStack/HelloJava/Function/Resource', 'java21', 1024],
    ['HelloStack/HelloGo/Function/Resource', 'provided.al2023', 128],
  ]);
  for (const fn of summary.functions) {
    expect(fn.codeFrom).toBe('asset');
    expect(fn.codeBytes).toBeGreaterThan(1000);
  }
  const template = fs.readFileSync(path.join(outdir, 'HelloStack.template.json'), 'utf-8');
  expect(template).not.toContain('Custom::');
});
