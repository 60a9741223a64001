import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';

/** The tiny hello functions, one per language. */
export const FIXTURES = path.join(__dirname, 'fixtures');

/**
 * Runs a script in a Node.js process of its own, which requires the TypeScript sources through tsx, with no build
 * cache, and returns the JSON of its output's last line and its stderr: what a fresh process loads (`require.cache`),
 * which the test's own process, with every module Jest has loaded, cannot show. Fails when the process fails.
 */
export function inFreshProcess<T>(script: string): { value: T; stderr: string } {
  const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
    cwd: path.join(__dirname, '..'),
    encoding: 'utf-8',
    env: { ...process.env, STAGEGRAPH_BUILD_CACHE: 'off' },
  });
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
  return { value: JSON.parse(result.stdout.trim().split('\n').pop() as string) as T, stderr: result.stderr };
}

/** A resource as a template holds it. */
export interface TemplateResource {
  readonly DependsOn?: string[];
  readonly Properties: Record<string, unknown>;
}

/** The one resource of a type whose logical id starts with `prefix` (fails unless there is exactly one). */
export function oneResource(template: Template, type: string, prefix: string): TemplateResource {
  const found = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(prefix));
  expect(found).toHaveLength(1);
  return found[0][1] as TemplateResource;
}

/** The literal `FunctionName` of the one function whose logical id starts with `prefix`. */
export function functionNameIn(template: Template, prefix: string): string {
  const name = oneResource(template, 'AWS::Lambda::Function', prefix).Properties.FunctionName;
  expect(typeof name).toBe('string');
  return name as string;
}

/** A Lambda function's ARN up to `:function:` as a `Fn::Sub` of pseudo parameters (an OBS trigger's form). */
export const LAMBDA_ARN_PREFIX = 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}';

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
