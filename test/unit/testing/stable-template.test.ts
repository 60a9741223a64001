import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { StageCode, StageFunction } from '../../../lib';
import { maskTemplate, stableTemplate, templateSerializer, testApp } from '../../../lib/testing';
import { FIXTURES } from '../../helpers';

// A user's stack, its function's code in a folder of their app.
function userStack(codeDir: string): Stack {
  const stack = new Stack(testApp(), 'Shop', { env: { account: '111111111111', region: 'us-east-1' } });
  new StageFunction(stack, 'Api', { code: StageCode.fromNodejs(codeDir), memorySize: 256, reservedInstances: 1 });
  return stack;
}

function copyOf(fixture: string, edit?: (dir: string) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-stable-'));
  fs.cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
  edit?.(dir);
  return dir;
}

describe('stableTemplate', () => {
  test('holds when the app folder moves and when the code changes; the raw template does not', () => {
    const first = copyOf('hello-nodejs');
    const moved = copyOf('hello-nodejs');
    const edited = copyOf('hello-nodejs', dir => fs.appendFileSync(path.join(dir, 'index.ts'), '\n// edited\n'));
    try {
      const [a, b, c] = [first, moved, edited].map(userStack);
      const raw = (stack: Stack) => JSON.stringify(Template.fromStack(stack).toJSON());
      expect(raw(c)).not.toEqual(raw(a));
      expect(stableTemplate(a)).toEqual(stableTemplate(b));
      expect(stableTemplate(a)).toEqual(stableTemplate(c));
    } finally {
      for (const dir of [first, moved, edited]) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('masks asset hashes and the hash of Lambda version ids, and keeps everything else', () => {
    const template = {
      Resources: {
        ApiCurrentVersion1A2B3C4D0123456789abcdef0123456789abcdef: { Type: 'AWS::Lambda::Version' },
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: { Code: { S3Key: `${'ab'.repeat(32)}.zip` }, MemorySize: 256 },
        },
      },
      Metadata: { asset: '/home/someone/app/cdk.out/asset.x' },
    };
    expect(maskTemplate(template)).toEqual({
      Resources: {
        'ApiCurrentVersion1A2B3C4D<version-hash>': { Type: 'AWS::Lambda::Version' },
        Fn: { Type: 'AWS::Lambda::Function', Properties: { Code: { S3Key: '<asset-hash>.zip' }, MemorySize: 256 } },
      },
      Metadata: { asset: '<local-path>' },
    });
  });
});

describe('templateSerializer', () => {
  test('takes templates not yet masked, and prints them masked', () => {
    const template = { Resources: { Fn: { Properties: { S3Key: `${'0f'.repeat(32)}.zip` } } } };
    expect(templateSerializer.test(template)).toBe(true);
    expect(templateSerializer.test(maskTemplate(template))).toBe(false);
    expect(templateSerializer.test({ notATemplate: true })).toBe(false);
    const printed = templateSerializer.serialize(template, {}, '', 0, [], value => JSON.stringify(value));
    expect(printed).toBe('{"Resources":{"Fn":{"Properties":{"S3Key":"<asset-hash>.zip"}}}}');
  });
});
