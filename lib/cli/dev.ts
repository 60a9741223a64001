import * as path from 'path';
import { Command } from 'commander';
import pc from 'picocolors';
import { DevEvent, DevSession } from '../app/dev/session';
import { followLive } from '../local/live';
import { stopLocalStack } from '../local/localstack-process';
import { LiveLogView } from '../terminal/live-log';
import { terminalProgress } from '../terminal/progress';

/** A dev session's event as one line of the live log, or nothing. */
export function describeDevEvent(event: DevEvent): string | undefined {
  switch (event.type) {
    case 'watching':
      return `watching ${event.dir} (${event.functions} functions built from source); Ctrl-C stops`;
    case 'changed':
      return `changed: ${event.files.slice(0, 3).join(', ')}${event.files.length > 3 ? ` and ${event.files.length - 3} more` : ''}`;
    case 'swapped':
      return `${event.id}: new code in ${Math.round(event.millis)} ms (build ${Math.round(event.buildMillis)} ms)`;
    case 'unchanged':
      return `${event.id}: the same code, nothing to swap`;
    case 'deploying':
      return `${event.reason} changed: deploying the app`;
    case 'deployed': {
      const changed = event.stacks.filter(s => s.changed).map(s => s.stackName);
      return `deployed in ${(event.millis / 1000).toFixed(1)} s: ${changed.length ? `updated ${changed.join(', ')}` : 'no stack changed'}`;
    }
    case 'failed':
      return `${event.what} failed: ${event.message}`;
  }
}

/** `stagegraph dev`: the local debug sandbox (deploy, watch and swap code, one live log). */
export function devCommand(): Command {
  return new Command('dev')
    .description(
      'start the local cloud, deploy the app, then watch it: code changes are swapped into the running functions, ' +
        'other changes deployed; one live log of every function and flow',
    )
    .option('--filter <names...>', 'show only these functions and flows in the live log (names or parts of them)')
    .option('--out <dir>', 'the cloud assembly folder', 'cdk.out')
    .option('--stop', 'stop the local cloud when dev ends (by default it keeps running for the next command)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ stagegraph dev\n  $ stagegraph dev --filter Thumbnail Orders\n  $ stagegraph dev --stop',
    )
    .action(async (opts: { filter?: string[]; out: string; stop?: boolean }) => {
      const projectDir = process.cwd();
      const view = new LiveLogView({
        sources: new Map(),
        ...(opts.filter ? { filter: opts.filter } : {}),
        color: pc.isColorSupported,
        width: process.stdout.columns ?? 80,
      });
      const print = (lines: readonly string[]) => {
        if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
      };
      const session = new DevSession({
        projectDir,
        outdir: opts.out,
        progress: terminalProgress,
        onEvent: event => {
          if (event.type === 'deployed' && session.app) view.setSources(session.app.liveSources);
          const text = describeDevEvent(event);
          if (text) print(view.note(event.type === 'failed' ? pc.red(text) : text));
        },
      });
      const stopped = new AbortController();
      const finish = () => stopped.abort();
      process.once('SIGINT', finish);
      process.once('SIGTERM', finish);
      let started = false;
      try {
        await session.start();
        started = true;
        if (session.app) view.setSources(session.app.liveSources);
        for await (const entries of followLive({
          signal: stopped.signal,
          onDropped: count => print(view.note(`${count} log entries were not kept by the local cloud`)),
        })) {
          print(view.lines(entries));
        }
      } finally {
        process.removeListener('SIGINT', finish);
        process.removeListener('SIGTERM', finish);
        await session.close();
        if (!started) {
          // The start failed: its error says why; the local cloud is as it was.
        } else if (opts.stop) {
          const { stopped: done } = await stopLocalStack(path.resolve(projectDir));
          console.error(done ? 'stopped the local cloud' : 'the local cloud was not started by stagegraph here');
        } else {
          console.error('the local cloud keeps running: `stagegraph local down` stops it');
        }
      }
    });
}
