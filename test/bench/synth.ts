// Synth time and template size of an app of N functions written with StageFunction against the
// same app written with plain aws-cdk-lib, measured in one run, each run a fresh process.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { Spread, spread, table } from './stats';

export interface SynthResult {
  readonly variant: string;
  readonly functions: number;
  readonly validation: boolean;
  readonly seconds: Spread;
  readonly resources: number;
  readonly resourcesPerFunction: number;
  readonly customResources: number;
  readonly templateBytes: number;
}

const VARIANTS = ['plain', 'plain-same-features', 'stagegraph'] as const;
const CHILD = path.join(__dirname, 'synth-app.ts');
const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

let packed: string | undefined;

/**
 * Installs stagegraph below `workDir/node_modules` from its packed tarball (`npm pack`, which builds it), as a user's
 * `npm i stagegraph` does: the apps import its compiled JavaScript from node_modules, as they import aws-cdk-lib.
 * Its own dependencies resolve to the repository's node_modules, so the app and the package share one aws-cdk-lib.
 * The tarball is packed once per bench run.
 */
export function installPackage(workDir: string): string {
  if (packed === undefined) {
    const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-bench-pack-'));
    process.on('exit', () => fs.rmSync(packDir, { recursive: true, force: true }));
    // Built here, not only by npm's prepack, which `ignore-scripts` in a user's npm config would skip.
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const [{ filename }] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], {
        cwd: ROOT,
        encoding: 'utf-8',
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    ) as Array<{ filename: string }>;
    packed = path.join(packDir, filename);
  }
  const dir = path.join(workDir, 'node_modules', 'stagegraph');
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xzf', packed, '-C', dir, '--strip-components=1']);
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/**
 * Writes N small distinct TypeScript functions, and their esbuild bundles for the plain variants; installs the
 * package the stagegraph variants import.
 */
