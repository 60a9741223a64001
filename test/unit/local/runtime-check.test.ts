import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FunctionSummary } from '../../../lib/app/assembly';
import { nodeMajorOf, nodeRuntimeBinary } from '../../../lib/local/node-runtimes';
import { localRuntimeProblems } from '../../../lib/local/runtime-check';

// Which functions cannot run locally on exactly the runtime version they declare.
let scratch: string;
const saved = { ...process.env };
const fn = (runtime: string): FunctionSummary => ({
  stack: 'S',
  logicalId: 'F',
  path: 'S/F/Function/Resource',
  id: `S/${runtime}`,
  runtime,
  handler: 'h',
  memoryMb: 128,
  timeoutSeconds: 3,
  architecture: 'x86_64',
  codeFrom: 'asset',
});

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-runtimes-'));
  process.env.STAGEGRAPH_CACHE_DIR = scratch;
  delete process.env.STAGEGRAPH_NODE;
  delete process.env.STAGEGRAPH_JAVA_HOME;
});
afterEach(() => {
  process.env = { ...saved };
  fs.rmSync(scratch, { recursive: true, force: true });
});

test('a Node.js major runs once its build is fetched; one stagegraph has no build for is named with what to do', () => {
  const before = localRuntimeProblems(scratch, [fn('nodejs22.x'), fn('nodejs18.x')]);
  fs.mkdirSync(path.dirname(nodeRuntimeBinary(scratch, '22')), { recursive: true });
  fs.writeFileSync(nodeRuntimeBinary(scratch, '22'), '');
  const after = localRuntimeProblems(scratch, [fn('nodejs22.x'), fn('nodejs18.x')]);

  expect(before.map(p => p.message)).toEqual([
    'Node.js 22 is not installed: `stagegraph local deploy` fetches it',
    'nodejs18.x cannot run locally: stagegraph runs Node.js 20, 22, 24 (nodejs<major>.x); choose one of those runtimes, or set STAGEGRAPH_NODE to a Node.js 18',
  ]);
  expect(after.map(p => p.function)).toEqual(['S/nodejs18.x']);
});

test('a Python or a JDK the machine lacks is named; STAGEGRAPH_JAVA_HOME is a knowing choice', () => {
  const problems = localRuntimeProblems(scratch, [fn('python3.99'), fn('java99'), fn('provided.al2023')]);

  expect(problems.map(p => p.message)).toEqual([
    expect.stringMatching(/^python3\.99 needs Python 3\.99, which is not on PATH or in pyenv: install it/),
    expect.stringMatching(
      /^java99 needs a JDK 99, and the machine has .* install a JDK 99, choose the runtime of a JDK you have, or set STAGEGRAPH_JAVA_HOME/,
    ),
  ]);
  process.env.STAGEGRAPH_JAVA_HOME = '/opt/my-jdk';
  expect(localRuntimeProblems(scratch, [fn('java99')])).toEqual([]);
});

test('nodeMajorOf reads the major of a Node.js runtime only', () => {
  expect(['nodejs22.x', 'nodejs24.x', 'python3.12', 'nodejs'].map(nodeMajorOf)).toEqual([
    '22',
    '24',
    undefined,
    undefined,
  ]);
});
