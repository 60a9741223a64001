// Past CloudFormation's 500 resources per stack, opted in to nested stacks of functions
// (stagegraph:nestedFunctionStacks: about 35 functions each): the synth of 1,000 functions with an OBS and an SMN
// trigger each and a flow (a fresh process, the build cache warm; a queue per function would be 1,000 resources of
// the app's own stack),
// and the deploy of 200 functions with an OBS, an SMN and a DMS trigger each to the local cloud, where plain
// aws-cdk-lib stops at synth (see the scaling table), then one invocation of the last function.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { summarizeAssembly } from '../../lib/app/assembly';
import { deployLocal } from '../../lib/app/deploy';
import { findDeployedFunction } from '../../lib/app/deployed';
import { invokeLocal } from '../../lib/local/invoke';
import { prepare, runOnce } from './synth';

const CHILD = path.join(__dirname, 'synth-app.ts');
const TSX = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');

export interface WallResult {
  readonly synth: { functions: number; seconds: number; resources: number; error?: string };
  readonly deploy: {
    functions: number;
    resources: number;
    stacks: number;
    largestStack: number;
    synthSeconds: number;
    deploySeconds: number;
    invoked: boolean;
  };
}

export async function benchWall(synthCount: number, deployCount: number): Promise<WallResult> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-bench-wall-'));
  try {
    prepare(workDir, synthCount);
    runOnce('stagegraph-nested-2', synthCount, workDir, false); // warm the build cache
    const big = runOnce('stagegraph-nested-2', synthCount, workDir, false);
    const synth = {
      functions: synthCount,
      seconds: big.millis / 1000,
      resources: big.resources,
      ...(big.error ? { error: big.error } : {}),
    };
    console.log(`  synth of ${synthCount} functions: ${JSON.stringify(synth)}`);

    // The deploy: the first `deployCount` functions, synthesized into a folder that is kept.
    const outdir = path.join(workDir, 'cdk.out');
    const started = performance.now();
    execFileSync(TSX, [CHILD, 'stagegraph-nested', String(deployCount), workDir, outdir], {
      cwd: workDir,
      env: {
        ...process.env,
        CDK_VALIDATION: 'false',
        BENCH_CDK_CLI_CONTEXT: '0',
        STAGEGRAPH_BUILD_CACHE: path.join(workDir, 'build-cache'),
        STAGEGRAPH_BENCH_PACKAGE: path.join(workDir, 'node_modules', 'stagegraph'),
      },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const synthSeconds = (performance.now() - started) / 1000;
    const summary = summarizeAssembly(outdir);
    const nestedCounts = fs
      .readdirSync(outdir)
      .filter(f => f.endsWith('.nested.template.json'))
      .map(
        f =>
          Object.keys((JSON.parse(fs.readFileSync(path.join(outdir, f), 'utf-8')) as { Resources: object }).Resources)
            .length,
      );
    const deployStarted = performance.now();
    let last = 0;
    await deployLocal({
      projectDir: workDir,
      assemblyDir: outdir,
      onStackProgress: p => {
        if (p.completed - last >= 200) {
          last = p.completed;
          console.log(`  deploy: ${p.stackName} ${p.completed}/${p.total ?? '?'}`);
        }
      },
    });
    const deploySeconds = (performance.now() - deployStarted) / 1000;
    const fn = await findDeployedFunction(outdir, `Fn${deployCount - 1}`);
    const result = await invokeLocal(fn.functionName, '{"wall":true}');
    return {
      synth,
      deploy: {
        functions: deployCount,
        resources: summary.resourceCount,
        stacks: 1 + nestedCounts.length,
        largestStack: Math.max(summary.stackResourceCounts.Bench ?? 0, ...nestedCounts),
        synthSeconds,
        deploySeconds,
        invoked: !result.functionError,
      },
    };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

export function formatWall(result: WallResult): string {
  const d = result.deploy;
  return [
    `Synth of ${result.synth.functions} functions (an OBS and an SMN trigger each, a flow): ` +
      (result.synth.error
        ? `fails: ${result.synth.error}`
        : `${result.synth.seconds.toFixed(2)} s, ${result.synth.resources} resources`),
    `Deploy of ${d.functions} functions to the local cloud: ${d.resources} resources in ${d.stacks} stacks (largest ` +
      `${d.largestStack}), synth ${d.synthSeconds.toFixed(1)} s, deploy ${d.deploySeconds.toFixed(1)} s; ` +
      `Fn${d.functions - 1} invoked: ${d.invoked ? 'yes' : 'no'}`,
  ].join('\n');
}
