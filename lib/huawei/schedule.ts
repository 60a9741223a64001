// EventBridge schedules (`rate(...)`, `cron(...)`) as FunctionGraph timer triggers write them: a rate is a number
// and a unit (`5m`, `2h`, `1d`); a cron is six fields with seconds first, `sec min hour day-of-month month
// day-of-week`, in UTC, with day-of-week names (FunctionGraph counts days from 0, EventBridge from 1).

/** A timer trigger's schedule, or why it cannot be one. */
export type TimerSchedule =
  { readonly scheduleType: 'Rate' | 'Cron'; readonly schedule: string } | { readonly problem: string };

const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** Translates an EventBridge schedule expression. */
export function timerSchedule(expression: string): TimerSchedule {
  const rate = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/.exec(expression);
  if (rate) return { scheduleType: 'Rate', schedule: `${rate[1]}${rate[2][0]}` };
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) return { problem: `the schedule '${expression}' is neither rate(...) nor cron(...)` };
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) return { problem: `the cron schedule '${expression}' does not have six fields` };
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields;
  if (year !== '*') {
    return { problem: `a timer trigger repeats every year: the year field must be * (given '${year}')` };
  }
  const special = fields.slice(0, 5).find(f => /[LW#]/.test(f));
  if (special) {
    return {
      problem: `FunctionGraph's cron has no L, W or # (given '${special}' in '${expression}'); allowed: *, ?, lists, ranges, steps`,
    };
  }
  // Only the days become names: the step after `/` stays a number (`2/2` is MON/2, every other day from Monday).
  const weekday = dayOfWeek
    .split(',')
    .map(item => {
      const [days, step] = item.split('/');
      const named = days.replace(/\d/g, d => DAY_NAMES[(Number(d) + 6) % 7]);
      return step === undefined ? named : `${named}/${step}`;
    })
    .join(',');
  return { scheduleType: 'Cron', schedule: `0 ${minutes} ${hours} ${dayOfMonth} ${month} ${weekday}` };
}
