import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';

/** The tiny hello functions, one per language. */
export const FIXTURES = path.join(__dirname, 'fixtures');

/** A stack whose code is never built: unit tests check templates, not bundles. */
export function unbuiltStack(id = 'Stack'): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, id, { env: { account: '111111111111', region: 'us-east-1' } });
}

/**
 * A new temporary folder for each test of the enclosing `describe`, removed after it:
 * `const dir = tempDirPerTest('prefix-')`, then `dir()` in a test.
 */
export function tempDirPerTest(prefix: string): () => string {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}
