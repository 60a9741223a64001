import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';

// `stagegraph graph` as a user runs it: the CLI synthesizes the app of cdk.json (building no code)
// and writes the pictures of its flows.
jest.setTimeout(120_000);

const ROOT = path.join(__dirname, '..', '..');
const APP_DIR = path.join(__dirname, 'workflows');
const run = promisify(execFile);
let out: string;

beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-graph-cli-'));
});
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

async function stagegraph(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      path.join(ROOT, 'node_modules', '.bin', 'tsx'),
      [path.join(ROOT, 'bin', 'stagegraph.ts'), ...args],
      { cwd: APP_DIR },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

test('writes an SVG and a Mermaid file for every flow of the app', async () => {
  const result = await stagegraph('graph', '--out', out);

  expect(result.code).toBe(0);
  const files = fs.readdirSync(out).sort();
  expect(files).toEqual(
    ['Approval', 'Child', 'OnUpload', 'Orchestra', 'Quick'].flatMap(flow => [
      `FlowTestStack-${flow}.mmd`,
      `FlowTestStack-${flow}.svg`,
    ]),
  );
  expect(result.stdout).toContain(path.join(path.relative(APP_DIR, out), 'FlowTestStack-Orchestra.svg'));
  const svg = fs.readFileSync(path.join(out, 'FlowTestStack-Orchestra.svg'), 'utf-8');
  for (const label of ['Fan out', 'Square each', 'Big?', 'Flaky', 'Run child'])
    expect(svg).toContain(`>${label}</text>`);
});

test('one flow by name; an unknown name fails with the flows there are', async () => {
  const one = await stagegraph('graph', 'Approval', '--out', path.join(out, 'one'));
  expect(one.code).toBe(0);
  expect(fs.readdirSync(path.join(out, 'one')).sort()).toEqual([
    'FlowTestStack-Approval.mmd',
    'FlowTestStack-Approval.svg',
  ]);

  const unknown = await stagegraph('graph', 'Nope', '--assembly', path.join(APP_DIR, '.stagegraph', 'graph.out'));
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain(
    "stagegraph: no flow named 'Nope' in the app (flows: FlowTestStack/Approval, FlowTestStack/Child",
  );
});
