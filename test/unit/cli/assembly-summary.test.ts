import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { summarizeAssembly } from '../../../lib/app/assembly';
import { formatBytes, formatSummary } from '../../../lib/cli/assembly-summary';
import { BillingMeter, Flow, FunctionGraph, HttpAuthorizer, HttpTrigger, StageCode, StageFunction } from '../../../lib';
import { FIXTURES } from '../../helpers';

describe('summarizeAssembly', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-summary-'));
  });
  afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('lists every function with runtime, memory, timeout, architecture and code size', () => {
    // GIVEN an assembly with one function whose code folder is staged (bundling skipped) and one from a bucket
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true } });
    const stack = new Stack(app, 'Shop');
    new StageFunction(stack, 'Api', {
      code: StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs')),
      memorySize: 512,
    });
    new StageFunction(stack, 'Legacy', {
      code: StageCode.fromObs(new Bucket(stack, 'Code'), 'legacy.zip', {
        runtime: Runtime.PYTHON_3_12,
        handler: 'a.b',
      }),
      memorySize: 128,
    });
    app.synth();

    // WHEN
    const summary = summarizeAssembly(outdir);

    // THEN
    expect(summary.stacks).toEqual(['Shop']);
    // Each function's role and function, the bucket, the dead-letter queue and its policy, the one log group
    expect(summary.resourceCount).toBe(8);
    expect(summary.functions).toEqual([
      expect.objectContaining({
        stack: 'Shop',
        id: 'Shop/Api',
        runtime: 'nodejs22.x',
        handler: 'index.handler',
        memoryMb: 512,
        timeoutSeconds: 30,
        architecture: 'x86_64',
        codeFrom: 'asset',
      }),
      expect.objectContaining({
        stack: 'Shop',
        runtime: 'python3.12',
        memoryMb: 128,
        codeFrom: 'bucket',
        codeBytes: undefined,
      }),
    ]);
    const table = formatSummary(summary);
    expect(table.split('\n')[0]).toBe('2 functions in 1 stack (Shop), 8 resources');
    expect(table).toMatch(/Shop\/Api\s+nodejs22\.x\s+512 MB\s+30 s\s+x86_64\s+not built/);
    expect(table).toMatch(/python3\.12\s+128 MB\s+30 s\s+x86_64\s+from bucket/);
  });

  test("marks stagegraph's own functions (billing meter, flow starter, JWT authorizer) as internal, and only them", () => {
    // GIVEN an app with a function of its own behind a JWT authorizer, a flow started by HTTP and a billing meter
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true } });
    const stack = new Stack(app, 'Shop');
    const api = new StageFunction(stack, 'Api', {
      code: StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs')),
      memorySize: 512,
      triggers: [
        new HttpTrigger({
          path: '/me',
          authorizer: HttpAuthorizer.jwt({ issuer: 'https://auth.example.com/', audience: ['shop'] }),
        }),
      ],
    });
    new FunctionGraph(stack, 'Orders', {
      definition: Flow.invoke('Call', api),
      triggers: [new HttpTrigger({ path: '/orders' })],
    });
    new BillingMeter(stack, 'Billing');
    app.synth();

    // WHEN
    const functions = summarizeAssembly(outdir).functions;

    // THEN
    expect(functions.filter(f => !f.internal).map(f => f.id)).toEqual(['Shop/Api']);
    expect(functions.filter(f => f.internal).map(f => [f.id, f.internal])).toEqual([
      [expect.stringMatching(/^Shop\/StageHttpApi\/JwtAuthorizer[0-9A-F]{8}Function$/), 'jwt-authorizer'],
      ['Shop/Orders/Starter', 'flow-starter'],
      ['Shop/Billing/Meter', 'billing-meter'],
    ]);
  });

  test.each([
    [980, '980 B'],
    [12_595, '12.3 KB'],
    [4_718_592, '4.5 MB'],
  ])('formats %p bytes as %p', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
