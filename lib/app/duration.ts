import { StageInputError } from '../errors';

/** `30m`, `1h`, `2d` as milliseconds: the one reading of every `--since`. */
export function parseSince(text: string): number {
  const match = /^(\d+)\s*(s|m|h|d)$/.exec(text.trim());
  if (!match || Number(match[1]) === 0) {
    throw new StageInputError(
      `--since must be a number and a unit, s, m, h or d, like 30m, 1h or 7d (given '${text}')`,
    );
  }
  const millis =
    Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  if (millis > MAX_SINCE_MILLIS) {
    throw new StageInputError(
      `--since reaches back at most 455d, the 15 months CloudWatch keeps metrics (given '${text}')`,
    );
  }
  return millis;
}

/** The furthest back `--since` reaches: 455 days, CloudWatch's retention of metrics (15 months). */
export const MAX_SINCE_MILLIS = 455 * 86_400_000;
