import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { assertRunsOnThisMachine, StageCode, StageFunction, StageLibrary } from '../../lib';
import { elfCpuOf, hostCpu } from '../../lib/function/native-architecture';
import { FIXTURES } from '../helpers';

// Real builds with the real toolchains: esbuild, pip, Maven and Go.
jest.setTimeout(240_000);

let scratch: string;
const savedEnv = { ...process.env };

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-build-test-'));
  process.env.STAGEGRAPH_BUILD_CACHE = path.join(scratch, 'cache');
});

afterEach(() => {
  process.env = { ...savedEnv };
  fs.rmSync(scratch, { recursive: true, force: true });
});

interface Built {
  readonly dir: string;
  readonly hash: string;
}

/** Synthesizes one function into a fresh cloud assembly and returns its built code folder. */
function synthFunction(makeCode: () => StageCode, architecture?: Architecture): Built {
  const outdir = fs.mkdtempSync(path.join(scratch, 'cdk.out-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Stack');
  new StageFunction(stack, 'Fn', { code: makeCode(), memorySize: 256, architecture });
  return builtAsset(app, outdir, 'AWS::Lambda::Function');
}

function builtAsset(app: App, outdir: string, type: string): Built {
  const template = app.synth().getStackByName('Stack').template as {
    Resources: Record<string, { Type: string; Properties: { Code?: { S3Key: string }; Content?: { S3Key: string } } }>;
  };
  const resource = Object.values(template.Resources).find(r => r.Type === type);
  const key = (resource?.Properties.Code ?? resource?.Properties.Content)?.S3Key;
  if (!key) {
    throw new Error(`no ${type} with an asset in the template`);
  }
  const hash = key.replace(/\.zip$/, '');
  return { dir: path.join(outdir, `asset.${hash}`), hash };
}

/** A hash of every file's relative path, mode and content below dir. */
function treeDigest(dir: string): string {
  const hash = createHash('sha256');
  const walk = (current: string): void => {
    for (const name of fs.readdirSync(current).sort()) {
      const full = path.join(current, name);
      const stat = fs.statSync(full);
      hash.update(path.relative(dir, full));
      if (stat.isDirectory()) {
        walk(full);
      } else {
        hash.update(String(stat.mode & 0o111)).update(fs.readFileSync(full));
      }
    }
  };
  walk(dir);
  return hash.digest('hex');
}

function copyFixture(name: string): string {
  const target = path.join(scratch, name);
  fs.cpSync(path.join(FIXTURES, name), target, { recursive: true, filter: src => !src.includes(`${path.sep}target`) });
  return target;
}

describe('Node.js builds', () => {
  test('esbuild bundles the TypeScript entry and its imports into one index.js that runs', () => {
    const built = synthFunction(() => StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs')));

    expect(fs.readdirSync(built.dir)).toEqual(['index.js']);
    const script = `require(${JSON.stringify(path.join(built.dir, 'index.js'))}).handler({ name: 'bundle' }).then(r => process.stdout.write(JSON.stringify(r)))`;
    const result = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf-8' }));
    expect(result.message).toBe('hello, bundle');
  });

  test('the same source gives the same output and the same asset hash', () => {
    process.env.STAGEGRAPH_BUILD_CACHE = 'off';
    const first = synthFunction(() => StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs')));
    const second = synthFunction(() => StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs')));

    expect(second.hash).toBe(first.hash);
    expect(treeDigest(second.dir)).toBe(treeDigest(first.dir));
  });

  test('a change to the source changes the asset hash; a change elsewhere does not', () => {
    const dir = copyFixture('hello-nodejs');
    const before = synthFunction(() => StageCode.fromNodejs(dir));
    fs.writeFileSync(path.join(scratch, 'unrelated.txt'), 'not part of the function');
    const unrelated = synthFunction(() => StageCode.fromNodejs(dir));
    fs.appendFileSync(path.join(dir, 'greeting.ts'), '\nexport const changed = true;\n');
    const after = synthFunction(() => StageCode.fromNodejs(dir));

    expect(unrelated.hash).toBe(before.hash);
    expect(after.hash).not.toBe(before.hash);
  });

  test('fails if the code does not compile, naming the function and the error', () => {
    const dir = copyFixture('hello-nodejs');
    fs.writeFileSync(path.join(dir, 'greeting.ts'), 'export function greeting(name: string { return name; }\n');

    expect(() => synthFunction(() => StageCode.fromNodejs(dir))).toThrow(
      /Failed to bundle asset Stack\/Fn\/Function\/Code\/Stage[\s\S]*greeting\.ts/,
    );
  });
});

describe('staging', () => {
  const hello = () => StageCode.fromGo(path.join(FIXTURES, 'hello-go'));
  const noGo = () => (process.env.STAGEGRAPH_GO = path.join(scratch, 'no-go-here'));

  test('a build, a build taken from the cache and a build without one stage the same code under the same hash', () => {
    const built = synthFunction(hello);
    noGo();
    const cached = synthFunction(hello); // go is gone: only the cache can give it
    delete process.env.STAGEGRAPH_GO;
    process.env.STAGEGRAPH_BUILD_CACHE = 'off';
    const uncached = synthFunction(hello);

    expect(new Set([built.hash, cached.hash, uncached.hash]).size).toBe(1);
    expect(treeDigest(cached.dir)).toBe(treeDigest(built.dir));
    expect(treeDigest(uncached.dir)).toBe(treeDigest(built.dir));
    const entries = fs.readdirSync(path.join(scratch, 'cache'));
    expect(entries).toHaveLength(1);
    // Others cannot change what the next synth deploys, nor what this one does.
    expect(fs.statSync(path.join(scratch, 'cache', entries[0])).mode & 0o022).toBe(0);
    for (const dir of [built.dir, cached.dir, uncached.dir]) {
      expect(fs.statSync(dir).mode & 0o022).toBe(0);
    }
  });

  test('without a cache, a second synth into the same assembly takes the code it staged and builds nothing', () => {
    process.env.STAGEGRAPH_BUILD_CACHE = 'off';
    const outdir = fs.mkdtempSync(path.join(scratch, 'cdk.out-'));
    const synth = () => {
      const app = new App({ outdir });
      new StageFunction(new Stack(app, 'Stack'), 'Fn', { code: hello(), memorySize: 256 });
      return builtAsset(app, outdir, 'AWS::Lambda::Function');
    };
    const first = synth();
    noGo();
    const second = synth();

    expect(second).toEqual(first);
    expect(fs.readdirSync(outdir).filter(name => name.startsWith('asset.'))).toEqual([path.basename(first.dir)]);
  });

  test('a stack CDK does not bundle builds nothing; its hash is the built one and follows the source', () => {
    const dir = copyFixture('hello-go');
    const synth = (bundle: boolean) => {
      const outdir = fs.mkdtempSync(path.join(scratch, 'cdk.out-'));
      const app = new App({ outdir, context: bundle ? {} : { 'aws:cdk:bundling-stacks': [] } });
      new StageFunction(new Stack(app, 'Stack'), 'Fn', { code: StageCode.fromGo(dir), memorySize: 256 });
      return builtAsset(app, outdir, 'AWS::Lambda::Function').hash;
    };
    const bundled = synth(true);
    noGo();
    const skipped = synth(false);
    fs.appendFileSync(path.join(dir, 'main.go'), '\n// changed\n');

    expect(skipped).toBe(bundled);
    expect(synth(false)).not.toBe(skipped);
  });

  test("the app's asset hash salt changes the hash", () => {
    const synth = (context: Record<string, string>) => {
      const outdir = fs.mkdtempSync(path.join(scratch, 'cdk.out-'));
      const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], ...context } });
      new StageFunction(new Stack(app, 'Stack'), 'Fn', { code: hello(), memorySize: 256 });
      return builtAsset(app, outdir, 'AWS::Lambda::Function').hash;
    };

    expect(synth({ '@aws-cdk/core:assetHashSalt': 'one' })).not.toBe(synth({}));
  });

  test('a failed build stages nothing and caches nothing', () => {
    const dir = copyFixture('hello-go');
    fs.appendFileSync(path.join(dir, 'main.go'), '\nfunc broken() { undefinedThing() }\n');
    const outdir = fs.mkdtempSync(path.join(scratch, 'cdk.out-'));
    const app = new App({ outdir });

    expect(
      () => new StageFunction(new Stack(app, 'Stack'), 'Fn', { code: StageCode.fromGo(dir), memorySize: 256 }),
    ).toThrow(/Failed to bundle asset Stack\/Fn\/Function\/Code\/Stage.*Building the Go code/);
    // CDK keeps the failed build's folder for a look (its name ends in -building); no asset folder is made.
    expect(fs.readdirSync(outdir).filter(name => /^asset\.[0-9a-f]+$/.test(name))).toEqual([]);
    expect(fs.existsSync(path.join(scratch, 'cache')) ? fs.readdirSync(path.join(scratch, 'cache')) : []).toEqual([]);
  });
});

