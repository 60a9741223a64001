import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The library as users get it: `npm pack`, installed into a fresh CDK app that type-checks,
// synthesizes (building its function with the packed esbuild) and runs the packed CLI.
jest.setTimeout(300_000);

const ROOT = path.join(__dirname, '..', '..');
const rootPackage = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));
let work: string;
let consumer: string;

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  return execFileSync(command, args, { cwd, encoding: 'utf-8', env: { ...process.env, CDK_VALIDATION: 'false', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-pack-'));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], ROOT)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = path.join(work, packed[0].filename);
  consumer = path.join(work, 'consumer');
  fs.mkdirSync(path.join(consumer, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(consumer, 'functions', 'greeter'), { recursive: true });
  fs.copyFileSync(path.join(__dirname, 'consumer', 'app.ts'), path.join(consumer, 'bin', 'app.ts'));
  fs.writeFileSync(path.join(consumer, 'functions', 'greeter', 'index.ts'),
    'export const handler = async (event: { name: string }) => ({ greeting: `hi ${event.name}` });\n');
  fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({
    name: 'consumer', version: '1.0.0', private: true,
    dependencies: {
      stagegraph: `file:${tarball}`,
      'aws-cdk-lib': rootPackage.devDependencies['aws-cdk-lib'],
      constructs: rootPackage.devDependencies.constructs,
    },
  }, null, 2));
  fs.writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, outDir: 'dist', rootDir: '.', skipLibCheck: true, types: [] },
    include: ['bin/**/*.ts'],
  }));
  fs.writeFileSync(path.join(consumer, 'cdk.json'), JSON.stringify({ app: 'node dist/bin/app.js' }));
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], consumer);
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the compiled library and CLI, not the sources or tests', () => {
  const installed = path.join(consumer, 'node_modules', 'stagegraph');
  expect(fs.existsSync(path.join(installed, 'dist', 'lib', 'index.js'))).toBe(true);
  expect(fs.existsSync(path.join(installed, 'dist', 'lib', 'index.d.ts'))).toBe(true);
  expect(fs.existsSync(path.join(installed, 'dist', 'bin', 'stagegraph.js'))).toBe(true);
  expect(fs.existsSync(path.join(installed, 'lib'))).toBe(false);
  expect(fs.existsSync(path.join(installed, 'test'))).toBe(false);
});

test('a consumer app type-checks and synthesizes with the packed library', () => {
  run(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], consumer);
  const outdir = path.join(consumer, 'cdk.out');
  run(process.execPath, ['dist/bin/app.js'], consumer, { CDK_OUTDIR: outdir });

  const template = JSON.parse(fs.readFileSync(path.join(outdir, 'ConsumerStack.template.json'), 'utf-8'));
  const functions = Object.values(template.Resources as Record<string, { Type: string; Properties: { MemorySize: number; Code: { S3Key: string } } }>)
    .filter(r => r.Type === 'AWS::Lambda::Function');
  expect(functions).toHaveLength(1);
  expect(functions[0].Properties.MemorySize).toBe(192);
  const assetDir = path.join(outdir, `asset.${functions[0].Properties.Code.S3Key.replace(/\.zip$/, '')}`);
  expect(fs.readFileSync(path.join(assetDir, 'index.js'), 'utf-8')).toContain('hi ${event.name}');
});

test('the packed CLI prints its version and summarizes the consumer app', () => {
  const cli = path.join(consumer, 'node_modules', '.bin', 'stagegraph');
  expect(run(cli, ['--version'], consumer).trim()).toBe(rootPackage.version);

  const summary = JSON.parse(run(cli, ['synth', '--json'], consumer));
  expect(summary.stacks).toEqual(['ConsumerStack']);
  expect(summary.functions).toEqual([expect.objectContaining({ path: 'ConsumerStack/Greeter/Function/Resource', runtime: 'nodejs22.x', memoryMb: 192 })]);
  expect(summary.functions[0].codeBytes).toBeGreaterThan(0);
});
