import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { BuildSettings, BuildTarget, LanguageBuilder } from '../../../lib/function/languages/builder';
import { LocalBuild } from '../../../lib/function/local-build';

let scratch: string;
const savedCache = process.env.STAGEGRAPH_BUILD_CACHE;

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-local-build-'));
  process.env.STAGEGRAPH_BUILD_CACHE = path.join(scratch, 'cache');
});

afterEach(() => {
  process.env.STAGEGRAPH_BUILD_CACHE = savedCache;
  if (savedCache === undefined) delete process.env.STAGEGRAPH_BUILD_CACHE;
  const writable = (dir: string): void => {
    fs.chmodSync(dir, 0o755);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) writable(path.join(dir, entry.name));
    }
  };
  writable(scratch);
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** A builder that writes a file and a read-only folder, and counts its builds; `during` runs inside each build. */
function fakeBuilder(sourceDir: string, during: () => void = () => undefined): LanguageBuilder & { builds: number } {
  return {
    language: 'fake',
    sourceDir,
    exclude: [],
    builds: 0,
    describe: () => ({ language: 'fake' }),
    build(outputDir: string) {
      this.builds++;
      fs.writeFileSync(path.join(outputDir, 'index.js'), 'exports.handler = 1;\n');
      fs.mkdirSync(path.join(outputDir, 'lib'));
      fs.writeFileSync(path.join(outputDir, 'lib', 'x.js'), '\n');
      fs.chmodSync(path.join(outputDir, 'lib'), 0o555);
      during();
    },
  };
}

const SETTINGS: BuildSettings = {
  architecture: Architecture.X86_64,
  runtime: Runtime.NODEJS_22_X,
  target: BuildTarget.FUNCTION,
};

function output(name: string): string {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir);
  return dir;
}

describe('LocalBuild cache', () => {
  test('a build is stored once; the next takes it from the cache with its read-only folder', () => {
    const source = path.join(scratch, 'src');
    fs.mkdirSync(source);
    fs.writeFileSync(path.join(source, 'index.ts'), 'export const a = 1;\n');
    const builder = fakeBuilder(source);

    new LocalBuild(builder, SETTINGS).tryBundle(output('first'));
    new LocalBuild(builder, SETTINGS).tryBundle(output('second'));

    expect(builder.builds).toBe(1);
    expect(fs.readFileSync(path.join(scratch, 'second', 'lib', 'x.js'), 'utf-8')).toBe('\n');
    expect(fs.statSync(path.join(scratch, 'second', 'lib')).mode & 0o777).toBe(0o555);
    expect(fs.readdirSync(path.join(scratch, 'cache'))).toEqual([new LocalBuild(builder, SETTINGS).cacheKey()]);
  });

  test('an entry another process stored first is kept, the build succeeds and no staging folder is left', () => {
    const source = path.join(scratch, 'src');
    fs.mkdirSync(source);
    fs.writeFileSync(path.join(source, 'index.ts'), 'export const a = 2;\n');
    const key = new LocalBuild(fakeBuilder(source), SETTINGS).cacheKey();
    // While this build runs, another one stores the same entry.
    const builder = fakeBuilder(source, () => {
      fs.mkdirSync(path.join(scratch, 'cache', key), { recursive: true });
      fs.writeFileSync(path.join(scratch, 'cache', key, 'index.js'), 'exports.handler = "theirs";\n');
    });

    expect(new LocalBuild(builder, SETTINGS).tryBundle(output('out'))).toBe(true);

    expect(fs.readFileSync(path.join(scratch, 'out', 'index.js'), 'utf-8')).toBe('exports.handler = 1;\n');
    expect(fs.readdirSync(path.join(scratch, 'cache'))).toEqual([key]);
    expect(fs.readFileSync(path.join(scratch, 'cache', key, 'index.js'), 'utf-8')).toBe(
      'exports.handler = "theirs";\n',
    );
  });
});
