import { timerSchedule } from '../../../lib/huawei/schedule';

describe('timerSchedule', () => {
  test('a rate is a number and a unit', () => {
    expect(timerSchedule('rate(5 minutes)')).toEqual({ scheduleType: 'Rate', schedule: '5m' });
    expect(timerSchedule('rate(1 day)')).toEqual({ scheduleType: 'Rate', schedule: '1d' });
  });

  test('a cron gets a seconds field, and its day-of-week numbers become names', () => {
    expect(timerSchedule('cron(0/15 8-17 ? * 2-6 *)')).toEqual({
      scheduleType: 'Cron',
      schedule: '0 0/15 8-17 ? * MON-FRI',
    });
    expect(timerSchedule('cron(0 9 ? * 1,7 *)')).toEqual({ scheduleType: 'Cron', schedule: '0 0 9 ? * SUN,SAT' });
    expect(timerSchedule('cron(0 9 ? * MON-FRI *)')).toEqual({ scheduleType: 'Cron', schedule: '0 0 9 ? * MON-FRI' });
  });

  test('the step of a day-of-week stays a number', () => {
    // GIVEN every other day from Monday, and every third day of Sunday to Friday, in EventBridge's numbering
    // WHEN / THEN only the days become names
    expect(timerSchedule('cron(0 9 ? * 2/2 *)')).toEqual({ scheduleType: 'Cron', schedule: '0 0 9 ? * MON/2' });
    expect(timerSchedule('cron(0 9 ? * 1-6/3,7 *)')).toEqual({
      scheduleType: 'Cron',
      schedule: '0 0 9 ? * SUN-FRI/3,SAT',
    });
    expect(timerSchedule('cron(0 9 ? * */2 *)')).toEqual({ scheduleType: 'Cron', schedule: '0 0 9 ? * */2' });
  });

  test('fails if the year is not *, or a field has L, W or #', () => {
    expect(timerSchedule('cron(0 9 * * ? 2027)')).toEqual({
      problem: "a timer trigger repeats every year: the year field must be * (given '2027')",
    });
    expect(timerSchedule('cron(0 9 ? * 2#1 *)')).toEqual({
      problem: expect.stringMatching(/no L, W or # \(given '2#1'/),
    });
    expect(timerSchedule('every day')).toEqual({
      problem: "the schedule 'every day' is neither rate(...) nor cron(...)",
    });
  });
});
