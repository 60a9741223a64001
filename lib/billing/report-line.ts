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

const FIELD = /^([A-Za-z ]+): (\S+)(?: (ms|MB))?$/;

/**
 * Parses a REPORT line (`REPORT RequestId: ...\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\t...`);
 * undefined for any other line.
 */
export function parseReportLine(line: string): ReportLine | undefined {
  const start = line.indexOf('REPORT RequestId:');
  if (start < 0) return undefined;
  const fields = new Map<string, string>();
  for (const part of line.slice(start + 'REPORT '.length).split('\t')) {
    const match = FIELD.exec(part.trim());
    if (match) fields.set(match[1].trim(), match[2]);
  }
  const number = (key: string) => (fields.has(key) ? Number(fields.get(key)) : undefined);
  const requestId = fields.get('RequestId');
  const duration = number('Duration');
  const memory = number('Memory Size');
  if (!requestId || duration === undefined || memory === undefined) return undefined;
  const init = number('Init Duration');
  return {
    requestId,
    durationMillis: duration,
    billedDurationMillis: number('Billed Duration') ?? Math.ceil(duration),
    memorySizeMb: memory,
    maxMemoryUsedMb: number('Max Memory Used') ?? 0,
    ...(init !== undefined ? { initDurationMillis: init } : {}),
  };
}
