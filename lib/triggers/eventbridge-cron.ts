import type { Cron } from 'croner';

/**
 * EventBridge's cron syntax, checked field by field and mapped onto croner, which computes the runs.
 *
 * EventBridge differs from Unix cron: six fields with a year and no seconds, day-of-week 1-7 from
 * Sunday, `?` in exactly one of day-of-month and day-of-week, and `a/y` steps. croner reads Quartz
 * weekdays (`alternativeWeekdays`) and a year field, but it takes ranges EventBridge refuses (day-of-week 0
 * or 8, any year) and says nothing of what is allowed; so the ranges and wildcards of
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html are checked here, and each
 * field is rewritten in the form croner reads.
 */

/** A problem in a cron expression: says what is wrong, the value given and what is allowed. */
export class CronProblem extends Error {}

/** One of EventBridge's six cron fields. */
interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names of the values from `min` on (JAN is 1, SUN is 1). */
  readonly names?: readonly string[];
  /** The largest step `/y`, as Quartz, whose syntax EventBridge follows, allows it. */
  readonly maxStep: number;
  /** The wildcards EventBridge allows in the field, as its documentation lists them. */
  readonly wildcards: string;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const MINUTES: CronField = { name: 'minutes', min: 0, max: 59, maxStep: 59, wildcards: ', - * /' };
const HOURS: CronField = { name: 'hours', min: 0, max: 23, maxStep: 23, wildcards: ', - * /' };
const DAY_OF_MONTH: CronField = { name: 'day-of-month', min: 1, max: 31, maxStep: 31, wildcards: ', - * ? / L W' };
const MONTH: CronField = { name: 'month', min: 1, max: 12, names: MONTHS, maxStep: 12, wildcards: ', - * /' };
const DAY_OF_WEEK: CronField = {
  name: 'day-of-week',
  min: 1,
  max: 7,
  names: WEEKDAYS,
  maxStep: 0,
  wildcards: ', - * ? L #',
};
const YEAR: CronField = { name: 'year', min: 1970, max: 2199, maxStep: 229, wildcards: ', - * /' };

/** The fields in order. */
const FIELDS = [MINUTES, HOURS, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR];

/** The field names in order, for messages. */
export const CRON_FIELD_NAMES = FIELDS.map(field => field.name).join(' ');

/** A checked EventBridge cron expression that can list its next runs. */
export class EventBridgeCron {
  /**
   * Checks an expression of six fields (without `cron(...)`).
   * @throws CronProblem naming the field, the value given and what the field allows
   */
  public static parse(expression: string): EventBridgeCron {
    const fields = expression.trim().split(/\s+/);
    if (fields.length !== FIELDS.length) {
      throw new CronProblem(
        `a cron expression has 6 fields: ${CRON_FIELD_NAMES} (given ${fields.length})${fieldCountHint(fields)}`,
      );
    }
    const pattern = fields.map((text, i) => toCroner(FIELDS[i], text));
    const [, , dayOfMonth, , dayOfWeek] = fields;
    if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
      throw new CronProblem(
        `exactly one of day-of-month (given '${dayOfMonth}') and day-of-week (given '${dayOfWeek}') must be '?'`,
      );
    }
    return new EventBridgeCron(fields.join(' '), `0 ${pattern.join(' ')}`);
  }

  private cron?: Cron;

  private constructor(
    /** The six fields, separated by one space. */
    public readonly expression: string,
    /** The same schedule in croner's seven-part form (seconds first, Quartz weekdays). */
    public readonly cronerPattern: string,
  ) {}

  /** The next `count` runs after `from` (UTC); fewer when the schedule ends (a past year, for example). */
  public nextRuns(count: number, from: Date): Date[] {
    if (!this.cron) {
      // croner loads here, at the first schedule asked for its runs, not at `import 'stagegraph'` (about 9 ms).
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
      const croner = require('croner') as typeof import('croner');
      this.cron = new croner.Cron(this.cronerPattern, { mode: '7-part', alternativeWeekdays: true, timezone: 'UTC' });
    }
    return this.cron.nextRuns(count, from);
  }
}

/** The values a field takes, for messages: `0-59`, `1-12 or JAN-DEC`. */
function range(field: CronField): string {
  const numbers = `${field.min}-${field.max}`;
  return field.names ? `${numbers} or ${field.names[0]}-${field.names[field.names.length - 1]}` : numbers;
}

function allowed(field: CronField): string {
  return `${range(field)}, with the wildcards ${field.wildcards}`;
}

