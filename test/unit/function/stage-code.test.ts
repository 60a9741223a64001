import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { StageCode, StageFunction, StageLanguage, StageLibrary } from '../../../lib';
import { FIXTURES, unbuiltStack } from '../../helpers';

describe('StageCode', () => {
  let stack: Stack;
  beforeEach(() => {
    stack = unbuiltStack();
  });

  test.each([
    [
      'Node.js',
      () => StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs')),
      'nodejs22.x',
      'index.handler',
      StageLanguage.NODEJS,
    ],
    [
      'Python',
      () => StageCode.fromPython(path.join(FIXTURES, 'hello-python')),
      'python3.11',
      'index.handler',
      StageLanguage.PYTHON,
    ],
    [
      'Java',
      () => StageCode.fromJava(path.join(FIXTURES, 'hello-java'), { handler: 'hello.Handler' }),
      'java21',
      'hello.Handler',
      StageLanguage.JAVA,
    ],
    ['Go', () => StageCode.fromGo(path.join(FIXTURES, 'hello-go')), 'provided.al2023', 'bootstrap', StageLanguage.GO],
  ])('%s code gets its default runtime and handler', (_name, code, runtime, handler, language) => {
    const fn = new StageFunction(stack, 'Fn', { code: code(), memorySize: 128 });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Runtime: runtime, Handler: handler });
    expect(fn.language).toBe(language);
  });

  test('the Node.js handler names the exported function; an entry file can be given', () => {
    new StageFunction(stack, 'Fn', {
      code: StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs', 'index.ts'), {
        handler: 'main',
        runtime: Runtime.NODEJS_24_X,
      }),
      memorySize: 128,
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.main',
    });
  });

  test('code from OBS points the function at the object', () => {
    const bucket = new Bucket(stack, 'Code');
    new StageFunction(stack, 'Fn', {
      code: StageCode.fromObs(bucket, 'releases/hello.zip', {
        runtime: Runtime.PYTHON_3_12,
        handler: 'app.main',
        objectVersion: 'v7',
      }),
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

    const keys = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).map(
      r => r.Properties.Code.S3Key,
    );
    expect(new Set(keys).size).toBe(2);
  });

  test('fails if the runtime is of another language', () => {
    expect(
      () =>
        new StageFunction(stack, 'Bad', {
          code: StageCode.fromPython(path.join(FIXTURES, 'hello-python'), { runtime: Runtime.NODEJS_22_X }),
          memorySize: 128,
        }),
    ).toThrow(
      'runtime nodejs22.x cannot run python code (given nodejs22.x; allowed: a python runtime such as python3.11) in Stack/Bad',
    );
  });

  test('fails if the Node.js entry does not exist', () => {
    expect(
      () =>
        new StageFunction(stack, 'Bad', {
          code: StageCode.fromNodejs(path.join(FIXTURES, 'missing')),
          memorySize: 128,
        }),
    ).toThrow(/^Node\.js code not found: .*missing does not exist in Stack\/Bad$/);
  });

  test('fails if a folder has no Node.js entry', () => {
    expect(
      () =>
        new StageFunction(stack, 'Bad', {
          code: StageCode.fromNodejs(path.join(FIXTURES, 'hello-go')),
          memorySize: 128,
        }),
    ).toThrow(/^No Node\.js entry in .*hello-go: expected one of index\.ts, .* or pass the entry file in Stack\/Bad$/);
  });

  test('fails if the Java folder is not a Maven project', () => {
    expect(
      () =>
        new StageFunction(stack, 'Bad', {
          code: StageCode.fromJava(path.join(FIXTURES, 'hello-go'), { handler: 'x.Y' }),
          memorySize: 128,
        }),
    ).toThrow(/^Java code must be a Maven project: no pom\.xml in .*hello-go in Stack\/Bad$/);
  });

  test('fails if the Go folder is not a module', () => {
    expect(
      () =>
        new StageFunction(stack, 'Bad', { code: StageCode.fromGo(path.join(FIXTURES, 'hello-java')), memorySize: 128 }),
    ).toThrow(/^Go code must be a module: no go\.mod in .*hello-java in Stack\/Bad$/);
  });

  test('fails if the Python folder does not exist', () => {
    expect(
      () =>
        new StageFunction(stack, 'Bad', { code: StageCode.fromPython(path.join(FIXTURES, 'nope')), memorySize: 128 }),
    ).toThrow(/^Python code not found: .*nope is not a folder in Stack\/Bad$/);
  });

  test('fails if the OBS key is empty', () => {
    const bucket = new Bucket(stack, 'Code');
    expect(
      () =>
        new StageFunction(stack, 'Bad', {
          code: StageCode.fromObs(bucket, '', { runtime: Runtime.PYTHON_3_12, handler: 'a.b' }),
          memorySize: 128,
        }),
    ).toThrow('StageCode.fromObs needs an object key (given an empty string) in Stack/Bad');
  });

  describe('relative paths', () => {
    const ROOT = path.join(__dirname, '..', '..', '..');
    const cwd = process.cwd();
    afterEach(() => {
      process.chdir(cwd);
    });

    test('are resolved against the app root, the folder of cdk.json, even when the tests run in a subfolder', () => {
      // GIVEN the working directory is test/, below the cdk.json of the repository
      process.chdir(path.join(ROOT, 'test'));

      // WHEN code is given relative to the app root
      new StageFunction(stack, 'Relative', {
        code: StageCode.fromPython('test/fixtures/hello-python'),
        memorySize: 128,
      });
      new StageFunction(stack, 'Absolute', {
        code: StageCode.fromPython(path.join(FIXTURES, 'hello-python')),
        memorySize: 128,
      });

      // THEN it is the same folder as the absolute path: the same asset
      const keys = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).map(
        r => r.Properties.Code.S3Key,
      );
      expect(keys).toHaveLength(2);
      expect(keys[0]).toBe(keys[1]);
    });

    test.each([
      ['Python', () => StageCode.fromPython('functions/nope'), 'Python code not found: $ABS is not a folder'],
      ['Node.js', () => StageCode.fromNodejs('functions/nope'), 'Node.js code not found: $ABS does not exist'],
      [
        'Java',
        () => StageCode.fromJava('functions/nope', { handler: 'a.B' }),
        'Java code must be a Maven project: no pom.xml in $ABS',
      ],
      ['Go', () => StageCode.fromGo('functions/nope'), 'Go code must be a module: no go.mod in $ABS'],
    ])(
      'fails if the %s folder is missing, naming the path given, the path looked at, the app root and the construct path',
      (_name, code, problem) => {
        process.chdir(path.join(ROOT, 'test'));
        const looked = path.join(ROOT, 'functions', 'nope');

        // Under Jest the entry file is the test file, whose cdk.json is the repository's.
        const message = `${problem.replace('$ABS', looked)} (given 'functions/nope', resolved against the app root ${ROOT}: the folder of cdk.json above `;
        expect(() => new StageFunction(stack, 'Bad', { code: code(), memorySize: 128 })).toThrow(
          new RegExp(`^${escapeRegExp(message)}the (entry file|working directory) [^)]+\\) in Stack/Bad$`),
        );
      },
    );

    test('a library resolves its path the same way', () => {
      process.chdir(path.join(ROOT, 'test', 'unit'));

      expect(
        () => new StageLibrary(stack, 'Lib', { code: StageCode.fromPython('test/fixtures/hello-python') }),
      ).not.toThrow();
      expect(() => new StageLibrary(stack, 'Missing', { code: StageCode.fromPython('libraries/nope') })).toThrow(
        `Python code not found: ${path.join(ROOT, 'libraries', 'nope')} is not a folder (given 'libraries/nope', resolved against the app root ${ROOT}`,
      );
    });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
