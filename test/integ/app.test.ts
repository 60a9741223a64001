import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthesizeApp } from '../../lib/app/synth';

// The example app of cdk.json synthesized through the CDK toolkit library, every function built for
// real, with CDK's built-in CloudFormation validation left on.
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

test('the example app synthesizes, validated, with every function built in its language', async () => {
  const summary = await synthesizeApp({ projectDir: ROOT, outdir });

  expect(summary.stacks).toEqual(['StagegraphExample']);
  expect(summary.functions.map(f => [f.id, f.runtime, f.memoryMb]).sort()).toEqual([
    ['StagegraphExample/Billing/Meter', 'nodejs24.x', 256],
    ['StagegraphExample/Documents/ArchiveResult', 'nodejs22.x', 256],
    ['StagegraphExample/Documents/ClassifySentiment', 'python3.11', 512],
    ['StagegraphExample/Documents/ExtractKeywords', 'nodejs22.x', 256],
    ['StagegraphExample/Documents/ExtractText', 'python3.11', 256],
    ['StagegraphExample/Documents/Flow/Starter', 'nodejs24.x', 256],
    ['StagegraphExample/IotAggregator', 'java17', 1024],
    ['StagegraphExample/ItemsApi', 'nodejs22.x', 256],
    ['StagegraphExample/Thumbnail', 'provided.al2023', 256],
  ]);
  for (const fn of summary.functions) {
    expect(fn.codeFrom).toBe('asset');
    expect(fn.codeBytes).toBeGreaterThan(1000);
  }
  const template = fs.readFileSync(path.join(outdir, 'StagegraphExample.template.json'), 'utf-8');
  expect(template).not.toContain('Custom::');
  // Every function but the meter writes to the stack's one log group, which the meter subscribes once.
  expect(template.match(/"AWS::Logs::SubscriptionFilter"/g)).toHaveLength(1);
  expect(template).toContain('"LogGroupName": "/aws/lambda/StagegraphExample/functions"');
});
