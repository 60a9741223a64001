import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { deployApp, ownFunctionsOf } from '../../../lib/app/local-run';
import { DevSession } from '../../../lib/app/dev/session';
import { devFunctionsOf } from '../../../lib/app/dev/dev-app';
import { debugFunction } from '../../../lib/cli/dev';
import { Progress, QUIET } from '../../../lib/app/progress';
import { structureAssembly } from '../../../lib/app/synth';
import { deployFailed } from '../../../lib/local/deploy';
import { BillingMeter, StageCode, StageFunction } from '../../../lib';
import { FIXTURES } from '../../helpers';

describe('operations on the app', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-app-'));
  });
  afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test("the functions to invoke are the app's own, not stagegraph's", () => {
    // GIVEN an app with one function and a billing meter
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true } });
    const stack = new Stack(app, 'Shop');
    new StageFunction(stack, 'Api', {
      code: StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs')),
      memorySize: 256,
    });
    new BillingMeter(stack, 'Billing');
    app.synth();

    // WHEN
    const own = ownFunctionsOf(outdir);

    // THEN
    expect(own.functions.map(f => f.id)).toEqual(['Shop/Api']);
    expect(own.stacks).toEqual(['Shop']);
  });

  test('a given cloud assembly is read as it is: nothing is synthesized, no step is shown', async () => {
    // GIVEN progress that records its steps
    const steps: string[] = [];
    const progress: Progress = {
      step: (title, work) => (steps.push(title), work(() => undefined)),
      detail: line => steps.push(line),
    };

    // WHEN
    fs.writeFileSync(path.join(outdir, 'manifest.json'), '{"version":"36.0.0"}');
    const dir = await structureAssembly(path.relative(process.cwd(), outdir), 'graph', { progress });

    // THEN
    expect(dir).toBe(outdir);
    expect(steps).toEqual([]);
  });

  test('local deploy, start, dev and graph in a folder without cdk.json say so before starting or writing anything', async () => {
    // A LocalStack of the user's own that does not answer: a start would fail with another message.
    const saved = process.env.LOCALSTACK_ENDPOINT;
    process.env.LOCALSTACK_ENDPOINT = 'http://127.0.0.1:1';
    try {
      const message = `No cdk.json in ${outdir}: run stagegraph in the folder of a CDK app`;
      await expect(deployApp(outdir)).rejects.toThrow(message);
      await expect(new DevSession({ projectDir: outdir }).start()).rejects.toThrow(message);
      await expect(structureAssembly(undefined, 'graph', { projectDir: outdir })).rejects.toThrow(message);
      expect(fs.readdirSync(outdir)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.LOCALSTACK_ENDPOINT;
      else process.env.LOCALSTACK_ENDPOINT = saved;
    }
  });

  test('dev --debug of a name the app lacks says so after the synth, before the local cloud starts or a deploy', async () => {
    // A LocalStack of the user's own that does not answer: a start or deploy would fail with another message.
    const saved = process.env.LOCALSTACK_ENDPOINT;
    process.env.LOCALSTACK_ENDPOINT = 'http://127.0.0.1:1';
    const steps: string[] = [];
    const progress: Progress = { step: (title, work) => (steps.push(title), work(() => undefined)), detail: () => {} };
    try {
      const session = new DevSession({
        projectDir: path.join(FIXTURES, 'target-app'),
        outdir,
        progress,
        checkFunctions: functions => void debugFunction(functions, 'Nope'),
      });
      await expect(session.start()).rejects.toThrow(
        '--debug Nope: no function built from source has that name (the app has Priced/Api)',
      );
      expect(steps).toEqual(['Building the app']);
      expect(debugFunction(devFunctionsOf(outdir), 'Api').id).toBe('Priced/Api');
    } finally {
      if (saved === undefined) delete process.env.LOCALSTACK_ENDPOINT;
      else process.env.LOCALSTACK_ENDPOINT = saved;
    }
  });

  test('quiet progress runs each step and shows nothing', async () => {
    await expect(QUIET.step('Anything', async update => (update('half way'), 42))).resolves.toBe(42);
  });

  test("a failed deploy says so, with the last of the toolkit's failure lines once each", () => {
    const error = deployFailed(new Error('stack failed'), [
      'warn: nothing',
      'Shop | CREATE_FAILED | Api',
      'Shop | CREATE_FAILED | Api',
    ]);
    expect(error.message).toBe('Deploying to the local cloud failed: stack failed\nShop | CREATE_FAILED | Api');
  });
});
