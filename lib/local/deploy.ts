import * as path from 'path';
import { cloudFormationSdk } from '../aws-sdk';
import type { IoMessage, Toolkit } from '@aws-cdk/toolkit-lib';
import { StageBuildError } from '../errors';
import { CollectingIoHost, toolkitLib } from '../io-host';
import { cdkAppCommand } from '../project';
import { LOCAL_ACCOUNT, LOCAL_REGION, localAwsEnvironment, localClientConfig } from './endpoint';

/** Options of {@link deployStacks}. */
export interface DeployStacksOptions {
  /** The folder of cdk.json. */
  readonly projectDir: string;
  /** The cloud assembly folder. @default `<projectDir>/cdk.out` */
  readonly outdir?: string;
  /**
   * Deploy this already synthesized cloud assembly (an app synthesized in-process, as in a test) instead of
   * running the app of the project's cdk.json.
   * @default - synthesize the project's app
   */
  readonly assemblyDir?: string;
  /** Sees each line of deploy progress: every CloudFormation event (for `--verbose`). */
  readonly onProgress?: (line: string) => void;
  /** Sees how far each stack's deployment is, after each CloudFormation event. */
  readonly onStackProgress?: (progress: StackDeployProgress) => void;
}

/** How far one stack's deployment is. */
export interface StackDeployProgress {
  readonly stackName: string;
  /** Resources done so far. */
  readonly completed: number;
  /** Resources of the deployment, when CloudFormation says. */
  readonly total?: number;
}

/** A stack the CDK toolkit deployed to the local cloud. */
export interface DeployedStack {
  readonly stackName: string;
  /** The stack's artifact id in the cloud assembly (`Stage/Stack` for a stack in a stage). */
  readonly hierarchicalId: string;
  readonly outputs: Record<string, string>;
  /** False when nothing had changed since the last deploy. */
  readonly changed: boolean;
}

interface ToolkitStackEvent {
  readonly stackName?: string;
  readonly resourcesTotal?: number;
  readonly event?: { readonly StackName?: string };
  readonly progress?: { readonly completed?: number; readonly total?: number };
}

/**
 * Synthesizes the project's CDK app and deploys every stack to the local cloud with the CDK
 * toolkit library: the same templates and assets as `cdk deploy`, with the SDK pointed at
 * LocalStack. Bootstraps the local account once.
 */
export async function deployStacks(options: DeployStacksOptions): Promise<DeployedStack[]> {
  const projectDir = path.resolve(options.projectDir);
  return withLocalAwsEnvironment(async () => {
    const ioHost = new CollectingIoHost((msg: IoMessage<unknown>) => {
      if (
        options.onProgress &&
        (msg.level === 'info' || msg.level === 'result' || msg.level === 'error') &&
        msg.message.trim()
      ) {
        options.onProgress(msg.message.trim());
      }
      const data = msg.data as ToolkitStackEvent | undefined;
      if (options.onStackProgress && data && (msg.code === 'CDK_TOOLKIT_I5501' || msg.code === 'CDK_TOOLKIT_I5502')) {
        const stackName = data.stackName ?? data.event?.StackName ?? '';
        options.onStackProgress({
          stackName,
          completed: data.progress?.completed ?? 0,
          total: data.progress?.total ?? data.resourcesTotal,
        });
      }
    });
    const { StackSelectionStrategy, Toolkit } = toolkitLib();
    const toolkit = new Toolkit({ ioHost, color: false, emojis: false });
    let deployed: DeployedStack[];
    let stuck: string[];
    try {
      await bootstrapWith(toolkit, options.onProgress);
      const outdir = path.resolve(projectDir, options.outdir ?? 'cdk.out');
      const source = options.assemblyDir
        ? await toolkit.fromAssemblyDirectory(options.assemblyDir)
        : await toolkit.fromCdkApp(cdkAppCommand(projectDir), { workingDirectory: projectDir, outdir });
      const result = await toolkit.deploy(source, { stacks: { strategy: StackSelectionStrategy.ALL_STACKS } });
      const unchanged = new Set(
        ioHost.messages.filter(m => /\(no changes\)/.test(m.text)).map(m => m.text.split(/[\s:]/).find(Boolean) ?? ''),
      );
      stuck = await rolledBackStacks(result.stacks.map(stack => stack.stackName).filter(n => unchanged.has(n)));
      deployed = result.stacks.map(stack => ({
        stackName: stack.stackName,
        hierarchicalId: stack.hierarchicalId,
        outputs: { ...stack.outputs },
        changed: !unchanged.has(stack.stackName),
      }));
    } catch (error) {
      throw deployFailed(error, ioHost.problems());
    }
    if (stuck.length > 0) throw new StageBuildError(notDeployedAfterRollback(stuck));
    return deployed;
  });
}

