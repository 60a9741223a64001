import { stripVTControlCharacters } from 'util';
import pc from 'picocolors';
import type { BillingModel } from '../billing/billing-model';
import { parsePlatformReport, parseReportLine, ReportLine } from '../billing/report-line';
import type { LiveEntry, LiveFlowEvent, LiveInvocation } from '../local/live';
import type { LiveSource } from '../app/dev/dev-app';

/** Options of {@link LiveLogView}. */
export interface LiveLogViewOptions {
  /** Functions and flows by their Lambda function or state machine name. */
  readonly sources: ReadonlyMap<string, LiveSource>;
  /**
   * Show only these functions and flows: a name matches an id when it is the id, its last parts, or a part of it
   * (case-insensitive).
   * @default - everything
   */
  readonly filter?: readonly string[];
  /** @default false */
  readonly color?: boolean;
  /**
   * Columns of the terminal: longer lines wrap below the prefix.
   * @default 80
   */
  readonly width?: number;
}

const PALETTE = [pc.cyan, pc.magenta, pc.yellow, pc.green, pc.blue, pc.red] as const;
const NAME_WIDTH = 14;
// `2026-11-26T05:19:40.123Z\t<request id>\tINFO\t` (Node.js) and `[INFO]\t<time>\t<request id>\t` (Python).
const NODE_CONSOLE = /^\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f-]{36}\t([A-Z]+)\t/;
const PYTHON_LOGGING = /^\[([A-Z]+)\]\t\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f-]{36}\t/;

/** The name of a source as the live log prints it: its last part, cut to a fixed width. */
function shortName(id: string): string {
  const last = id.split('/').pop() ?? id;
  return last.length > NAME_WIDTH ? `${last.slice(0, NAME_WIDTH - 1)}…` : last;
}

/** Cuts a line into pieces of at most `room` characters, at a space where there is one. */
export function wrap(text: string, room: number): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > room) {
    const space = rest.lastIndexOf(' ', room);
    const cut = space > room / 2 ? space : room;
    chunks.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^ /, '');
  }
  chunks.push(rest);
  return chunks;
}

/** Whether a filter word names an id: the id, its last parts, or a part of it, case-insensitive. */
export function matchesFilter(id: string, filter: readonly string[] | undefined): boolean {
  if (!filter || filter.length === 0) return true;
  const lower = id.toLowerCase();
  return filter.some(word => lower === word.toLowerCase() || lower.includes(word.toLowerCase()));
}

/** USD with the digits that matter for one invocation: `$0.0000002083`. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  // Four significant digits, never an exponent: $0.0000008000.
  return `$${usd.toFixed(Math.min(20, Math.max(4, 3 - Math.floor(Math.log10(usd)))))}`;
}

/** A REPORT line as one short line: duration, billed duration, memory, init on a cold start, and the cost. */
export function formatReport(report: ReportLine, model?: BillingModel): string {
  const init = report.initDurationMillis !== undefined ? ` init ${report.initDurationMillis.toFixed(1)} ms` : '';
  const billed = model ? model.billedMillis(report.durationMillis, report.initDurationMillis ?? 0) : undefined;
  const cost = model && billed !== undefined ? ` ${formatUsd(model.invocationUsd(billed, report.memorySizeMb))}` : '';
  return (
    `REPORT ${report.durationMillis.toFixed(2)} ms (billed ${report.billedDurationMillis} ms)${init} ` +
    `${report.maxMemoryUsedMb}/${report.memorySizeMb} MB${cost}`
  );
}

/**
 * Turns live log entries into terminal lines: one colour and prefix per function or flow, each function's output
 * with its START and REPORT figures (and the billed cost), each flow execution's states entered, succeeded,
 * failed, retried and caught.
 */
export class LiveLogView {
  readonly #options: LiveLogViewOptions;
  #sources: ReadonlyMap<string, LiveSource>;
  readonly #colors = new Map<string, (text: string) => string>();
  /** Per flow execution: the state last entered, and the states that failed and how often. */
  readonly #executions = new Map<
    string,
    { readonly failures: Map<string, number>; readonly errors: Map<string, string> }
  >();

  constructor(options: LiveLogViewOptions) {
    this.#options = options;
    this.#sources = options.sources;
  }

  /** Names the functions and flows of the app as deployed now (after a deploy added or renamed some). */
  public setSources(sources: ReadonlyMap<string, LiveSource>): void {
    this.#sources = sources;
  }

  /** A line of the dev loop itself (`stagegraph` as its name), in the same layout; `alarm` prints it in red. */
  public note(text: string, at = Date.now(), alarm = false): string[] {
    return this.prefixed('stagegraph', at, text, alarm);
  }

