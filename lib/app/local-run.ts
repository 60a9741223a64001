import { localEndpoint } from '../local/endpoint';
import { installLocalStack } from '../local/install';
import { cdkAppCommand } from '../project';
import { LocalStatus, startLocalStack } from '../local/localstack-process';
import { AppSummary, summarizeAssembly } from './assembly';
import { deployLocal, LocalStackDeployment } from './deploy';
import { DeployedInvocation, invokeDeployed } from './deployed';
import { Progress, QUIET } from './progress';

/**
 * Installs (when needed) and starts the embedded LocalStack: the shared start of several commands. Uses
 * the user's own LocalStack when LOCALSTACK_ENDPOINT is set, and one already running when there is one.
 */
export async function ensureLocalCloud(
  projectDir: string,
  progress: Progress = QUIET,
): Promise<LocalStatus & { readonly started: boolean }> {
  if (!process.env.LOCALSTACK_ENDPOINT) {
    await progress.step('Checking the embedded LocalStack installation', async () => {
      installLocalStack({ projectDir, onStep: text => progress.detail(text) });
    });
  }
  const status = await progress.step(`Starting LocalStack on ${localEndpoint()}`, () =>
    startLocalStack({ projectDir }),
  );
  if (!status.started) {
    progress.detail(
      `using the LocalStack already running at ${status.endpoint}${status.pid ? ` (pid ${status.pid})` : ''}`,
    );
  }
  return status;
}

/** Options of {@link deployApp}. */
export interface DeployAppOptions {
  /** The cloud assembly folder. @default `<projectDir>/cdk.out` */
  readonly outdir?: string;
  /**
   * Show every CloudFormation event as a detail, instead of how many resources of each stack are done.
   * @default false
   */
  readonly verbose?: boolean;
  /** Shows the deploy as one step. @default {@link QUIET} */
  readonly progress?: Progress;
}

/**
 * Starts the local cloud (see {@link ensureLocalCloud}) and deploys the app of a project to it as one step,
 * updated with each stack's resources done out of the total while it runs.
 */
export async function deployApp(projectDir: string, options: DeployAppOptions = {}): Promise<LocalStackDeployment[]> {
  const progress = options.progress ?? QUIET;
  // Not an app folder: said before anything starts.
  cdkAppCommand(projectDir);
  await ensureLocalCloud(projectDir, progress);
  return progress.step('Building and deploying the app to the local cloud', update =>
    deployLocal({
      projectDir,
      outdir: options.outdir,
      onProgress: options.verbose ? line => progress.detail(line.split('\n')[0]) : undefined,
      onStackProgress: p => update(`${p.stackName} ${p.completed}${p.total ? `/${p.total}` : ''} resources`),
    }),
  );
}

/**
 * What a synthesized app holds, without stagegraph's own functions (the billing meter, a flow's starter and resumer,
 * ...).
 */
export function ownFunctionsOf(assemblyDir: string): AppSummary {
  const summary = summarizeAssembly(assemblyDir);
  return { ...summary, functions: summary.functions.filter(fn => !fn.internal) };
}

/** Invokes each of the given deployed functions once with the same event, one after the other. */
export async function* invokeEach(
  assemblyDir: string,
  ids: readonly string[],
  event: string,
): AsyncGenerator<DeployedInvocation> {
  for (const id of ids) {
    yield await invokeDeployed(assemblyDir, id, event);
  }
}