describe('Python builds', () => {
  test('sources plus requirements installed for the Lambda platform, importable by python', () => {
    const built = synthFunction(() => StageCode.fromPython(path.join(FIXTURES, 'hello-python')));

    const files = fs.readdirSync(built.dir);
    expect(files).toEqual(expect.arrayContaining(['index.py', 'requirements.txt', 'six.py']));
    expect(files.some(name => /^six-1\.17\.0\.dist-info$/.test(name))).toBe(true);
    const run = `import sys, json; sys.path.insert(0, ${JSON.stringify(built.dir)}); import index; print(json.dumps(index.handler({"name": "py"}, None)))`;
    const result = JSON.parse(execFileSync('python3', ['-c', run], { encoding: 'utf-8' }));
    expect(result).toMatchObject({ message: 'hello, py', six: '1.17.0' });
  });

  test('a library puts the same packages under python/', () => {
    const outdir = fs.mkdtempSync(path.join(scratch, 'cdk.out-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Stack');
    new StageLibrary(stack, 'Lib', { code: StageCode.fromPython(path.join(FIXTURES, 'hello-python')) });

    const built = builtAsset(app, outdir, 'AWS::Lambda::LayerVersion');
    expect(fs.readdirSync(built.dir)).toEqual(['python']);
    expect(fs.existsSync(path.join(built.dir, 'python', 'six.py'))).toBe(true);
  });

  test('fails if a requirement cannot be installed, naming pip and its output', () => {
    const dir = copyFixture('hello-python');
    fs.writeFileSync(path.join(dir, 'requirements.txt'), 'no-such-package-stagegraph-test==0.0.1\n');

    expect(() => synthFunction(() => StageCode.fromPython(dir))).toThrow(
      /Building the Python code in .* failed: '.*-m pip install --requirement [\s\S]*no-such-package-stagegraph-test/,
    );
  });
});

describe('Java builds', () => {
  test('Maven packages the project jar, holding the handler class, and its dependencies under lib/', () => {
    const built = synthFunction(() =>
      StageCode.fromJava(path.join(FIXTURES, 'hello-java'), { handler: 'hello.Handler' }),
    );

    expect(fs.readdirSync(built.dir)).toEqual(['lib']);
    expect(fs.readdirSync(path.join(built.dir, 'lib')).sort()).toEqual([
      'aws-lambda-java-core-1.2.3.jar',
      'hello-java-1.0.0.jar',
    ]);
    const entries = execFileSync('jar', ['tf', path.join(built.dir, 'lib', 'hello-java-1.0.0.jar')], {
      encoding: 'utf-8',
    });
    expect(entries.split('\n')).toContain('hello/Handler.class');
    // The user's folder gets no target/ from the build.
    expect(fs.existsSync(path.join(FIXTURES, 'hello-java', 'target'))).toBe(false);
  });

  test('a second synth takes the build from the cache and never runs Maven', () => {
    const make = () => StageCode.fromJava(path.join(FIXTURES, 'hello-java'), { handler: 'hello.Handler' });
    const first = synthFunction(make);
    process.env.STAGEGRAPH_MVN = path.join(scratch, 'no-maven-here');
    const second = synthFunction(make);

    expect(second.hash).toBe(first.hash);
    expect(treeDigest(second.dir)).toBe(treeDigest(first.dir));
  });

  test('fails if Maven is missing, saying what to install', () => {
    process.env.STAGEGRAPH_MVN = path.join(scratch, 'no-maven-here');

    expect(() =>
      synthFunction(() => StageCode.fromJava(path.join(FIXTURES, 'hello-java'), { handler: 'hello.Handler' })),
    ).toThrow(
      /Stack\/Fn\/Function\/Code\/Stage.*Cannot build the Java code in .*hello-java: '.*no-maven-here' was not found on PATH. Install a JDK \(17 or later\) and Apache Maven/,
    );
  });
});

describe('Go builds', () => {
  test('go build gives a static linux executable named bootstrap for the function architecture', () => {
    const built = synthFunction(() => StageCode.fromGo(path.join(FIXTURES, 'hello-go')));

    expect(fs.readdirSync(built.dir)).toEqual(['bootstrap']);
    const bootstrap = path.join(built.dir, 'bootstrap');
    expect(fs.statSync(bootstrap).mode & 0o111).toBe(0o111);
    expect(elfCpuOf(bootstrap)).toBe('x86_64');
  });

  test('the build is reproducible: same bytes, same hash', () => {
    process.env.STAGEGRAPH_BUILD_CACHE = 'off';
    const first = synthFunction(() => StageCode.fromGo(path.join(FIXTURES, 'hello-go')));
    const second = synthFunction(() => StageCode.fromGo(path.join(FIXTURES, 'hello-go')));

    expect(second.hash).toBe(first.hash);
    expect(treeDigest(second.dir)).toBe(treeDigest(first.dir));
  });

  test('an arm64 build is arm64, gets another hash, and is refused for local runs on another CPU', () => {
    const x86 = synthFunction(() => StageCode.fromGo(path.join(FIXTURES, 'hello-go')), Architecture.X86_64);
    const arm = synthFunction(() => StageCode.fromGo(path.join(FIXTURES, 'hello-go')), Architecture.ARM_64);

    expect(arm.hash).not.toBe(x86.hash);
    expect(elfCpuOf(path.join(arm.dir, 'bootstrap'))).toBe('arm64');
    const foreign = hostCpu() === 'arm64' ? x86 : arm;
    const native = hostCpu() === 'arm64' ? arm : x86;
    expect(() => assertRunsOnThisMachine(native.dir, 'Hello')).not.toThrow();
    expect(() => assertRunsOnThisMachine(foreign.dir, 'Hello')).toThrow(
      /^Hello cannot run on this machine: bootstrap is built for (arm64|x86_64), this machine is (x86_64|arm64)\. Give the function architecture/,
    );
  });

  test('fails if the code does not compile, naming go build and the compiler output', () => {
    const dir = copyFixture('hello-go');
    fs.appendFileSync(path.join(dir, 'main.go'), '\nfunc broken() { undefinedThing() }\n');

    expect(() => synthFunction(() => StageCode.fromGo(dir))).toThrow(
      /Building the Go code in .* failed: 'go build -trimpath .*' exited with code 1[\s\S]*undefined: undefinedThing/,
    );
  });
});

describe('libraries', () => {
  function synthLibrary(makeCode: () => StageCode): Built {
    const outdir = fs.mkdtempSync(path.join(scratch, 'cdk.out-'));
    const app = new App({ outdir });
    new StageLibrary(new Stack(app, 'Stack'), 'Lib', { code: makeCode() });
    return builtAsset(app, outdir, 'AWS::Lambda::LayerVersion');
  }

  test('a Node.js library holds the production dependencies under nodejs/node_modules', () => {
    const built = synthLibrary(() => StageCode.fromNodejs(path.join(FIXTURES, 'library-nodejs')));

    expect(fs.readdirSync(built.dir)).toEqual(['nodejs']);
    expect(fs.existsSync(path.join(built.dir, 'nodejs', 'node_modules', 'is-number', 'package.json'))).toBe(true);
    expect(fs.existsSync(path.join(built.dir, 'nodejs', 'node_modules', 'is-odd'))).toBe(false);
  });

  test('a Java library holds the jar and its dependencies under java/lib', () => {
    const built = synthLibrary(() => StageCode.fromJava(path.join(FIXTURES, 'hello-java'), { handler: 'unused' }));

    expect(fs.readdirSync(path.join(built.dir, 'java', 'lib')).sort()).toEqual([
      'aws-lambda-java-core-1.2.3.jar',
      'hello-java-1.0.0.jar',
    ]);
  });

  test('a Go library holds the executable under bin/', () => {
    const built = synthLibrary(() => StageCode.fromGo(path.join(FIXTURES, 'hello-go')));

    const binary = path.join(built.dir, 'bin', 'hello-go');
    expect(elfCpuOf(binary)).toBe(hostCpu());
    expect(fs.statSync(binary).mode & 0o111).toBe(0o111);
  });
});