/** One field in croner's form; throws a CronProblem when EventBridge would refuse it. */
function toCroner(field: CronField, text: string): string {
  const upper = text.toUpperCase();
  if (upper === '*') {
    return '*';
  }
  if (upper === '?' && field.wildcards.includes('?')) {
    return '*';
  }
  const special =
    field === DAY_OF_MONTH
      ? dayOfMonthSpecial(upper, text)
      : field === DAY_OF_WEEK
        ? dayOfWeekSpecial(upper, text)
        : undefined;
  if (special !== undefined) {
    return special;
  }
  if (field === DAY_OF_WEEK && upper.includes('#')) {
    throw new CronProblem(
      upper.includes(',')
        ? `day-of-week takes one '#' expression, alone (given '${text}')`
        : `day-of-week must be d#n, the nth day d of the month, with d ${range(field)} and n 1-5 (given '${text}')`,
    );
  }
  return upper
    .split(',')
    .map(item => itemToCroner(field, item, text))
    .join(',');
}

/** `L` (the last day), `LW` (the last weekday) and `nW` (the weekday nearest day n), each alone in day-of-month. */
function dayOfMonthSpecial(upper: string, text: string): string | undefined {
  if (upper === 'L' || upper === 'LW') {
    return upper;
  }
  const weekday = /^(\d+)W$/.exec(upper);
  return weekday ? `${valueOf(DAY_OF_MONTH, weekday[1], text)}W` : undefined;
}

/** `L` (Saturday, the last day of the week), `dL` (the last day d of the month) and `d#n` (the nth day d), alone. */
function dayOfWeekSpecial(upper: string, text: string): string | undefined {
  if (upper === 'L') {
    return String(DAY_OF_WEEK.max);
  }
  const last = /^([0-9A-Z]+)L$/.exec(upper);
  if (last) {
    return `${valueOf(DAY_OF_WEEK, last[1], text)}#L`;
  }
  const nth = /^([0-9A-Z]+)#(\d+)$/.exec(upper);
  if (!nth) {
    return undefined;
  }
  const week = Number(nth[2]);
  if (week < 1 || week > 5) {
    throw new CronProblem(`day-of-week '${text}': the week after '#' must be 1-5 (given ${nth[2]})`);
  }
  return `${valueOf(DAY_OF_WEEK, nth[1], text)}#${week}`;
}

/** One item of a list: `*`, `a` or `a-b`, each optionally with `/step` where the field takes steps. */
function itemToCroner(field: CronField, item: string, text: string): string {
  const match = /^(\*|[0-9A-Z]+)(?:-([0-9A-Z]+))?(?:\/(\d+))?$/.exec(item);
  if (
    !match ||
    (match[1] === '*' && match[2] !== undefined) ||
    (match[3] !== undefined && !field.wildcards.includes('/'))
  ) {
    throw new CronProblem(`${field.name} must be ${allowed(field)} (given '${text}')`);
  }
  const [, start, end, step] = match;
  const from = start === '*' ? undefined : valueOf(field, start, text);
  const to = end === undefined ? undefined : valueOf(field, end, text);
  if (from !== undefined && to !== undefined && from > to) {
    throw new CronProblem(
      `${field.name} range '${start}-${end}' runs backwards (allowed: low-high within ${range(field)}; given '${text}')`,
    );
  }
  if (step === undefined) {
    return from === undefined ? '*' : to === undefined ? String(from) : `${from}-${to}`;
  }
  const increment = Number(step);
  if (increment < 1 || increment > field.maxStep) {
    throw new CronProblem(`${field.name} step must be 1-${field.maxStep} (given '/${step}' in '${text}')`);
  }
  if (from === undefined) {
    return `*/${increment}`;
  }
  // EventBridge reads `a/y` as from a to the end of the field; croner wants the range spelled out.
  return `${from}-${to ?? field.max}/${increment}`;
}

/** A number or a name of a field, checked against the field's range. */
function valueOf(field: CronField, token: string, text: string): number {
  const value = /^\d+$/.test(token) ? Number(token) : field.names ? field.names.indexOf(token) + field.min : Number.NaN;
  if (!(value >= field.min && value <= field.max)) {
    const where = token === text.toUpperCase() ? '' : ` in '${text}'`;
    const what = /^\d+$/.test(token) ? range(field) : allowed(field);
    throw new CronProblem(`${field.name} must be ${what} (given '${token}'${where})`);
  }
  return value;
}

/** For five fields, the usual Unix cron: what the EventBridge form would be. */
function fieldCountHint(fields: readonly string[]): string {
  if (fields.length !== 5) {
    return '';
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek] = fields;
  const hint = "; EventBridge adds a year and takes '?' in day-of-month or day-of-week";
  if (dayOfWeek === '*') {
    return `${hint}: '${[minutes, hours, dayOfMonth, month, '?', '*'].join(' ')}'`;
  }
  if (dayOfMonth === '*' && !/\d/.test(dayOfWeek)) {
    return `${hint}: '${[minutes, hours, '?', month, dayOfWeek, '*'].join(' ')}'`;
  }
  return `${hint}, and counts day-of-week 1-7 from Sunday (SUN-SAT)`;
}