  /** The lines of a batch of entries, in order; entries the filter leaves out give none. */
  public lines(entries: readonly LiveEntry[]): string[] {
    return entries.flatMap(entry => {
      const source = this.#sources.get(entry.name);
      const id = source?.id ?? entry.name;
      if (!matchesFilter(id, this.#options.filter)) {
        if (entry.kind === 'flow') this.flowLines(entry); // keeps the execution's state right
        return [];
      }
      const body = entry.kind === 'function' ? this.functionLines(entry, source) : this.flowLines(entry);
      return body.flatMap(text => this.prefixed(id, entry.at, text));
    });
  }

  private functionLines(entry: LiveInvocation, source: LiveSource | undefined): string[] {
    const out: string[] = [];
    for (const raw of (entry.text ?? '').split('\n')) {
      const line = raw.replace(/\r$/, '');
      if (line.length === 0 || line.startsWith('END RequestId:')) continue;
      if (line.startsWith('START RequestId:')) {
        out.push(`START ${entry.requestId?.slice(0, 8) ?? ''}`.trimEnd());
        continue;
      }
      const report = parseReportLine(line) ?? (line.startsWith('{') ? parsePlatformReport(line) : undefined);
      if (report) {
        out.push(formatReport(report, source?.model));
        continue;
      }
      if (line.startsWith('{"time"') && line.includes('"type":"platform.start"')) {
        out.push(`START ${entry.requestId?.slice(0, 8) ?? ''}`.trimEnd());
        continue;
      }
      out.push(line.replace(NODE_CONSOLE, '$1 ').replace(PYTHON_LOGGING, '$1 '));
    }
    return out;
  }

  private flowLines(entry: LiveFlowEvent): string[] {
    const key = `${entry.name}/${entry.execution}`;
    const run = this.#executions.get(key) ?? { failures: new Map<string, number>(), errors: new Map<string, string>() };
    this.#executions.set(key, run);
    const execution = entry.execution.length > 12 ? `…${entry.execution.slice(-8)}` : entry.execution;
    const type = entry.type;
    // The local cloud names the state of each event (each Parallel branch and Map iteration its own).
    const state = entry.state ?? '?';
    const reason = entry.error !== undefined ? `${entry.error}${entry.cause ? `: ${entry.cause}` : ''}` : '';
    if (type === 'ExecutionStarted') return [`▶ ${execution} started`];
    if (type.startsWith('Execution')) {
      this.#executions.delete(key);
      const outcome = type.replace('Execution', '').toLowerCase();
      return [`${type === 'ExecutionSucceeded' ? '✔' : '✖'} ${execution} ${outcome}${reason ? `: ${reason}` : ''}`];
    }
    // `TaskStateEntered`, `PassStateExited`, `SucceedStateEntered`, ...: one pair per state kind.
    if (type.endsWith('StateEntered')) return [`→ ${state}`];
    if (type.endsWith('StateExited')) {
      // Left after a failure that no retry made good: a catch took it.
      const caught = run.errors.get(state);
      run.failures.delete(state);
      run.errors.delete(state);
      return [caught !== undefined ? `↪ ${state} caught ${caught}`.trimEnd() : `✔ ${state}`];
    }
    if (type.endsWith('Scheduled')) {
      const failures = run.failures.get(state);
      return failures ? [`↻ ${state} retried (attempt ${failures + 1})`] : [];
    }
    if (type.endsWith('Succeeded')) {
      // A task (or a retry of it) succeeded: the state's earlier failures were made good.
      run.errors.delete(state);
      return [];
    }
    if (type.endsWith('Failed') || type.endsWith('TimedOut')) {
      run.failures.set(state, (run.failures.get(state) ?? 0) + 1);
      run.errors.set(state, entry.error ?? '');
      return [`✖ ${state} ${type.endsWith('TimedOut') ? 'timed out' : 'failed'}${reason ? `: ${reason}` : ''}`];
    }
    return [];
  }

  /** `05:19:40.123 Thumbnail     │ text`, wrapped to the width with the prefix's room on each further line. */
  private prefixed(id: string, at: number, raw: string, alarm = false): string[] {
    // Colours are the view's: a function's own escape codes would break the wrapping (and the colours).
    const text = stripVTControlCharacters(raw);
    const time = new Date(at).toISOString().slice(11, 23);
    const name = shortName(id).padEnd(NAME_WIDTH);
    const prefix = `${time} ${name} │ `;
    const room = Math.max(20, (this.#options.width ?? 80) - prefix.length);
    const chunks = wrap(text, room).map(chunk => (alarm && this.#options.color ? pc.red(chunk) : chunk));
    const colored = this.#options.color ? this.colorOf(id)(name) : name;
    return chunks.map((chunk, i) =>
      i === 0
        ? `${this.#options.color ? pc.dim(time) : time} ${colored} │ ${chunk}`
        : `${' '.repeat(prefix.length - 2)}│ ${chunk}`,
    );
  }

  private colorOf(id: string): (text: string) => string {
    let color = this.#colors.get(id);
    if (!color) {
      color = PALETTE[this.#colors.size % PALETTE.length];
      this.#colors.set(id, color);
    }
    return color;
  }
}
