import { LocalCloudError } from '../errors';
import { localEndpoint } from './endpoint';

/** The debugger each language's runtime starts under, its usual port, and how a user attaches to it. */
export const DEBUGGERS: Record<string, { readonly name: string; readonly port: number; readonly attach: string }> = {
  nodejs: { name: 'the Node.js inspector', port: 9229, attach: 'VS Code "Attach to Node.js", or chrome://inspect' },
  python: { name: 'debugpy', port: 5678, attach: 'VS Code "Python Debugger: Remote Attach"' },
  java: { name: 'JDWP', port: 5005, attach: 'VS Code "Java: Attach", or IntelliJ "Remote JVM Debug"' },
  go: { name: 'Delve', port: 2345, attach: 'VS Code Go "Attach to remote" (mode: remote), or GoLand "Go Remote"' },
};

/** The functions the local cloud runs under their debugger: ports, and where each one's code runs from. */
export interface DebugSessions {
  readonly functions: Record<string, number>;
  readonly codeDirs: Record<string, string>;
}

async function call(method: 'GET' | 'PUT' | 'DELETE', query: string): Promise<DebugSessions> {
  const response = await fetch(`${localEndpoint()}/_stagegraph/debug${query}`, { method });
  const text = await response.text();
  let body: (DebugSessions & { readonly error?: string }) | undefined;
  try {
    body = JSON.parse(text) as DebugSessions & { readonly error?: string };
  } catch {
    body = undefined;
  }
  if (!response.ok || !body) {
    throw new LocalCloudError(
      response.status === 404
        ? `the local cloud at ${localEndpoint()} has no debugger support: debugging needs stagegraph's local cloud`
        : `the local cloud refused to debug the function: ${body?.error ?? `HTTP ${response.status} ${text.slice(0, 200)}`}`,
    );
  }
  return body;
}

/**
 * Marks a deployed function (its Lambda name) for debugging: its next environment starts under its language's
 * debugger on 127.0.0.1:`port` (a warm one is replaced), and its invocations do not time out at a breakpoint. The
 * mark lasts `ttlSeconds` unless marked again (`stagegraph dev` renews it while it runs).
 */
export function startDebugging(functionName: string, port: number, ttlSeconds = 60): Promise<DebugSessions> {
  return call('PUT', `?function=${encodeURIComponent(functionName)}&port=${port}&ttl=${ttlSeconds}`);
}

/** Ends debugging a function: its next invocation runs in a new environment without the debugger. */
export function stopDebugging(functionName: string): Promise<DebugSessions> {
  return call('DELETE', `?function=${encodeURIComponent(functionName)}`);
}

/** The functions being debugged now. */
export function debugSessions(): Promise<DebugSessions> {
  return call('GET', '');
}
