import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { deployLocal } from '../../../lib/app/deploy';
import { findDeployedFunction } from '../../../lib/app/deployed';
import { startLocalStack } from '../../../lib/local/localstack-process';
import { StageCode, StageFunction } from '../../../lib';
import { FIXTURES } from '../../helpers';

// The local cloud's clear errors, against the LocalStack the integration project runs.
jest.setTimeout(180_000);

let scratch: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-local-errors-'));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

test('fails if LocalStack is not installed in the project', async () => {
  if (process.env.LOCALSTACK_ENDPOINT) {
    return; // a user's own LocalStack needs no install
  }
  const cache = process.env.STAGEGRAPH_CACHE_DIR;
  process.env.STAGEGRAPH_CACHE_DIR = path.join(scratch, 'empty-cache');
  try {
    await expect(startLocalStack({ projectDir: scratch })).rejects.toThrow(
      /The embedded LocalStack is not installed \(no .*empty-cache.*python\): run `stagegraph local install`/,
    );
  } finally {
    process.env.STAGEGRAPH_CACHE_DIR = cache;
    if (cache === undefined) delete process.env.STAGEGRAPH_CACHE_DIR;
  }
});

test('fails if another LocalStack already holds the port', async () => {
  if (process.env.LOCALSTACK_ENDPOINT) {
    return;
  }

  await expect(startLocalStack({ projectDir: scratch })).rejects.toThrow(
    'A LocalStack that stagegraph did not start already listens on 127.0.0.1:4566. Stop it, or use it with LOCALSTACK_ENDPOINT=http://127.0.0.1:4566',
  );
});

test('fails if a function name is unknown, listing the known ones', async () => {
  const outdir = path.join(scratch, 'cdk.out');
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true } });
  const stack = new Stack(app, 'Known');
  new StageFunction(stack, 'Alpha', {
    code: StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs')),
    memorySize: 128,
  });
  new StageFunction(stack, 'Beta', {
    code: StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs')),
    memorySize: 128,
  });
  app.synth();

  await expect(findDeployedFunction(outdir, 'Gamma')).rejects.toThrow(
    "Unknown function 'Gamma': the app has Known/Alpha, Known/Beta",
  );
  await expect(findDeployedFunction(outdir, 'Alpha')).rejects.toThrow(
    /Known\/Alpha is not deployed in the local cloud .*: run `stagegraph local deploy`/,
  );
});

test('fails if the deploy fails, naming the failing resource and the reason', async () => {
  const failing = path.join(__dirname, '..', 'local-failing');

  await expect(deployLocal({ projectDir: failing, outdir: path.join(scratch, 'failing.out') })).rejects.toThrow(
    /Deploying to the local cloud failed: [\s\S]*BadBucket/,
  );
});
