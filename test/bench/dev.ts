// `stagegraph dev` as a user runs it, in a project of its own with one function per language: the time from a saved
// edit to the first invocation that runs the new code (median of several edits per language), against a full
// `local deploy` of the same kind of edit in the same run; and how far the live log trails a burst of 500
// invocations (from each Invoke's answer to its line on dev's output).
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { findDeployedFunction } from '../../lib/app/deployed';
import { deployLocal } from '../../lib/app/deploy';
import { waitFor } from '../../lib/app/wait';
import { localClientConfig, localEndpoint } from '../../lib/local/endpoint';
import { DevLanguage, HANDLER_FILES, makeDevProject } from '../integ/dev/dev-project';
import { Spread, spread, table } from './stats';

const ROOT = path.join(__dirname, '..', '..');
const LANGUAGES: readonly DevLanguage[] = ['nodejs', 'python', 'go', 'java'];
const GOALS: Record<DevLanguage, number> = { nodejs: 1000, python: 1000, go: 3000, java: 10_000 };

export interface DevBenchResult {
  readonly languages: { language: DevLanguage; swap: Spread; deploy: Spread; goalMs: number }[];
  /** From each Invoke's answer to its line in dev's live log, ms. */
  readonly liveLog: { invocations: number; delay: Spread; p99: number; lastLineAfterLastAnswer: number };
}

function functionName(language: DevLanguage): string {
  return `Hello${language[0].toUpperCase()}${language.slice(1)}`;
}

/** Edits the greeting of a language's function to `hello v<n>, ` (and makes the Node.js one log its name). */
function edit(project: string, language: DevLanguage, version: number): string {
  const file = path.join(project, 'functions', language, HANDLER_FILES[language]);
  let text = fs.readFileSync(file, 'utf-8').replace(/hello(?: v\d+)?, /, `hello v${version}, `);
  if (language === 'nodejs' && !text.includes('console.log')) {
    text = text.replace('return `hello', "console.log('greeting', name);\n  return `hello");
  }
  fs.writeFileSync(file, text);
  return `hello v${version}, `;
}

async function invokeText(lambda: LambdaClient, name: string, event: unknown = {}): Promise<string> {
  const answer = await lambda.send(
    new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }),
  );
  return Buffer.from(answer.Payload ?? []).toString('utf-8');
}

/** Saves an edit and measures until an invocation answers with it. */
async function saveToNewCode(
  lambda: LambdaClient,
  project: string,
  language: DevLanguage,
  version: number,
  apply: () => Promise<unknown> = async () => undefined,
): Promise<number> {
  const fn = await findDeployedFunction(path.join(project, 'cdk.out'), functionName(language));
  const saved = performance.now();
  const marker = edit(project, language, version);
  await apply();
  await waitFor(
    `${language} code v${version}`,
    async () => ((await invokeText(lambda, fn.functionName)).includes(marker) ? true : undefined),
    { timeoutMs: 180_000, intervalMs: 10 },
  );
  return performance.now() - saved;
}

export async function benchDev(edits: number, deploys: number): Promise<DevBenchResult> {
  const project = makeDevProject(fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-dev-bench-')), LANGUAGES);
  const lambda = new LambdaClient(localClientConfig());
  const seen = new Map<string, number>();
  let dev: ChildProcess | undefined;
  try {
    dev = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'bin', 'stagegraph.ts'), 'dev'], {
      cwd: project,
      env: { ...process.env, LOCALSTACK_ENDPOINT: localEndpoint() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let pending = '';
    dev.stdout?.on('data', (chunk: Buffer) => {
      const now = performance.now();
      pending += chunk.toString('utf-8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        output += `${line}\n`;
        const burst = /INFO greeting (burst-\d+)/.exec(line);
        if (burst) seen.set(burst[1], now);
      }
    });
    dev.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf-8')));
    await waitFor('dev watching', async () => (/watching /.test(output) ? true : undefined), {
      timeoutMs: 600_000,
      intervalMs: 100,
    });

    const swaps = new Map<DevLanguage, number[]>();
    for (const language of LANGUAGES) {
      const times: number[] = [];
      // The first edit of a language fills its build caches (Python's requirements, Go's and Maven's own): not counted.
      await saveToNewCode(lambda, project, language, 100);
      for (let i = 1; i <= edits; i++) times.push(await saveToNewCode(lambda, project, language, i));
      swaps.set(language, times);
      console.log(`  dev ${language}: ${times.map(t => Math.round(t)).join(', ')} ms`);
    }

    // A burst of 500 invocations, 25 at a time: when each answered, and when dev printed its output line.
    const node = await findDeployedFunction(path.join(project, 'cdk.out'), functionName('nodejs'));
    const answered = new Map<string, number>();
    const ids = Array.from({ length: 500 }, (_, i) => `burst-${i}`);
    let next = 0;
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        while (next < ids.length) {
          const id = ids[next++];
          await invokeText(lambda, node.functionName, { name: id });
          answered.set(id, performance.now());
        }
      }),
    );
    const lastAnswer = Math.max(...answered.values());
    await waitFor('every burst line in the live log', async () => (seen.size >= ids.length ? true : undefined), {
      timeoutMs: 120_000,
      intervalMs: 20,
    });
    const delays = ids.map(id => (seen.get(id) ?? 0) - (answered.get(id) ?? 0)).sort((a, b) => a - b);
    const liveLog = {
      invocations: ids.length,
      delay: spread(delays),
      p99: delays[Math.floor(delays.length * 0.99) - 1],
      lastLineAfterLastAnswer: Math.max(...seen.values()) - lastAnswer,
    };

    dev.kill('SIGINT');
    await new Promise(resolve => dev?.once('exit', resolve));
    dev = undefined;

    // The same kind of edit deployed the way it was before dev: synth and deploy the app, then invoke.
    const languages: DevBenchResult['languages'] = [];
    for (const language of LANGUAGES) {
      const times: number[] = [];
      for (let i = 1; i <= deploys; i++) {
        times.push(
          await saveToNewCode(lambda, project, language, 1000 + i, () => deployLocal({ projectDir: project })),
        );
      }
      console.log(`  local deploy ${language}: ${times.map(t => Math.round(t)).join(', ')} ms`);
      languages.push({
        language,
        swap: spread(swaps.get(language) ?? []),
        deploy: spread(times),
        goalMs: GOALS[language],
      });
    }
    return { languages, liveLog };
  } finally {
    dev?.kill('SIGINT');
    lambda.destroy();
    fs.rmSync(project, { recursive: true, force: true });
  }
}

export function formatDev(result: DevBenchResult): string {
  const rows = result.languages.map(r => [
    r.language,
    `${Math.round(r.swap.median)} (${Math.round(r.swap.min)}..${Math.round(r.swap.max)})`,
    `${Math.round(r.deploy.median)} (${Math.round(r.deploy.min)}..${Math.round(r.deploy.max)})`,
    `${(r.swap.median / r.deploy.median).toFixed(3)}x`,
    `${r.goalMs}`,
    r.swap.median < r.goalMs ? 'met' : 'missed',
  ]);
  const live = result.liveLog;
  return [
    table(['language', 'dev: save to new code, ms', 'local deploy, ms', 'dev vs deploy', 'goal ms', 'goal'], rows),
    '',
    `Live log after a burst of ${live.invocations} invocations (25 at a time): each line ${Math.round(live.delay.median)} ms ` +
      `after its Invoke answered (median; p99 ${Math.round(live.p99)}, max ${Math.round(live.delay.max)}); the last line ` +
      `${Math.round(live.lastLineAfterLastAnswer)} ms after the last answer`,
  ].join('\n');
}
