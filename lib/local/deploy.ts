import * as path from 'path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { BootstrapEnvironments, IoMessage, StackSelectionStrategy, Toolkit } from '@aws-cdk/toolkit-lib';
import { StageBuildError } from '../errors';
import { CollectingIoHost } from '../io-host';
import { cdkAppCommand } from '../project';
import { LOCAL_ACCOUNT, LOCAL_REGION, localAwsEnvironment, localClientConfig } from './endpoint';

/** Options of {@link deployLocal}. */
export interface DeployLocalOptions {
  /** The folder of cdk.json. */
  readonly projectDir: string;
  /** The cloud assembly folder. @default `<projectDir>/cdk.out` */
  readonly outdir?: string;
  /** Sees each line of deploy progress. */
  readonly onProgress?: (line: string) => void;
}

/** A stack deployed to the local cloud. */
export interface LocalStackDeployment {
  readonly stackName: string;
  readonly outputs: Record<string, string>;
}

/**
 * Synthesizes the project's CDK app and deploys every stack to the local cloud with the CDK
 * toolkit library: the same templates and assets as `cdk deploy`, with the SDK pointed at
 * LocalStack. Bootstraps the local account once.
 */
export async function deployLocal(options: DeployLocalOptions): Promise<LocalStackDeployment[]> {
  const projectDir = path.resolve(options.projectDir);
  return withLocalAwsEnvironment(async () => {
    const ioHost = new CollectingIoHost((msg: IoMessage<unknown>) => {
      if (options.onProgress && (msg.level === 'info' || msg.level === 'result' || msg.level === 'error') && msg.message.trim()) {
        options.onProgress(msg.message.trim());
      }
    });
    const toolkit = new Toolkit({ ioHost, color: false, emojis: false });
    try {
      await bootstrapWith(toolkit, options.onProgress);
      const source = await toolkit.fromCdkApp(cdkAppCommand(projectDir), {
        workingDirectory: projectDir,
        outdir: options.outdir ?? path.join(projectDir, 'cdk.out'),
      });
      const result = await toolkit.deploy(source, { stacks: { strategy: StackSelectionStrategy.ALL_STACKS } });
      return result.stacks.map(stack => ({ stackName: stack.stackName, outputs: { ...stack.outputs } }));
    } catch (error) {
      const reasons = ioHost.problems().filter(line => /FAILED|failed|Error/.test(line));
      throw new StageBuildError(`Deploying to the local cloud failed: ${(error as Error).message}` +
        (reasons.length ? `\n${[...new Set(reasons)].slice(-10).join('\n')}` : ''));
    }
  });
}

/** Bootstraps the local account and region for CDK deploys, once: a no-op when already done. */
export async function bootstrapLocal(onProgress?: (line: string) => void): Promise<void> {
  await withLocalAwsEnvironment(() => bootstrapWith(new Toolkit({ ioHost: new CollectingIoHost(), color: false, emojis: false }), onProgress));
}

async function bootstrapWith(toolkit: Toolkit, onProgress?: (line: string) => void): Promise<void> {
  if (!(await isBootstrapped())) {
    onProgress?.(`Bootstrapping aws://${LOCAL_ACCOUNT}/${LOCAL_REGION}`);
    await toolkit.bootstrap(BootstrapEnvironments.fromList([`aws://${LOCAL_ACCOUNT}/${LOCAL_REGION}`]));
  }
}

async function isBootstrapped(): Promise<boolean> {
  const cloudformation = new CloudFormationClient(localClientConfig());
  try {
    const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: 'CDKToolkit' }));
    return (Stacks ?? []).some(s => /_COMPLETE$/.test(s.StackStatus ?? '') && !/ROLLBACK|DELETE/.test(s.StackStatus ?? ''));
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