/**
 * Of the given stacks, those left UPDATE_ROLLBACK_COMPLETE: LocalStack's rollback of a failed update keeps the failed
 * update's template, so a deploy of that same version finds "no changes" although none of it was applied.
 */
async function rolledBackStacks(stackNames: readonly string[]): Promise<string[]> {
  if (stackNames.length === 0) return [];
  const cloudformation = new (cloudFormationSdk().CloudFormationClient)(localClientConfig());
  try {
    const statuses = await Promise.all(
      stackNames.map(async StackName => {
        const { Stacks } = await cloudformation.send(new (cloudFormationSdk().DescribeStacksCommand)({ StackName }));
        return Stacks?.[0]?.StackStatus;
      }),
    );
    return stackNames.filter((_, i) => statuses[i] === 'UPDATE_ROLLBACK_COMPLETE');
  } finally {
    cloudformation.destroy();
  }
}

/** What a deploy says of stacks {@link rolledBackStacks} found. */
export function notDeployedAfterRollback(stackNames: readonly string[]): string {
  return (
    `Deploying to the local cloud failed: ${stackNames.join(', ')} ${stackNames.length === 1 ? 'was' : 'were'} not ` +
    "updated. The last update failed, and the local cloud rolled it back keeping that update's template " +
    '(UPDATE_ROLLBACK_COMPLETE), so this deploy of the same version found no changes. The local cloud does not roll ' +
    'a failed update back reliably (another version deployed over it can fail too): start over with ' +
    '`stagegraph local down --discard`, `stagegraph local up` and a deploy'
  );
}

/** The error of a deploy that failed: its cause and the last of the toolkit's own failure lines. */
export function deployFailed(error: unknown, toolkitProblems: readonly string[] = []): StageBuildError {
  const reasons = toolkitProblems.filter(line => /FAILED|failed|Error/.test(line));
  return new StageBuildError(
    `Deploying to the local cloud failed: ${(error as Error).message}` +
      (reasons.length ? `\n${[...new Set(reasons)].slice(-10).join('\n')}` : ''),
  );
}

/** Bootstraps the local account and region for CDK deploys, once: a no-op when already done. */
export async function bootstrapLocal(onProgress?: (line: string) => void): Promise<void> {
  await withLocalAwsEnvironment(() =>
    bootstrapWith(
      new (toolkitLib().Toolkit)({ ioHost: new CollectingIoHost(), color: false, emojis: false }),
      onProgress,
    ),
  );
}

async function bootstrapWith(toolkit: Toolkit, onProgress?: (line: string) => void): Promise<void> {
  if (!(await isBootstrapped())) {
    onProgress?.(`Bootstrapping aws://${LOCAL_ACCOUNT}/${LOCAL_REGION}`);
    await toolkit.bootstrap(toolkitLib().BootstrapEnvironments.fromList([`aws://${LOCAL_ACCOUNT}/${LOCAL_REGION}`]));
  }
}

async function isBootstrapped(): Promise<boolean> {
  const cloudformation = new (cloudFormationSdk().CloudFormationClient)(localClientConfig());
  try {
    const { Stacks } = await cloudformation.send(
      new (cloudFormationSdk().DescribeStacksCommand)({ StackName: 'CDKToolkit' }),
    );
    return (Stacks ?? []).some(
      s => /_COMPLETE$/.test(s.StackStatus ?? '') && !/ROLLBACK|DELETE/.test(s.StackStatus ?? ''),
    );
  } catch {
    return false;
  } finally {
    cloudformation.destroy();
  }
}

/** Runs `work` with the process environment pointing the AWS SDK at the local cloud, then restores it. */
export async function withLocalAwsEnvironment<T>(work: () => Promise<T>): Promise<T> {
  const local = localAwsEnvironment();
  const saved = Object.fromEntries(Object.keys(local).map(k => [k, process.env[k]]));
  Object.assign(process.env, local);
  try {
    return await work();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) {
        delete process.env[key];
      } else {
        process.env[key] = value;
      }
    }
  }
}
