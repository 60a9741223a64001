import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { StageCode, StageFunction, StageLanguage } from '../../../lib';
import { FIXTURES, unbuiltStack } from '../../helpers';

describe('StageCode', () => {
  let stack: Stack;
  beforeEach(() => {
    stack = unbuiltStack();
  });

  test.each([
    ['Node.js', () => StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs')), 'nodejs22.x', 'index.handler', StageLanguage.NODEJS],
    ['Python', () => StageCode.fromPython(path.join(FIXTURES, 'hello-python')), 'python3.11', 'index.handler', StageLanguage.PYTHON],
    ['Java', () => StageCode.fromJava(path.join(FIXTURES, 'hello-java'), { handler: 'hello.Handler' }), 'java21', 'hello.Handler', StageLanguage.JAVA],
    ['Go', () => StageCode.fromGo(path.join(FIXTURES, 'hello-go')), 'provided.al2023', 'bootstrap', StageLanguage.GO],
  ])('%s code gets its default runtime and handler', (_name, code, runtime, handler, language) => {
    const fn = new StageFunction(stack, 'Fn', { code: code(), memorySize: 128 });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Runtime: runtime, Handler: handler });
    expect(fn.language).toBe(language);
  });

  test('the Node.js handler names the exported function; an entry file can be given', () => {
    new StageFunction(stack, 'Fn', {
      code: StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs', 'index.ts'), { handler: 'main', runtime: Runtime.NODEJS_24_X }),
      memorySize: 128,
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Handler: 'index.main' });
  });

  test('code from OBS points the function at the object', () => {
    const bucket = new Bucket(stack, 'Code');
    new StageFunction(stack, 'Fn', {
      code: StageCode.fromObs(bucket, 'releases/hello.zip', { runtime: Runtime.PYTHON_3_12, handler: 'app.main', objectVersion: 'v7' }),
      memorySize: 128,
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Code: { S3Bucket: { Ref: Match.stringLikeRegexp('^Code') }, S3Key: 'releases/hello.zip', S3ObjectVersion: 'v7' },
      Runtime: 'python3.12',
      Handler: 'app.main',
    });
  });

  test('the asset hash depends on the architecture', () => {
    const code = StageCode.fromGo(path.join(FIXTURES, 'hello-go'));
    new StageFunction(stack, 'X86', { code, memorySize: 128 });
    new StageFunction(stack, 'Arm', { code, memorySize: 128, architecture: Architecture.ARM_64 });

    const keys = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).map(r => r.Properties.Code.S3Key);
    expect(new Set(keys).size).toBe(2);
  });

  test('fails if the runtime is of another language', () => {
    expect(() => new StageFunction(stack, 'Bad', {
      code: StageCode.fromPython(path.join(FIXTURES, 'hello-python'), { runtime: Runtime.NODEJS_22_X }),
      memorySize: 128,
    })).toThrow('runtime nodejs22.x cannot run python code (given nodejs22.x; allowed: a python runtime such as python3.11) in Stack/Bad');
  });

  test('fails if the Node.js entry does not exist', () => {
    expect(() => new StageFunction(stack, 'Bad', { code: StageCode.fromNodejs(path.join(FIXTURES, 'missing')), memorySize: 128 }))
      .toThrow(/^Node\.js code not found: .*missing does not exist in Stack\/Bad$/);
  });

  test('fails if a folder has no Node.js entry', () => {
    expect(() => new StageFunction(stack, 'Bad', { code: StageCode.fromNodejs(path.join(FIXTURES, 'hello-go')), memorySize: 128 }))
      .toThrow(/^No Node\.js entry in .*hello-go: expected one of index\.ts, .* or pass the entry file in Stack\/Bad$/);
  });

  test('fails if the Java folder is not a Maven project', () => {
    expect(() => new StageFunction(stack, 'Bad', { code: StageCode.fromJava(path.join(FIXTURES, 'hello-go'), { handler: 'x.Y' }), memorySize: 128 }))
      .toThrow(/^Java code must be a Maven project: no pom\.xml in .*hello-go in Stack\/Bad$/);
  });

  test('fails if the Go folder is not a module', () => {
    expect(() => new StageFunction(stack, 'Bad', { code: StageCode.fromGo(path.join(FIXTURES, 'hello-java')), memorySize: 128 }))
      .toThrow(/^Go code must be a module: no go\.mod in .*hello-java in Stack\/Bad$/);
  });

  test('fails if the Python folder does not exist', () => {
    expect(() => new StageFunction(stack, 'Bad', { code: StageCode.fromPython(path.join(FIXTURES, 'nope')), memorySize: 128 }))
      .toThrow(/^Python code not found: .*nope is not a folder in Stack\/Bad$/);
  });

  test('fails if the OBS key is empty', () => {
    const bucket = new Bucket(stack, 'Code');
    expect(() => new StageFunction(stack, 'Bad', { code: StageCode.fromObs(bucket, '', { runtime: Runtime.PYTHON_3_12, handler: 'a.b' }), memorySize: 128 }))
      .toThrow('StageCode.fromObs needs an object key (given an empty string) in Stack/Bad');
  });
});
