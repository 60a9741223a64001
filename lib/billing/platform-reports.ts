// Which REPORT lines of a log stream the platform wrote, and which a function printed to look like them.
//
// A function can print anything, a REPORT line included, and CloudWatch Logs delivers its output and the
// platform's lines alike. What the function cannot do is print outside its own invocation: its output
// always lies between the platform's START line of the invocation and that invocation's REPORT line, and the
// invocations of one log stream (one execution environment) follow each other. So the platform's reports
// are the ends of the outermost START..REPORT brackets of the stream; a report inside another invocation's
// bracket is output. Each accepted report is then checked against the function's configuration (the
// memory size, the timeout, INIT's 10 s), and each request id counts once.
import { DURATION_TOLERANCE_MILLIS, MAX_INIT_MILLIS, MeteredConfiguration } from './meter-filter';
import { parseReport, parseStart, ReportLine } from './report-line';

/** A log event as CloudWatch Logs delivers it to a subscription. */
export interface LogEvent {
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

/** A report the meter bills. */
export interface AcceptedReport {
  readonly event: LogEvent;
  readonly report: ReportLine;
}

/** A REPORT-like line the meter does not bill, and why. */
export interface RefusedReport {
  readonly message: string;
  readonly reason: string;
  /** A platform report that does not fit the function's configuration as known (it may have changed since). */
  readonly misfit?: boolean;
}

/** An invocation whose platform START was seen and whose REPORT was not yet: its request id and START event. */
interface OpenInvocation {
  readonly requestId: string;
  readonly startEventId: string;
}

/**
 * The meter's memory across the payloads it meters: open invocations per stream, invocation attempts metered. A
 * payload's changes are kept apart until {@link MeteredPayload.commit}, once its metrics are published: a payload
 * whose publishing failed is delivered again and metered again.
 */
export class MeterMemory {
  /** The invocation whose START was seen and whose REPORT was not yet, per log stream. */
  public readonly openInvocation = new Map<string, OpenInvocation>();
  private readonly seen = new Map<string, true>();

  constructor(private readonly capacity = 100_000) {}

  /** Whether an invocation attempt (request id and START event) was metered. */
  public has(key: string): boolean {
    return this.seen.has(key);
  }

  /** Records metered invocation attempts, forgetting the oldest beyond the capacity. */
  public remember(keys: Iterable<string>): void {
    for (const key of keys) {
      this.seen.set(key, true);
      if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value as string);
    }
  }
}

/** Why a platform report does not fit the function's configuration; undefined when it does. */
export function configurationProblem(report: ReportLine, config: MeteredConfiguration): string | undefined {
  if (report.memorySizeMb !== config.memoryMb) {
    return `Memory Size ${report.memorySizeMb} MB is not the function's ${config.memoryMb} MB`;
  }
  if (report.durationMillis > config.timeoutMillis + DURATION_TOLERANCE_MILLIS) {
    return `Duration ${report.durationMillis} ms is longer than the function's timeout, ${config.timeoutMillis} ms`;
  }
  const maxInit = Math.max(MAX_INIT_MILLIS, config.timeoutMillis);
  if ((report.initDurationMillis ?? 0) > maxInit + DURATION_TOLERANCE_MILLIS) {
    return `Init Duration ${report.initDurationMillis} ms is longer than INIT may take, ${maxInit} ms`;
  }
  return undefined;
}

const shorten = (message: string) => (message.length > 200 ? `${message.slice(0, 200)}...` : message).trim();

/** The platform's reports of one payload, the lines refused, and how to record them once published. */
export interface MeteredPayload {
  readonly accepted: AcceptedReport[];
  readonly refused: RefusedReport[];
  /** Records the payload's invocations as metered and its stream's open invocation. */
  commit(): void;
}

/**
 * The platform's reports among the events of one log stream, in order, and the REPORT-like lines refused.
 * `config` undefined (a subscription the meter did not make, a stream of no function) refuses every report, for
 * `unknownReason`.
 */
export function platformReports(
  stream: string,
  events: readonly LogEvent[],
  config: MeteredConfiguration | undefined,
  memory: MeterMemory,
  unknownReason = "the subscription filter is not the meter's, so the configuration is unknown",
): MeteredPayload {
  const starts = events.map(event => parseStart(event.message));
  const reports = events.map(event => parseReport(event.message));
  // The last REPORT of each request id in the payload: an earlier one is the function's. (The function can print a
  // START of its own request id too, so a START does not end the look-ahead: two attempts of one request, an
  // asynchronous retry, in one payload are billed as one.)
  const lastReport = new Map<string, number>();
  reports.forEach((report, i) => report && lastReport.set(report.requestId, i));
  const hasLaterReport = (id: string, from: number): boolean => (lastReport.get(id) ?? -1) > from;

  const accepted: AcceptedReport[] = [];
  const refused: RefusedReport[] = [];
  const metered = new Set<string>();
  const refuse = (i: number, reason: string, misfit?: boolean) =>
    refused.push({ message: shorten(events[i].message), reason, ...(misfit ? { misfit } : {}) });
  let open = memory.openInvocation.get(stream);
  for (let i = 0; i < events.length; i++) {
    const start = starts[i];
    const report = reports[i];
    if (start !== undefined && (open === undefined || !hasLaterReport(open.requestId, i))) {
      // The platform's START: the invocation's lines run to its REPORT, in this payload or a later one. (A START
      // while an invocation is open whose REPORT does not follow in this payload: that REPORT was lost.)
      open = { requestId: start, startEventId: events[i].id };
    } else if (report) {
      if (report.requestId !== open?.requestId) {
        refuse(
          i,
          open
            ? `inside invocation ${open.requestId}: a line the function printed`
            : 'no START line of the platform before it',
        );
      } else if (hasLaterReport(report.requestId, i)) {
        refuse(i, 'a later REPORT line of the same invocation follows: a line the function printed');
      } else {
        const key = `${report.requestId}/${open.startEventId}`;
        open = undefined;
        const problem = config ? configurationProblem(report, config) : unknownReason;
        if (problem) {
          refuse(i, problem, config !== undefined);
        } else if (memory.has(key) || metered.has(key)) {
          refuse(i, `request ${report.requestId} was metered before (the payload was delivered again)`);
        } else {
          metered.add(key);
          accepted.push({ event: events[i], report });
        }
      }
    }
  }
  const finalOpen = open;
  return {
    accepted,
    refused,
    commit: () => {
      memory.remember(metered);
      if (finalOpen === undefined) memory.openInvocation.delete(stream);
      else memory.openInvocation.set(stream, finalOpen);
    },
  };
}
