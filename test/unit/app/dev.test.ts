import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { FIXTURES, unbuiltStack } from '../../helpers';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { appSourceFiles, ignoredPath } from '../../../lib/app/dev/session';
import { functionsOfFile, DevFunction } from '../../../lib/app/dev/dev-app';
import { rebuildCode } from '../../../lib/app/dev/swap';
import { describeDevEvent } from '../../../lib/cli/dev';
import { codeFromSource } from '../../../lib/function/stage-code';
import { BillingModel } from '../../../lib/billing/billing-model';
import { MODEL_METADATA, ModelRecord } from '../../../lib/model';
import { StageCode, StageFunction } from '../../../lib';
import { formatUsd, LiveLogView, wrap } from '../../../lib/terminal/live-log';
import type { LiveEntry } from '../../../lib/local/live';

const REQUEST = '0f7e3c1a-1111-4222-8333-944455556666';

function sourceOf(stack: Stack, id: string) {
  const record = stack.node.findChild(id).node.metadata.find(m => m.type === MODEL_METADATA)?.data as unknown as {
    resolve?: unknown;
  };
  return (stack.resolve(record) as ModelRecord).function?.source;
}

describe('where a function is built from', () => {
  test('each function records its language, folder and options, and the code made again from them is the same', () => {
    const stack = unbuiltStack('S');
    const options = { handler: 'hello.Handler::handleRequest', runtime: Runtime.JAVA_17 };
    new StageFunction(stack, 'Java', {
      code: StageCode.fromJava(path.join(FIXTURES, 'hello-java'), options),
      memorySize: 512,
    });
    new StageFunction(stack, 'Node', {
      code: StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs'), { minify: true }),
      memorySize: 128,
    });

    const java = sourceOf(stack, 'Java');
    expect(java).toEqual({
      language: 'java',
      dir: path.join(FIXTURES, 'hello-java'),
      sourceDir: path.join(FIXTURES, 'hello-java'),
      options: { handler: 'hello.Handler::handleRequest', runtime: { runtime: 'java17' } },
    });
    expect(sourceOf(stack, 'Node')?.options).toEqual({ minify: true });
    // The runtime comes back as a runtime: the handler and runtime bound again are those of the synth.
    const again = codeFromSource(java!).bind(unbuiltStack('T'), {
      architecture: { name: 'x86_64' } as never,
    });
    expect(again.runtime.name).toBe('java17');
    expect(again.handler).toBe('hello.Handler::handleRequest');
  });

  test("the code rebuilt for a change is the synth's asset: the same hash, built into the assembly's folder", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-rebuild-'));
    const cache = process.env.STAGEGRAPH_BUILD_CACHE;
    process.env.STAGEGRAPH_BUILD_CACHE = path.join(out, 'cache');
    try {
      const app = new App({ outdir: path.join(out, 'synth') });
      const stack = new Stack(app, 'S');
      new StageFunction(stack, 'Node', {
        code: StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs')),
        memorySize: 128,
      });
      const source = sourceOf(stack, 'Node')!;
      const assets = JSON.parse(fs.readFileSync(path.join(app.synth().directory, 'S.assets.json'), 'utf-8')) as {
        files: Record<string, unknown>;
      };

      const rebuilt = rebuildCode(
        { id: 'S/Node', stack: 'S', logicalId: 'Node', runtime: 'nodejs22.x', architecture: 'x86_64', source },
        path.join(out, 'dev'),
      );
      expect(Object.keys(assets.files)).toContain(rebuilt.assetHash);
      expect(rebuilt.dir).toBe(path.join(out, 'dev', `asset.${rebuilt.assetHash}`));
      expect(fs.readFileSync(path.join(rebuilt.dir, 'index.js'), 'utf-8')).toContain('hello, ');
    } finally {
      if (cache === undefined) delete process.env.STAGEGRAPH_BUILD_CACHE;
      else process.env.STAGEGRAPH_BUILD_CACHE = cache;
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  test('code from OBS records no source, and an unknown language is refused with the allowed ones', () => {
    const stack = unbuiltStack('O');
    new StageFunction(stack, 'FromObs', {
      code: StageCode.fromObs(new Bucket(stack, 'Code'), 'fn.zip', {
        runtime: Runtime.NODEJS_22_X,
        handler: 'index.handler',
      }),
      memorySize: 128,
    });
    expect(sourceOf(stack, 'FromObs')).toBeUndefined();
    expect(() => codeFromSource({ language: 'cobol', dir: '/x', sourceDir: '/x', options: {} })).toThrow(
      /cannot rebuild code of language 'cobol' \(allowed: .*nodejs.*python/,
    );
  });
});

describe('what a change is', () => {
  const fn = (id: string, sourceDir: string): DevFunction => ({
    id,
    stack: 'S',
    logicalId: 'L',
    runtime: 'nodejs22.x',
    architecture: 'x86_64',
    source: { language: 'nodejs', dir: sourceDir, sourceDir, options: {} },
  });
  const functions = [fn('S/A', '/p/functions/a'), fn('S/B', '/p/functions/a'), fn('S/C', '/p/functions/c')];

  test("a file below a function's source folder is that function's code; every function built from it", () => {
    expect(functionsOfFile({ functions }, '/p/functions/a/index.ts').map(f => f.id)).toEqual(['S/A', 'S/B']);
    expect(functionsOfFile({ functions }, '/p/functions/c/lib/x.ts').map(f => f.id)).toEqual(['S/C']);
    expect(functionsOfFile({ functions }, '/p/functions/ab/index.ts')).toEqual([]);
    expect(functionsOfFile({ functions }, '/p/bin/app.ts')).toEqual([]);
  });

  test("the app's own files are the entry of cdk.json's app command and what it imports", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-app-files-'));
    try {
      fs.mkdirSync(path.join(dir, 'bin'));
      fs.mkdirSync(path.join(dir, 'lib'));
      fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'npx tsx bin/app.ts' }));
      fs.writeFileSync(path.join(dir, 'bin', 'app.ts'), "import { make } from '../lib/stack';\nmake();\n");
      fs.writeFileSync(
        path.join(dir, 'lib', 'stack.ts'),
        "import { App } from 'aws-cdk-lib';\nexport const make = () => new App();\n",
      );
      fs.writeFileSync(path.join(dir, 'lib', 'handler.ts'), 'export const handler = async () => 1;\n');

      const files = await appSourceFiles(dir);

      expect([...(files ?? [])].sort()).toEqual([path.join(dir, 'bin', 'app.ts'), path.join(dir, 'lib', 'stack.ts')]);
      fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'python3 app.py' }));
      expect(await appSourceFiles(dir)).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('tool folders, build output and editor files are never watched', () => {
    const roots = ['/p', '/shared/fn'];
    const sources = ['/p/functions/j', '/p/functions/node', '/shared/fn', '/p/functions/api/src'];
    const ignored = (file: string) => ignoredPath(roots, file, '/p/cdk.out', sources);
    for (const file of [
      '/p/bin/app.ts',
      '/shared/fn/index.py',
      // Source folders named like build output, below the top of a function's folder.
      '/p/functions/j/src/main/java/com/example/target/Aim.java',
      '/p/functions/node/lib/dist/format.ts',
      '/shared/fn/app/venv/settings.py',
    ]) {
      expect([file, ignored(file)]).toEqual([file, false]);
    }
    for (const file of [
      '/p/node_modules/x/index.js',
      '/p/cdk.out/manifest.json',
      '/p/cdk.out.deploy/x',
      '/p/.stagegraph/build-cache/a',
      '/p/functions/j/target/classes/A.class',
      '/p/functions/node/dist/index.js',
      '/shared/fn/venv/lib/site.py',
      '/p/dist/app.js',
      // Build output outside every function's folder: a front end's, a sibling of a function's source folder.
      '/p/web/dist/a.js',
      '/p/functions/api/dist/index.js',
      '/p/packages/util/coverage/lcov.info',
      '/p/functions/py/__pycache__/a.pyc',
      '/p/.git/index',
      '/p/app.ts~',
      '/p/.app.ts.swp',
      '/elsewhere/a.ts',
    ]) {
      expect([file, ignored(file)]).toEqual([file, true]);
    }
  });

  test('each event is one line', () => {
    expect(describeDevEvent({ type: 'swapped', id: 'S/Thumbnail', millis: 412.4, buildMillis: 45.2 })).toBe(
      'S/Thumbnail: new code in 412 ms (build 45 ms)',
    );
    expect(describeDevEvent({ type: 'changed', files: ['a', 'b', 'c', 'd', 'e'] })).toBe('changed: a, b, c and 2 more');
    expect(
      describeDevEvent({
        type: 'deployed',
        millis: 16_500,
        stacks: [
          { stackName: 'A', changed: true, outputs: {}, resourceCount: 1, runtimeProblems: [] },
          { stackName: 'B', changed: false, outputs: {}, resourceCount: 1, runtimeProblems: [] },
        ],
      }),
    ).toBe('deployed in 16.5 s: updated A');
    expect(describeDevEvent({ type: 'failed', what: 'rebuilding S/A', message: 'esbuild: x' })).toBe(
      'rebuilding S/A failed: esbuild: x',
    );
  });
});

