/** What Lambda's REPORT line says about one invocation. */
export interface ReportLine {
  readonly requestId: string;
  readonly durationMillis: number;
  readonly billedDurationMillis: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  /** Only on a cold start. */
  readonly initDurationMillis?: number;
}

const REQUEST_ID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const MILLIS = '\\d+(?:\\.\\d+)?';

/**
 * The platform's REPORT line as Lambda writes it in the text log format, anchored at both ends: a function's
 * console line (time, request id and level before it) or a line with other text around it is not one.
 * Optional fields: Init Duration (cold start), Restore Duration (SnapStart), Status and Error Type (failed
 * invocations), and the X-Ray line that follows in the same event when tracing is on.
 */
const TEXT_REPORT = new RegExp(
  `^REPORT RequestId: (${REQUEST_ID})\\tDuration: (${MILLIS}) ms\\tBilled Duration: (\\d+) ms\\t` +
    'Memory Size: (\\d+) MB\\tMax Memory Used: (\\d+) MB' +
    `(?:\\tInit Duration: (${MILLIS}) ms)?(?:\\tRestore Duration: ${MILLIS} ms)?(?:\\tBilled Restore Duration: \\d+ ms)?` +
    '(?:\\tStatus: [a-z]+(?:\\tError Type: [A-Za-z.]+)?)?\\t?' +
    '(?:\\s*\\nXRAY TraceId: [^\\n]*)?\\s*$',
);

/**
 * Parses the platform's REPORT line of the text log format
 * (`REPORT RequestId: <uuid>\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 40
 * MB\t`);
 * undefined for any other line, including a REPORT line that does not start the line.
 */
export function parseReportLine(line: string): ReportLine | undefined {
  const match = TEXT_REPORT.exec(line);
  if (!match) return undefined;
  const [, requestId, duration, billed, memory, maxMemory, init] = match;
  return {
    requestId,
    durationMillis: Number(duration),
    billedDurationMillis: Number(billed),
    memorySizeMb: Number(memory),
    maxMemoryUsedMb: Number(maxMemory),
    ...(init !== undefined ? { initDurationMillis: Number(init) } : {}),
  };
}

interface PlatformReport {
  readonly type?: unknown;
  readonly record?: {
    readonly requestId?: unknown;
    readonly metrics?: Record<string, unknown>;
  };
}

const WHOLE_REQUEST_ID = new RegExp(`^${REQUEST_ID}$`);

/**
 * A platform event of the JSON log format of the given type (`platform.start`, `platform.report`) with a request
 * id in its record; undefined for any other log event.
 */
function platformEvent(
  message: string,
  type: string,
): { readonly requestId: string; readonly metrics: Record<string, unknown> } | undefined {
  const text = message.trim();
  if (!text.startsWith('{') || !text.includes(`"${type}"`)) return undefined;
  let event: PlatformReport;
  try {
    event = JSON.parse(text) as PlatformReport;
  } catch {
    return undefined;
  }
  const requestId = event.record?.requestId;
  if (event.type !== type || typeof requestId !== 'string' || !WHOLE_REQUEST_ID.test(requestId)) return undefined;
  return { requestId, metrics: event.record?.metrics ?? {} };
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/**
 * Parses the platform's report event of the JSON log format (`LoggingConfig.LogFormat: JSON`):
 * `{"time":"...","type":"platform.report","record":{"requestId":"<uuid>","metrics":{"durationMs":1.23,
 * "billedDurationMs":2,"memorySizeMB":128,"maxMemoryUsedMB":40,"initDurationMs":100.5},"status":"success"}}`;
 * undefined for any other event.
 */
export function parsePlatformReport(message: string): ReportLine | undefined {
  const event = platformEvent(message, 'platform.report');
  if (!event) return undefined;
  const { requestId, metrics } = event;
  const { durationMs, billedDurationMs, memorySizeMB, maxMemoryUsedMB, initDurationMs } = metrics;
  if (!isNumber(durationMs) || !isNumber(memorySizeMB) || !Number.isInteger(memorySizeMB)) return undefined;
  if (initDurationMs !== undefined && !isNumber(initDurationMs)) return undefined;
  return {
    requestId,
    durationMillis: durationMs,
    billedDurationMillis: isNumber(billedDurationMs) ? billedDurationMs : Math.ceil(durationMs),
    memorySizeMb: memorySizeMB,
    maxMemoryUsedMb: isNumber(maxMemoryUsedMB) ? maxMemoryUsedMB : 0,
    ...(initDurationMs !== undefined ? { initDurationMillis: initDurationMs } : {}),
  };
}

/** The platform's report in either log format, text or JSON; undefined for any other log event. */
export function parseReport(message: string): ReportLine | undefined {
  return parseReportLine(message) ?? parsePlatformReport(message);
}

const TEXT_START = new RegExp(`^START RequestId: (${REQUEST_ID}) Version: \\S+\\s*$`);

/**
 * The request id of the platform's START line (`START RequestId: <uuid> Version: $LATEST`) or, in the JSON
 * log format, of its `platform.start` event; undefined for any other log event.
 */
export function parseStart(message: string): string | undefined {
  return TEXT_START.exec(message)?.[1] ?? platformEvent(message, 'platform.start')?.requestId;
}