export function prepare(workDir: string, count: number): void {
  installPackage(workDir);
  for (let i = 0; i < count; i++) {
    const src = path.join(workDir, 'src', `fn${i}`);
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(
      path.join(src, 'index.ts'),
      `export const handler = async (event: unknown) => ({ fn: ${i}, event });\n`,
    );
    buildSync({
      entryPoints: [path.join(src, 'index.ts')],
      outfile: path.join(workDir, 'prebuilt', `fn${i}`, 'index.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node22',
      logLevel: 'silent',
    });
  }
}

export interface RunResult {
  readonly millis: number;
  readonly resources: number;
  readonly customResources: number;
  readonly templateBytes: number;
  readonly peakRssMb: number;
  readonly error?: string;
}

/** One synth's arguments: the variant, its functions, the prepared folder, CDK's validation, `cdk synth`'s context. */
type SynthArgs = [variant: string, count: number, workDir: string, validation: boolean, cliContext?: boolean];

/** One synth of a variant of the app into a folder removed after it. */
export function runOnce(...args: SynthArgs): RunResult {
  const outdir = fs.mkdtempSync(path.join(args[2], 'cdk.out-'));
  try {
    return synthInto(outdir, ...args);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** One synth of a variant of the app (see synth-app.ts) into `outdir`, which is kept, in a process of its own. */
export function synthInto(
  outdir: string,
  ...[variant, count, workDir, validation, cliContext = false]: SynthArgs
): RunResult {
  const output = execFileSync(TSX, [CHILD, variant, String(count), workDir, outdir], {
    encoding: 'utf-8',
    cwd: workDir,
    env: {
      ...process.env,
      BENCH_CDK_CLI_CONTEXT: cliContext ? '1' : '0',
      CDK_VALIDATION: validation ? 'true' : 'false',
      STAGEGRAPH_BUILD_CACHE: path.join(workDir, 'build-cache'),
      STAGEGRAPH_BENCH_PACKAGE: path.join(workDir, 'node_modules', 'stagegraph'),
    },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(output.trim().split('\n').pop() as string);
}

/**
 * The variants in a new random order for each round: in a fixed order each one always ran after the same other, and
 * the machine's state after a run (its page cache, the folder the last run removed) favoured some.
 */
function shuffled<T>(items: readonly T[]): T[] {
  const order = [...items];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Runs every variant `repeats` times, interleaved so that machine noise hits them alike. */
export function benchSynth(count: number, repeats: number, validation: boolean): SynthResult[] {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-bench-synth-'));
  try {
    prepare(workDir, count);
    // Warm the build cache: the measured runs are second synths, which must not rebuild.
    runOnce('stagegraph', count, workDir, false);
    const samples = new Map<string, RunResult[]>(VARIANTS.map(v => [v, []]));
    for (let r = 0; r < repeats; r++) {
      for (const variant of shuffled(VARIANTS)) {
        samples.get(variant)?.push(runOnce(variant, count, workDir, validation));
      }
    }
    return VARIANTS.map(variant => {
      const runs = samples.get(variant) ?? [];
      const last = runs[runs.length - 1];
      return {
        variant,
        functions: count,
        validation,
        seconds: spread(runs.map(x => x.millis / 1000)),
        resources: last.resources,
        resourcesPerFunction: last.resources / count,
        customResources: last.customResources,
        templateBytes: last.templateBytes,
      };
    });
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

export function formatSynth(results: readonly SynthResult[]): string {
  const byKey = new Map(results.map(r => [`${r.functions}/${r.validation}/${r.variant}`, r]));
  return table(
    [
      'variant',
      'functions',
      'validation',
      'synth s (median)',
      'min..max',
      'ratio to plain',
      'resources',
      'per function',
      'custom',
      'template KB',
    ],
    results.map(r => {
      const plain = byKey.get(`${r.functions}/${r.validation}/plain`);
      return [
        r.variant,
        String(r.functions),
        r.validation ? 'on' : 'off',
        r.seconds.median.toFixed(2),
        `${r.seconds.min.toFixed(2)}..${r.seconds.max.toFixed(2)}`,
        plain ? `${(r.seconds.median / plain.seconds.median).toFixed(2)}x` : '',
        String(r.resources),
        r.resourcesPerFunction.toFixed(2),
        String(r.customResources),
        (r.templateBytes / 1024).toFixed(1),
      ];
    }),
  );
}

/** One size of the scaling benchmark: a variant's figures, or the error that stopped its synth. */
export interface ScalingResult {
  readonly variant: string;
  readonly functions: number;
  readonly seconds?: Spread;
  readonly peakRssMb?: number;
  readonly resourcesPerFunction?: number;
  readonly templateKb?: number;
  readonly customResources?: number;
  readonly error?: string;
}

// Each stagegraph variant is compared with the plain one of the same shape: one stack, or split in nested stacks (plain
// aws-cdk-lib by hand, stagegraph with its opt-in).
// The second baseline of each shape, plain-features, is the same app with what stagegraph's defaults add (log groups
// with a retention, a dead-letter queue, a bucket with TLS only, encryption and access logs) written in plain
// aws-cdk-lib.
/** The name of a variant synthesized as `cdk synth` runs an app: its context (see synth-app.ts), validation on. */
const CLI_SUFFIX = ' (cdk synth context)';
const SCALING_VARIANTS = [
  'plain-triggers',
  'plain-features',
  'stagegraph-triggers',
  'plain-nested',
  'plain-features-nested',
  'stagegraph-nested',
] as const;
const SCALING_BASELINE: Record<string, string> = {
  'stagegraph-triggers': 'plain-triggers',
  'stagegraph-nested': 'plain-nested',
  [`stagegraph-triggers${CLI_SUFFIX}`]: `plain-triggers${CLI_SUFFIX}`,
  [`stagegraph-nested${CLI_SUFFIX}`]: `plain-nested${CLI_SUFFIX}`,
};
const SCALING_FEATURES_BASELINE: Record<string, string> = {
  'stagegraph-triggers': 'plain-features',
  'stagegraph-nested': 'plain-features-nested',
  [`stagegraph-triggers${CLI_SUFFIX}`]: `plain-features${CLI_SUFFIX}`,
  [`stagegraph-nested${CLI_SUFFIX}`]: `plain-features-nested${CLI_SUFFIX}`,
};

/**
 * Apps of each size whose functions have three triggers each (OBS, SMN, DMS), with plain aws-cdk-lib
 * and with stagegraph, `repeats` interleaved runs per figure: CDK validation and version reporting off, or, with
 * `cliContext`, both on, as `cdk synth` runs an app.
 */
export function benchSynthScaling(
  sizes: readonly number[],
  repeats: number,
  variants: readonly string[] = SCALING_VARIANTS,
  cliContext = false,
): ScalingResult[] {
  const results: ScalingResult[] = [];
  for (const count of sizes) {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-bench-scaling-'));
    try {
      prepare(workDir, count);
      // As `cdk synth` runs an app, CDK's CloudFormation validation is on (the toolkit turns it off only for
      // --no-validation); the other scaling figures have it off.
      const validation = cliContext;
      runOnce(variants.find(v => v.startsWith('stagegraph')) ?? variants[0], count, workDir, validation, cliContext); // warm the build cache
      const samples = new Map<string, RunResult[]>(variants.map(v => [v, []]));
      for (let r = 0; r < repeats; r++) {
        for (const variant of shuffled(variants)) {
          samples.get(variant)?.push(runOnce(variant, count, workDir, validation, cliContext));
        }
      }
      for (const name of variants) {
        const variant = cliContext ? `${name}${CLI_SUFFIX}` : name;
        const runs = samples.get(name) ?? [];
        const failed = runs.find(x => x.error);
        if (failed) {
          results.push({ variant, functions: count, error: failed.error });
          continue;
        }
        const last = runs[runs.length - 1];
        results.push({
          variant,
          functions: count,
          seconds: spread(runs.map(x => x.millis / 1000)),
          peakRssMb: Math.max(...runs.map(x => x.peakRssMb)),
          resourcesPerFunction: last.resources / count,
          templateKb: last.templateBytes / 1024,
          customResources: last.customResources,
        });
      }
    } finally {
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  }
  return results;
}

/**
 * The triggers app of each size, plain (bare, and with stagegraph's defaults) and stagegraph, synthesized as
 * `cdk synth` runs an app by default: its context (version reporting on, whose CDKMetadata resource loads CDK's facts
 * of every region in both; path and asset metadata; every stack bundled) and CDK's CloudFormation validation on.
 * Up to 50 functions in one stack; past that, the nested-stack variants (one stack fails at 500 resources).
 */
export function benchSynthCliContext(sizes: readonly number[], repeats: number): ScalingResult[] {
  return sizes.flatMap(size =>
    benchSynthScaling(
      [size],
      repeats,
      size <= 50
        ? ['plain-triggers', 'plain-features', 'stagegraph-triggers']
        : ['plain-nested', 'plain-features-nested', 'stagegraph-nested'],
      true,
    ),
  );
}

/** A stagegraph variant's median synth time over its plain baseline's at the same size ('' for a baseline). */
function scalingRatio(
  results: readonly ScalingResult[],
  r: ScalingResult,
  baselines: Record<string, string> = SCALING_BASELINE,
): string {
  const baseline = results.find(b => b.variant === baselines[r.variant] && b.functions === r.functions);
  if (!baselines[r.variant]) return '';
  if (!baseline?.seconds || !r.seconds) return 'baseline fails';
  return `${(r.seconds.median / baseline.seconds.median).toFixed(2)}x`;
}

export function formatScaling(results: readonly ScalingResult[]): string {
  const failures = results.filter(r => r.error).map(r => `${r.variant}, ${r.functions} functions: ${r.error}`);
  return (
    table(
      [
        'variant',
        'functions',
        'synth s (median)',
        'min..max',
        'vs plain',
        'vs same features',
        'peak MB',
        'resources / function',
        'custom',
        'template KB',
      ],
      results.map(r =>
        r.error
          ? [r.variant, String(r.functions), 'fails (below)', '', '', '', '', '', '', '']
          : [
              r.variant,
              String(r.functions),
              (r.seconds as Spread).median.toFixed(2),
              `${(r.seconds as Spread).min.toFixed(2)}..${(r.seconds as Spread).max.toFixed(2)}`,
              scalingRatio(results, r),
              scalingRatio(results, r, SCALING_FEATURES_BASELINE),
              String(r.peakRssMb),
              (r.resourcesPerFunction ?? 0).toFixed(2),
              String(r.customResources),
              (r.templateKb ?? 0).toFixed(1),
            ],
      ),
    ) + (failures.length ? `\n\n${failures.join('\n')}` : '')
  );
}