describe('the live log', () => {
  const sources = new Map([
    ['fn-thumbnail-abc', { id: 'Shop/Thumbnail', model: BillingModel.awsLambda({ name: 'x86_64' }) }],
    ['fn-orders', { id: 'Shop/Orders' }],
    ['CheckoutFlow', { id: 'Shop/Checkout' }],
  ]);
  const at = Date.UTC(2026, 10, 26, 5, 19, 40, 123);
  const invocation = (name: string, text: string): LiveEntry => ({
    kind: 'function',
    seq: 1,
    at,
    name,
    requestId: REQUEST,
    text,
  });
  const flow = (type: string, fields: Partial<Record<'state' | 'error' | 'cause', string>> = {}): LiveEntry => ({
    kind: 'flow',
    seq: 2,
    at,
    name: 'CheckoutFlow',
    execution: 'e-0123456789abcdef',
    type,
    ...fields,
  });

  test("an invocation: START, the function's output without its time and request id, REPORT with the cost", () => {
    const view = new LiveLogView({ sources });
    const lines = view.lines([
      invocation(
        'fn-thumbnail-abc',
        [
          `START RequestId: ${REQUEST} Version: $LATEST`,
          `2026-11-26T05:19:40.100Z\t${REQUEST}\tINFO\tresized in/a.jpg`,
          `[ERROR]\t2026-11-26T05:19:40.110Z\t${REQUEST}\tno thumbnail`,
          `END RequestId: ${REQUEST}`,
          `REPORT RequestId: ${REQUEST}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 60 MB\tInit Duration: 87.10 ms\t`,
          '',
        ].join('\n'),
      ),
    ]);

    expect(lines).toEqual([
      '05:19:40.123 Thumbnail      │ START 0f7e3c1a',
      '05:19:40.123 Thumbnail      │ INFO resized in/a.jpg',
      '05:19:40.123 Thumbnail      │ ERROR no thumbnail',
      // Billed as the model bills: the init duration too (100 ms here).
      '05:19:40.123 Thumbnail      │ REPORT 12.34 ms (billed 13 ms) init 87.1 ms 60/256',
      '                            │ MB $0.0000006167',
    ]);
  });

  test("a flow's steps: entered, failed, retried, caught, succeeded, and the execution's end", () => {
    const view = new LiveLogView({ sources, width: 120 });
    const charge = { state: 'Charge' };
    const lines = view.lines([
      flow('ExecutionStarted'),
      flow('TaskStateEntered', charge),
      flow('LambdaFunctionScheduled', charge),
      flow('LambdaFunctionFailed', { ...charge, error: 'Busy', cause: 'try later' }),
      flow('LambdaFunctionScheduled', charge),
      flow('LambdaFunctionFailed', { ...charge, error: 'Busy' }),
      flow('TaskStateExited', charge),
      flow('PassStateEntered', { state: 'Refund' }),
      flow('PassStateExited', { state: 'Refund' }),
      flow('ExecutionSucceeded'),
    ]);

    expect(lines.map(l => l.slice(30))).toEqual([
      '▶ …89abcdef started',
      '→ Charge',
      '✖ Charge failed: Busy: try later',
      '↻ Charge retried (attempt 2)',
      '✖ Charge failed: Busy',
      '↪ Charge caught Busy',
      '→ Refund',
      '✔ Refund',
      '✔ …89abcdef succeeded',
    ]);
    expect(lines[0].slice(13, 27)).toBe('Checkout      ');
  });

  test('a retry that succeeds is not a catch, and parallel branches keep their own states', () => {
    const view = new LiveLogView({ sources, width: 120 });
    const lines = view.lines([
      flow('TaskStateEntered', { state: 'A' }),
      flow('TaskStateEntered', { state: 'B' }),
      flow('LambdaFunctionFailed', { state: 'A', error: 'AErr' }),
      flow('LambdaFunctionScheduled', { state: 'A' }),
      flow('LambdaFunctionSucceeded', { state: 'A' }),
      flow('TaskStateExited', { state: 'B' }),
      flow('TaskStateExited', { state: 'A' }),
    ]);

    expect(lines.map(l => l.slice(30))).toEqual([
      '→ A',
      '→ B',
      '✖ A failed: AErr',
      '↻ A retried (attempt 2)',
      '✔ B',
      '✔ A',
    ]);
  });

  test("a function's own colours are taken out, and an alarm is red only when colours are on", () => {
    const plain = new LiveLogView({ sources });
    expect(plain.lines([invocation('fn-orders', '\u001b[31mred\u001b[39m text\n')])).toEqual([
      '05:19:40.123 Orders         │ red text',
    ]);
    expect(plain.note('failed', at, true)).toEqual(['05:19:40.123 stagegraph     │ failed']);
  });

  test('the filter keeps the named functions and flows; unknown names print as they are', () => {
    const view = new LiveLogView({ sources, filter: ['orders'] });
    expect(view.lines([invocation('fn-thumbnail-abc', 'hello\n')])).toEqual([]);
    expect(view.lines([invocation('fn-orders', 'hello\n')])).toEqual(['05:19:40.123 Orders         │ hello']);
    expect(new LiveLogView({ sources: new Map() }).lines([invocation('raw-name', 'x\n')])[0]).toContain(
      'raw-name       │ x',
    );
  });

  test('every line fits the width: long lines wrap at a space below the prefix', () => {
    const view = new LiveLogView({ sources, width: 80 });
    const lines = view.lines([invocation('fn-orders', `${'word '.repeat(40)}${'x'.repeat(120)}\n`)]);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines.length).toBeGreaterThan(4);
    expect(wrap('aaaa bbbb cccc', 9)).toEqual(['aaaa bbbb', 'cccc']);
    expect(wrap('x'.repeat(10), 4)).toEqual(['xxxx', 'xxxx', 'xx']);
  });

  test('costs print with four significant digits and no exponent', () => {
    expect(formatUsd(8e-7)).toBe('$0.0000008000');
    expect(formatUsd(0.0123)).toBe('$0.01230');
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(12.5)).toBe('$12.5000');
  });
});
