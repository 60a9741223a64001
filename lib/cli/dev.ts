import * as path from 'path';
import { Command } from 'commander';
import pc from 'picocolors';
import { DevEvent, DevSession } from '../app/dev/session';
import { namesConstruct } from '../app/assembly';
import type { DevApp, DevFunction } from '../app/dev/dev-app';
import { UsageError } from '../errors';
import { DEBUGGERS, debugSessions, startDebugging, stopDebugging } from '../local/debug';
import { followLive } from '../local/live';
import { stopLocalStack } from '../local/localstack-process';
import { LiveLogView } from '../terminal/live-log';
import { terminalProgress } from '../terminal/progress';

/** A dev session's event as one line of the live log, or nothing. */
export function describeDevEvent(event: DevEvent): string | undefined {
  switch (event.type) {
    case 'watching':
      return `watching ${event.dir} (${event.functions} function${event.functions === 1 ? '' : 's'} built from source); Ctrl-C stops`;
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
    .option(
      '--debug <function>',
      "run a function under its language's debugger on 127.0.0.1 (Node.js inspector, debugpy, JDWP, Delve)",
    )
    .option('--debug-port <port>', "the debugger's port (default: 9229 Node.js, 5678 Python, 5005 Java, 2345 Go)")
    .addHelpText(
      'after',
      '\nExamples:\n  $ stagegraph dev\n  $ stagegraph dev --filter Thumbnail Orders\n  $ stagegraph dev --debug Thumbnail\n' +
        '  $ stagegraph dev --stop',
    )
    .action(async (opts: { filter?: string[]; out: string; stop?: boolean; debug?: string; debugPort?: string }) => {
      const projectDir = process.cwd();
      const port = opts.debugPort === undefined ? undefined : Number(opts.debugPort);
      if (port !== undefined && !(Number.isInteger(port) && port >= 1024 && port <= 65535)) {
        throw new UsageError(`--debug-port must be a port from 1024 to 65535 (given '${opts.debugPort}')`);
      }
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
        // A --debug name the app lacks is said before the local cloud starts or anything deploys.
        ...(opts.debug !== undefined
          ? { checkFunctions: (functions: readonly DevFunction[]) => void debugFunction(functions, opts.debug!) }
          : {}),
        onEvent: event => {
          if (event.type === 'deployed' && session.app) view.setSources(session.app.liveSources);
          const text = describeDevEvent(event);
          if (text) print(view.note(text, Date.now(), event.type === 'failed'));
        },
      });
      const stopped = new AbortController();
      let firstInterrupt: number | undefined;
      let started = false;
      const finish = () => {
        // One Ctrl-C can arrive twice (from the terminal and relayed by a wrapper such as tsx or npx): a second
        // one counts a second after the first. It does not wait, for a deploy in flight or the start.
        const now = Date.now();
        if (firstInterrupt !== undefined) {
          if (now - firstInterrupt > 1000) process.exit(130);
          return;
        }
        firstInterrupt = now;
        stopped.abort();
        if (!started) console.error('stopping once the start is done (Ctrl-C again to quit at once)');
      };
      process.on('SIGINT', finish);
      process.on('SIGTERM', finish);
      let debugged: string | undefined;
      let renew: NodeJS.Timeout | undefined;
      let codeDirShown = false;
      let liveFailures = 0;
      try {
        await session.start();
        started = true;
        if (session.app) view.setSources(session.app.liveSources);
        if (opts.debug !== undefined && session.app) {
          const target = debugTarget(session.app, opts.debug, port);
          await startDebugging(target.functionName, target.port);
          debugged = target.functionName;
          await session.buildForDebugger(target.id);
          print(view.note(target.message));
          // The mark lasts a minute unless renewed: a dev that was killed leaves no function debugged for long.
          renew = setInterval(() => {
            startDebugging(target.functionName, target.port).catch(() => undefined);
          }, 20_000);
        }
        for await (const entries of followLive({
          signal: stopped.signal,
          onDropped: count => print(view.note(`${count} log entries were not kept by the local cloud`)),
          onError: error => {
            if (liveFailures++ === 0) {
              print(view.note(`the live log cannot be read (${(error as Error).message}): trying again`));
            }
          },
          onRecovered: () => {
            liveFailures = 0;
            print(view.note('the live log is back'));
          },
          onRestart: () => {
            print(view.note('the local cloud started again: reading its log from its first entry'));
            codeDirShown = false;
          },
        })) {
          print(view.lines(entries));
          if (debugged && !codeDirShown && entries.some(e => e.kind === 'function' && e.name === debugged)) {
            // The environment under the debugger has started: where its code runs from (Python's remoteRoot).
            const dir = (await debugSessions().catch(() => undefined))?.codeDirs[debugged];
            if (dir) {
              codeDirShown = true;
              print(view.note(`the debugged code runs from ${dir}`));
            }
          }
        }
      } finally {
        if (renew) clearInterval(renew);
        process.removeListener('SIGINT', finish);
        process.removeListener('SIGTERM', finish);
        await session.close();
        if (debugged) await stopDebugging(debugged).catch(() => undefined);
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

/** The function `--debug` names, its debugger's port and what to tell the user. */
export function debugTarget(
  app: Pick<DevApp, 'functions' | 'functionNames'>,
  name: string,
  port?: number,
): { readonly id: string; readonly functionName: string; readonly port: number; readonly message: string } {
  const fn = debugFunction(app.functions, name);
  const functionName = app.functionNames.get(fn.id);
  if (!functionName) throw new UsageError(`--debug ${name}: ${fn.id} is not deployed`);
  const debuggerOf = DEBUGGERS[fn.source.language];
  const chosen = port ?? debuggerOf.port;
  return {
    id: fn.id,
    functionName,
    port: chosen,
    message:
      `debugging ${fn.id}: its next environment starts under ${debuggerOf.name} on 127.0.0.1:${chosen}, and its ` +
      `invocations wait at breakpoints (up to an hour). Attach with ${debuggerOf.attach}.`,
  };
}

/** The one function built from source that `--debug <name>` names, or a usage error that says why not. */
export function debugFunction(functions: readonly DevFunction[], name: string): DevFunction {
  const matches = functions.filter(fn => namesConstruct(fn.id, name));
  if (matches.length !== 1) {
    const known = functions.map(fn => fn.id).join(', ') || 'none';
    throw new UsageError(
      matches.length === 0
        ? `--debug ${name}: no function built from source has that name (the app has ${known})`
        : `--debug ${name} names ${matches.length} functions (${matches.map(m => m.id).join(', ')}): give the stack too`,
    );
  }
  return matches[0];
}
