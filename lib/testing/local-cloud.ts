import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { deployLocal } from '../app/deploy';
import { LocalCloudError } from '../errors';
import { bootstrapLocal } from '../local/deploy';
import { CloudFormationClient, DeleteStackCommand, waitUntilStackDeleteComplete } from '@aws-sdk/client-cloudformation';
import { localClientConfig, localEndpoint, usesExternalLocalStack } from '../local/endpoint';
import { localPaths } from '../local/paths';
import { installLocalStack } from '../local/install';
import { startLocalStack, stopLocalStack } from '../local/localstack-process';
import { DeployedApp } from './deployed-app';

/** Options of {@link LocalCloud.start}. */
export interface LocalCloudOptions {
  /**
   * The app's folder: where the local cloud keeps its state and the Node.js builds its functions run on.
   * @default - the current working directory
   */
  readonly projectDir?: string;
  /**
   * Sees each step of installing, starting and deploying.
   * @default - silent
   */
  readonly onProgress?: (line: string) => void;
}

/**
 * The embedded local cloud, for integration tests: `LocalCloud.start()` installs it when needed and starts it, or
 * reuses the one already running (started by another test file, `stagegraph local up` or a global setup);
 * `deploy(app)` deploys an app synthesized in the test; `stop()` stops it only when this object started it.
 *
 * @example
 * const cloud = await LocalCloud.start();
 * const deployed = await cloud.deploy(app);
 * await deployed.upload(bucket, 'in/photo.jpg', bytes);
 * const run = await deployed.nextInvocation(thumbnail);
 */
export class LocalCloud {
  /** Installs the local cloud when needed and starts it, or finds it running. */
  public static async start(options: LocalCloudOptions = {}): Promise<LocalCloud> {
    const projectDir = path.resolve(options.projectDir ?? process.cwd());
    if (!usesExternalLocalStack()) {
      installLocalStack({ projectDir, onStep: line => options.onProgress?.(line) });
    }
    const status = await startLocalStack({ projectDir });
    await bootstrapLocal(options.onProgress);
    return new LocalCloud(projectDir, status.started, options.onProgress);
  }

  /** The local cloud's endpoint, e.g. `http://127.0.0.1:4566`. */
  public readonly endpoint: string;
  /** Whether this object started the local cloud (and `stop()` stops it). */
  public readonly started: boolean;
  /** The stacks this object deployed, which `destroy()` deletes. */
  private readonly deployedStacks = new Set<string>();
  private readonly apps: DeployedApp[] = [];

  private constructor(
    private readonly projectDir: string,
    started: boolean,
    private readonly onProgress?: (line: string) => void,
  ) {
    this.endpoint = localEndpoint();
    this.started = started;
  }

  /**
   * Synthesizes an app (or the app of a stack) in this process, builds its functions and deploys its stacks: a
   * stack deployed before is updated, and unchanged stacks cost almost nothing.
   */
  public async deploy(appOrStack: App | Stack): Promise<DeployedApp> {
    const app = appOrStack instanceof Stack ? appOrStack.node.root : appOrStack;
    if (!App.isApp(app)) {
      throw new LocalCloudError(
        `cannot deploy ${appOrStack.node.path || 'the app'}: it is not in a CDK App (given a ${app.constructor.name})`,
      );
    }
    const assembly = app.synth();
    const stacks = await deployLocal({
      projectDir: this.projectDir,
      assemblyDir: assembly.directory,
      onProgress: this.onProgress,
    });
    for (const stack of stacks) this.deployedStacks.add(stack.stackName);
    const deployed = new DeployedApp(stacks, { flowMockFile: this.flowMockFile() });
    this.apps.push(deployed);
    return deployed;
  }

  /** Where the local cloud reads flow mocks from: the embedded one's file, or your LocalStack's SFN_MOCK_CONFIG. */
  private flowMockFile(): string | undefined {
    return usesExternalLocalStack() ? process.env.SFN_MOCK_CONFIG || undefined : localPaths(this.projectDir).flowMocks;
  }

  /**
   * Deletes the stacks this object deployed (what the test run made) and waits until they are gone; answers
   * their names. Leave it out to keep them: the next run's deploy of an unchanged stack is then almost free.
   */
  public async destroy(): Promise<string[]> {
    const names = [...this.deployedStacks].reverse();
    const client = new CloudFormationClient(localClientConfig());
    try {
      for (const StackName of names) {
        this.onProgress?.(`deleting ${StackName}`);
        await client.send(new DeleteStackCommand({ StackName }));
        await waitUntilStackDeleteComplete({ client, maxWaitTime: 300, minDelay: 1, maxDelay: 2 }, { StackName });
        this.deployedStacks.delete(StackName);
      }
    } finally {
      client.destroy();
    }
    return names;
  }

  /**
   * Closes the clients of the apps it deployed, and stops the local cloud if this object started it; a local
   * cloud that was running before is left running.
   */
  public async stop(): Promise<void> {
    for (const app of this.apps) app.close();
    if (this.started) await stopLocalStack(this.projectDir);
  }
}
