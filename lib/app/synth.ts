import * as fs from 'fs';
import * as path from 'path';
import { StageBuildError, StageInputError } from '../errors';
import { CollectingIoHost, toolkitLib } from '../io-host';
import { cdkAppCommand } from '../project';
import { AppSummary, summarizeAssembly } from './assembly';
import { Progress, QUIET } from './progress';
import { ignoreStateFolder, STATE_FOLDER } from '../state-folder';

/** Options of {@link synthesizeApp}. */
export interface SynthesizeOptions {
  /** The folder of cdk.json. */
  readonly projectDir: string;
  /** Where the cloud assembly goes. @default `<projectDir>/cdk.out` */
  readonly outdir?: string;
  /**
   * Synthesize without building any function's code (for pictures and summaries of the structure).
   * @default false
   */
  readonly skipBuilds?: boolean;
  /**
   * Context values for the app, e.g. `{ 'stagegraph:target': 'huawei' }`.
   * @default - none
   */
  readonly context?: Record<string, unknown>;
}

/** A synthesized app: what it holds, where, and the warnings of its constructs (`Annotations`) and of the CDK. */
export interface SynthesizedApp extends AppSummary {
  readonly assemblyDir: string;
  readonly warnings: string[];
}

/**
 * Synthesizes the CDK app of a project with the CDK toolkit library (building every function's
 * code without Docker) and summarizes what it holds.
 */
export async function synthesizeApp(options: SynthesizeOptions): Promise<SynthesizedApp> {
  const projectDir = path.resolve(options.projectDir);
  const outdir = path.resolve(options.outdir ?? path.join(projectDir, 'cdk.out'));
  const ioHost = new CollectingIoHost();
  const { CdkAppMultiContext, Toolkit } = toolkitLib();
  const toolkit = new Toolkit({ ioHost, color: false, emojis: false });
  const source = await toolkit.fromCdkApp(cdkAppCommand(projectDir), {
    workingDirectory: projectDir,
    outdir,
    // CDK's own switch: bundling (our builders) runs only for the stacks listed, here none.
    ...(options.skipBuilds || options.context
      ? {
          contextStore: new CdkAppMultiContext(projectDir, {
            ...options.context,
            ...(options.skipBuilds ? { 'aws:cdk:bundling-stacks': [] } : {}),
          }),
        }
      : {}),
  });
  let assembly;
  try {
    assembly = await toolkit.synth(source);
  } catch (error) {
    const details = ioHost.problems().join('\n');
    throw new StageBuildError(
      `Synthesizing the app in ${projectDir} failed: ${(error as Error).message}${details ? `\n${details}` : ''}`,
    );
  }
  try {
    return {
      ...summarizeAssembly(assembly.cloudAssembly.directory),
      assemblyDir: assembly.cloudAssembly.directory,
      warnings: warningsOf(ioHost.messages),
    };
  } finally {
    await assembly.dispose();
  }
}

/** Options of {@link structureAssembly}. */
export interface StructureOptions {
  /** The folder of cdk.json. @default the current folder */
  readonly projectDir?: string;
  /** Shows the synthesis when the app is synthesized. @default {@link QUIET} */
  readonly progress?: Progress;
  /**
   * Context values the app is synthesized with, e.g. `targetContext(target)`.
   * @default - none
   */
  readonly context?: Record<string, unknown>;
}

/**
 * The cloud assembly a command that only reads the app's structure works on: the folder given with
 * `--assembly`, or the app of cdk.json synthesized without building any code (with `options.context`) into
 * `<projectDir>/.stagegraph/<name>.out`.
 */
export async function structureAssembly(
  given: string | undefined,
  name: string,
  options: StructureOptions = {},
): Promise<string> {
  if (given) {
    const dir = path.resolve(given);
    if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
      throw new StageInputError(
        `--assembly ${given}: no cloud assembly there (no ${path.join(dir, 'manifest.json')}); give the folder \`cdk synth\` wrote, such as cdk.out, or leave --assembly out to synthesize the app`,
      );
    }
    return dir;
  }
  const projectDir = path.resolve(options.projectDir ?? process.cwd());
  // Not an app folder: said before .stagegraph is made there.
  cdkAppCommand(projectDir);
  const synthesized = await (options.progress ?? QUIET).step('Synthesizing the app', () =>
    synthesizeApp({
      projectDir,
      outdir: stateOutdir(projectDir, name),
      skipBuilds: true,
      ...(options.context && Object.keys(options.context).length > 0 ? { context: options.context } : {}),
    }),
  );
  return synthesized.assemblyDir;
}

/** Where a command that synthesizes the app for itself writes it: `.stagegraph/<name>.out`, kept out of git. */
function stateOutdir(projectDir: string, name: string): string {
  const outdir = path.join(projectDir, STATE_FOLDER, `${name}.out`);
  ignoreStateFolder(outdir);
  return outdir;
}

/**
 * The warnings among the toolkit's messages: those at level warn, and the `WARNING` blocks of its report of the
 * constructs' annotations (one message at level error, a block per annotation, separated by a blank line).
 */
export function warningsOf(messages: ReadonlyArray<{ readonly level: string; readonly text: string }>): string[] {
  return messages.flatMap(m =>
    m.level === 'warn'
      ? [m.text]
      : m.level !== 'error'
        ? []
        : m.text
            .split(/\n\s*\n/)
            .filter(block => block.startsWith('WARNING '))
            .map(block => block.slice('WARNING '.length)),
  );
}
