import * as fs from 'fs';
import * as path from 'path';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { cloudFormationSdk } from '../aws-sdk';
import { LocalCloudError, StageBuildError } from '../errors';
import { isUnreachable, localClientConfig, localEndpoint } from '../local/endpoint';
import { invokeLocal, InvokeResult } from '../local/invoke';
import { namesConstruct, summarizeAssembly } from './assembly';
import { deployedResourceIds, physicalIdAt, resourceKey } from './physical-ids';

/** A deployed function found by the name a user knows it by. */
export interface DeployedFunction {
  /** How the app names it: `Stack/Id`. */
  readonly id: string;
  /** The Lambda function name. */
  readonly functionName: string;
}

/**
 * Finds a deployed function by its construct id (`Thumbnail`), its stack and id
 * (`AppStack/Thumbnail`) or its Lambda name, using the cloud assembly of the last synth or deploy.
 */
export async function findDeployedFunction(assemblyDir: string, name: string): Promise<DeployedFunction> {
  if (!fs.existsSync(path.join(assemblyDir, 'manifest.json'))) {
    throw new LocalCloudError(`No cloud assembly in ${assemblyDir}: run \`stagegraph local deploy\` first`, 4);
  }
  const summary = summarizeAssembly(assemblyDir);
  const candidates = summary.functions;
  const match = candidates.filter(f => namesConstruct(f.id, name));
  if (match.length !== 1) {
    const known = candidates.map(f => f.id).join(', ') || 'none';
    throw new StageBuildError(
      match.length === 0
        ? `Unknown function '${name}': the app has ${known}`
        : `'${name}' names ${match.length} functions (${match.map(m => m.id).join(', ')}): give the stack too, as Stack/Id`,
    );
  }
  const cloudformation = new (cloudFormationSdk().CloudFormationClient)(localClientConfig());
  try {
    const functionName = await physicalIdAt(cloudformation, match[0]);
    if (!functionName) {
      throw new LocalCloudError(`${match[0].id} is not deployed: run \`stagegraph local deploy\``, 4);
    }
    return { id: match[0].id, functionName };
  } catch (error) {
    if (error instanceof LocalCloudError) {
      throw error;
    }
    if (isUnreachable(error)) {
      throw new LocalCloudError(
        `The local cloud is not running at ${localEndpoint()}: start it with \`stagegraph local up\`, then deploy with \`stagegraph local deploy\``,
        3,
      );
    }
    throw new LocalCloudError(
      `${match[0].id} is not deployed in the local cloud (${(error as Error).message}): run \`stagegraph local deploy\``,
      4,
    );
  } finally {
    cloudformation.destroy();
  }
}

/**
 * The construct ids (`Stack/Id`) of the deployed functions of an app, by Lambda name: empty when there
 * is no cloud assembly or a stack is not deployed.
 */
export async function deployedFunctionIds(
  assemblyDir: string,
  config: ConstructorParameters<typeof CloudFormationClient>[0] = localClientConfig(),
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (!fs.existsSync(path.join(assemblyDir, 'manifest.json'))) return ids;
  const summary = summarizeAssembly(assemblyDir);
  const cloudformation = new (cloudFormationSdk().CloudFormationClient)(config);
  try {
    const physical = await deployedResourceIds(summary.stacks, cloudformation);
    for (const fn of summary.functions) {
      const name = physical.get(resourceKey(fn));
      if (name) ids.set(name, fn.id);
    }
  } finally {
    cloudformation.destroy();
  }
  return ids;
}

/** What {@link invokeDeployed} gives back: the function as the app names it, and what the invocation returned. */
export interface DeployedInvocation {
  /** How the app names the function: `Stack/Id`. */
  readonly id: string;
  readonly result: InvokeResult;
}

/**
 * Invokes a deployed function, found by the name a user knows it by (see {@link findDeployedFunction}), with a JSON
 * event.
 */
export async function invokeDeployed(assemblyDir: string, name: string, event: string): Promise<DeployedInvocation> {
  const fn = await findDeployedFunction(assemblyDir, name);
  return { id: fn.id, result: await invokeLocal(fn.functionName, event) };
}
