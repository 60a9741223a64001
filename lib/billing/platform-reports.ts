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
}

/** The meter's memory across the payloads it meters: open invocations per stream, request ids seen. */
export class MeterMemory {
  /** The invocation whose START was seen and whose REPORT was not yet, per log stream. */
  public readonly openInvocation = new Map<string, string>();
  private readonly seen = new Map<string, true>();

  constructor(private readonly capacity = 100_000) {}

  /** Records a request id; false when it was recorded before. */
  public firstTime(requestId: string): boolean {
    if (this.seen.has(requestId)) return false;
    this.seen.set(requestId, true);
    if (this.seen.size > this.capacity) {
      this.seen.delete(this.seen.keys().next().value as string);
    }
    return true;
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
  if ((report.initDurationMillis ?? 0) > MAX_INIT_MILLIS + DURATION_TOLERANCE_MILLIS) {
    return `Init Duration ${report.initDurationMillis} ms is longer than INIT's ${MAX_INIT_MILLIS} ms`;
  }
  return undefined;
}

const shorten = (message: string) => (message.length > 200 ? `${message.slice(0, 200)}...` : message).trim();

/**
 * The platform's reports among the events of one log stream, in order, and the REPORT-like lines refused.
 * `config` undefined (a subscription the meter did not make) refuses every report.
 */
export function platformReports(
  stream: string, events: readonly LogEvent[], config: MeteredConfiguration | undefined, memory: MeterMemory,
): { accepted: AcceptedReport[]; refused: RefusedReport[] } {
  const starts = events.map(event => parseStart(event.message));
  const reports = events.map(event => parseReport(event.message));
  const lastReport = new Map<string, number>();
  reports.forEach((report, i) => report && lastReport.set(report.requestId, i));

  const accepted: AcceptedReport[] = [];
  const refused: RefusedReport[] = [];
  const refuse = (i: number, reason: string) => refused.push({ message: shorten(events[i].message), reason });
  let open = memory.openInvocation.get(stream);
  for (let i = 0; i < events.length; i++) {
    const start = starts[i];
    const report = reports[i];
    if (start !== undefined && (open === undefined || !((lastReport.get(open) ?? -1) > i))) {
      // The platform's START: the invocation's lines run to its last REPORT, in this payload or a later one.
      // (A START while an invocation is open whose REPORT does not follow in this payload: that REPORT was
      // lost, and this is the next invocation.)
      open = start;
    } else if (report) {
      if (report.requestId !== open) {
        refuse(i, open ? `inside invocation ${open}: a line the function printed` : 'no START line of the platform before it');
      } else if (lastReport.get(report.requestId) !== i) {
        refuse(i, 'a later REPORT line of the same invocation follows: a line the function printed');
      } else {
        open = undefined;
        const problem = config ? configurationProblem(report, config) : 'the subscription filter is not the meter\'s, so the configuration is unknown';
        if (problem) {
          refuse(i, problem);
        } else if (!memory.firstTime(report.requestId)) {
          refuse(i, `request ${report.requestId} was metered before`);
        } else {
          accepted.push({ event: events[i], report });
        }
      }
    }
  }
  if (open === undefined) memory.openInvocation.delete(stream);
  else memory.openInvocation.set(stream, open);
  return { accepted, refused };
}
