import * as path from 'path';
import { deployFailed, deployStacks, DeployStacksOptions } from '../local/deploy';
import { installNodeRuntimes } from '../local/node-runtimes';
import { localRuntimeProblems, RuntimeProblem } from '../local/runtime-check';
import { summarizeAssembly } from './assembly';

/** Options of {@link deployLocal}. */
export type DeployLocalOptions = DeployStacksOptions;

/** A stack of the app deployed to the local cloud. */
export interface LocalStackDeployment {
  readonly stackName: string;
  readonly outputs: Record<string, string>;
  /** Resources in the stack's template. */
  readonly resourceCount: number;
  /** False when nothing had changed since the last deploy. */
  readonly changed: boolean;
  /** Functions of the stack that cannot run locally on the runtime version they declare. */
  readonly runtimeProblems: RuntimeProblem[];
}

/**
 * Deploys the app of a project to the local cloud (see {@link deployStacks}), then fetches the Node.js
 * builds its functions declare and finds the functions that cannot run locally.
 */
export async function deployLocal(options: DeployLocalOptions): Promise<LocalStackDeployment[]> {
  const projectDir = path.resolve(options.projectDir);
  const outdir = options.assemblyDir
    ? path.resolve(options.assemblyDir)
    : path.resolve(projectDir, options.outdir ?? 'cdk.out');
  const stacks = await deployStacks({ ...options, projectDir, outdir });
  try {
    // Each function runs on the runtime version it declares: fetch the Node.js builds the app needs.
    const summary = summarizeAssembly(outdir);
    const functions = summary.functions;
    installNodeRuntimes(
      projectDir,
      functions.map(f => f.runtime),
      line => options.onProgress?.(line),
    );
    const problems = localRuntimeProblems(projectDir, functions);
    return stacks.map(stack => ({
      stackName: stack.stackName,
      outputs: stack.outputs,
      resourceCount:
        summary.stackResourceCounts[stack.hierarchicalId] ??
        summary.stackResourceCounts[stack.hierarchicalId.split('/').pop() ?? ''] ??
        0,
      changed: stack.changed,
      runtimeProblems: problems.filter(p => p.function.startsWith(`${stack.stackName}/`)),
    }));
  } catch (error) {
    throw deployFailed(error);
  }
}
