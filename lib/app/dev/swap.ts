import * as path from 'path';
import { App, AssetStaging, Stack } from 'aws-cdk-lib';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaSdk } from '../../aws-sdk';
import { LocalCloudError, StageBuildError } from '../../errors';
import { codeFromSource } from '../../function/stage-code';
import { StagedCode } from '../../function/staged-code';
import { zipFolderBytes } from '../../zip';
import type { DevFunction } from './dev-app';

/** A function's code built again: its asset hash and the built folder in the cloud assembly. */
export interface RebuiltCode {
  readonly assetHash: string;
  /** The built code: `<assembly>/asset.<hash>`, as a synth leaves it. */
  readonly dir: string;
}

/**
 * Builds one function's code again from its source, exactly as a synth does: the same `StageCode`, the same asset
 * staging into the cloud assembly (`asset.<hash>`) and the same build cache entry, so the next synth of the app
 * finds this build instead of making it again. Nothing else of the app is synthesized.
 */
export function rebuildCode(fn: DevFunction, assemblyDir: string): RebuiltCode {
  // CDK remembers each source folder's staging for the life of the process: forget it, the files changed.
  AssetStaging.clearAssetHashCache();
  const app = new App({ outdir: path.resolve(assemblyDir), autoSynth: false });
  const stack = new Stack(app, 'StagegraphDev');
  const architecture = fn.architecture === Architecture.ARM_64.name ? Architecture.ARM_64 : Architecture.X86_64;
  const config = codeFromSource(fn.source).bind(stack, { architecture });
  // CDK announces each bundling on standard error: the dev loop reports the rebuild itself.
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
    String(chunk).startsWith('Bundling asset ') ? true : write.call(process.stderr, chunk, ...rest)) as typeof write;
  try {
    config.code.bind(stack);
  } finally {
    process.stderr.write = write;
  }
  const staging = config.code instanceof StagedCode ? config.code.staging : undefined;
  if (!staging) {
    throw new StageBuildError(`${fn.id}: its code is not an asset of the app, so it cannot be rebuilt`);
  }
  return { assetHash: staging.assetHash, dir: path.resolve(assemblyDir, staging.relativeStagedPath(stack)) };
}

/**
 * Puts a built code folder into a deployed function with Lambda's UpdateFunctionCode (no CloudFormation deploy) and
 * waits until the update is done: the next invocation runs the new code, in a new execution environment. A function
 * invoked through an alias (reserved instances) gets a new version, and its aliases point at it.
 */
export async function swapCode(
  lambda: LambdaClient,
  functionName: string,
  codeDir: string,
  timeoutMs = 60_000,
): Promise<void> {
  await lambda.send(
    new (lambdaSdk().UpdateFunctionCodeCommand)({ FunctionName: functionName, ZipFile: zipFolderBytes(codeDir) }),
  );
  await updated(lambda, functionName, Date.now() + timeoutMs);
  const { Aliases } = await lambda.send(new (lambdaSdk().ListAliasesCommand)({ FunctionName: functionName }));
  if (Aliases && Aliases.length > 0) {
    const { Version } = await lambda.send(new (lambdaSdk().PublishVersionCommand)({ FunctionName: functionName }));
    for (const alias of Aliases) {
      await lambda.send(
        new (lambdaSdk().UpdateAliasCommand)({
          FunctionName: functionName,
          Name: alias.Name,
          FunctionVersion: Version,
        }),
      );
    }
    await updated(lambda, functionName, Date.now() + timeoutMs);
  }
}

/** Waits until the function's last update is done. */
async function updated(lambda: LambdaClient, functionName: string, deadline: number): Promise<void> {
  const timeoutMs = Math.max(0, deadline - Date.now());
  for (;;) {
    const config = await lambda.send(new (lambdaSdk().GetFunctionConfigurationCommand)({ FunctionName: functionName }));
    if (config.LastUpdateStatus === 'Successful' || config.LastUpdateStatus === undefined) return;
    if (config.LastUpdateStatus === 'Failed') {
      throw new LocalCloudError(
        `${functionName}: the local cloud could not take the new code (${config.LastUpdateStatusReason ?? 'no reason given'})`,
      );
    }
    if (Date.now() > deadline) {
      throw new LocalCloudError(`${functionName}: the code update did not finish within ${timeoutMs / 1000} s`);
    }
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}
