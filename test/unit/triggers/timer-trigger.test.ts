import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { TimerTrigger } from '../../../lib';
import { unbuiltStack } from '../../helpers';
import { fixtureFunction } from './helpers';

describe('TimerTrigger', () => {
  let stack: Stack;
  beforeEach(() => {
    stack = unbuiltStack();
  });

  test('a rate schedule becomes a rule targeting the function, with a permission for that rule', () => {
    fixtureFunction(stack, 'Fn', { triggers: [TimerTrigger.rate(Duration.minutes(5), { input: { job: 'cleanup' } })] });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnFunction'), 'Arn'] },
          Input: '{"job":"cleanup"}',
          RetryPolicy: Match.absent(),
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnTimerTrigger'), 'Arn'] },
    });
  });

  test('a cron schedule keeps its six fields', () => {
    fixtureFunction(stack, 'Fn', {
      triggers: [TimerTrigger.cron('0 8 * * ? *'), TimerTrigger.cron('15 10 ? * MON-FRI *', { enabled: false })],
    });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 8 * * ? *)' });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(15 10 ? * MON-FRI *)',
      State: 'DISABLED',
    });
  });

  test('fails if the same schedule is added twice to one function', () => {
    const fn = fixtureFunction(stack);
    fn.addTrigger(TimerTrigger.rate(Duration.hours(1)));

    expect(() => fn.addTrigger(TimerTrigger.rate(Duration.minutes(60)))).toThrow(
      'TimerTrigger from rate(1 hour) is added twice (allowed: one TimerTrigger per source and function) in Stack/Fn',
    );
  });

  test("fromExpression reads a template's schedule expression, cron or rate", () => {
    fixtureFunction(stack, 'Fn', {
      triggers: [TimerTrigger.fromExpression('cron(0 8 * * ? *)'), TimerTrigger.fromExpression('rate(60 minutes)')],
    });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 8 * * ? *)' });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
  });

  test.each([
    '0 8 * * ? *',
    '0/15 * * * ? *',
    '*/5 8-17 ? * MON-FRI *',
    '0 18 ? * mon-fri *',
    '0 0 L * ? *',
    '0 0 LW * ? *',
    '0 9 15W * ? *',
    '0 9 ? * 6L *',
    '0 9 ? * 3#2 *',
    '0 9 ? * L *',
    '30 6 1,15 JAN-MAR,DEC ? 2027-2199/2',
    '59 23 31 12 ? 2199',
  ])('accepts the valid cron expression %p', expression => {
    const fn = fixtureFunction(stack);

    fn.addTrigger(TimerTrigger.cron(expression));

    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: `cron(${expression})` });
  });

  test.each([
    ['0 8 * *', 'a cron expression has 6 fields: minutes hours day-of-month month day-of-week year (given 4)'],
    [
      '0 8 * * *',
      "a cron expression has 6 fields: minutes hours day-of-month month day-of-week year (given 5); EventBridge adds a year and takes '?' in day-of-month or day-of-week: '0 8 * * ? *'",
    ],
    [
      '0 8 * * 1-5',
      "a cron expression has 6 fields: minutes hours day-of-month month day-of-week year (given 5); EventBridge adds a year and takes '?' in day-of-month or day-of-week, and counts day-of-week 1-7 from Sunday (SUN-SAT)",
    ],
    ['0 8 * * ? * *', 'a cron expression has 6 fields: minutes hours day-of-month month day-of-week year (given 7)'],
    ['99 8 * * ? *', "minutes must be 0-59 (given '99')"],
    ['0 24 * * ? *', "hours must be 0-23 (given '24')"],
    ['0 8-30 * * ? *', "hours must be 0-23 (given '30' in '8-30')"],
    ['0 8 0 * ? *', "day-of-month must be 1-31 (given '0')"],
    ['0 8 32W * ? *', "day-of-month must be 1-31 (given '32' in '32W')"],
    ['0 8 WL * ? *', "day-of-month must be 1-31, with the wildcards , - * ? / L W (given 'WL')"],
    ['0 8 * 13 ? *', "month must be 1-12 or JAN-DEC (given '13')"],
    ['0 8 * JANUARY ? *', "month must be 1-12 or JAN-DEC, with the wildcards , - * / (given 'JANUARY')"],
    ['0 8 ? * 0 *', "day-of-week must be 1-7 or SUN-SAT (given '0')"],
    ['0 8 ? * 8 *', "day-of-week must be 1-7 or SUN-SAT (given '8')"],
    [
      '0 8 ? * MON-FRY *',
      "day-of-week must be 1-7 or SUN-SAT, with the wildcards , - * ? L # (given 'FRY' in 'MON-FRY')",
    ],
    ['0 8 ? * 1/2 *', "day-of-week must be 1-7 or SUN-SAT, with the wildcards , - * ? L # (given '1/2')"],
    ['0 8 ? * 3#6 *', "day-of-week '3#6': the week after '#' must be 1-5 (given 6)"],
    ['0 8 ? * 3#1,6#3 *', "day-of-week takes one '#' expression, alone (given '3#1,6#3')"],
    ['0 8 * * ? 1969', "year must be 1970-2199 (given '1969')"],
    ['0 8 * * ? 2200', "year must be 1970-2199 (given '2200')"],
    ['0 8 * * ? $', "year must be 1970-2199, with the wildcards , - * / (given '$')"],
    ['? 8 * * ? *', "minutes must be 0-59, with the wildcards , - * / (given '?')"],
    ['0 22-2 * * ? *', "hours range '22-2' runs backwards (allowed: low-high within 0-23; given '22-2')"],
    ['0/0 8 * * ? *', "minutes step must be 1-59 (given '/0' in '0/0')"],
    ['*/60 8 * * ? *', "minutes step must be 1-59 (given '/60' in '*/60')"],
    ['0 8 */32 * ? *', "day-of-month step must be 1-31 (given '/32' in '*/32')"],
    ['0 8 1,,2 * ? *', "day-of-month must be 1-31, with the wildcards , - * ? / L W (given '1,,2')"],
    ['0 8 * * * *', "exactly one of day-of-month (given '*') and day-of-week (given '*') must be '?'"],
    ['0 8 ? * ? *', "exactly one of day-of-month (given '?') and day-of-week (given '?') must be '?'"],
  ])(
    'fails if the cron expression is %p, naming the value, what is allowed and the construct path',
    (expression, message) => {
      const fn = fixtureFunction(stack);
      const trigger = TimerTrigger.cron(expression);

      expect(() => fn.addTrigger(trigger)).toThrow(`TimerTrigger.cron('${expression}'): ${message} in Stack/Fn`);
    },
  );

  test('fails if a cron expression in the triggers property is wrong, with the construct path', () => {
    expect(() => fixtureFunction(stack, 'Nightly', { triggers: [TimerTrigger.cron('0 99 * * ? *')] })).toThrow(
      "TimerTrigger.cron('0 99 * * ? *'): hours must be 0-23 (given '99') in Stack/Nightly",
    );
  });

  test.each([Duration.seconds(30), Duration.seconds(90)])(
    'fails if the rate is %p, with the construct path',
    interval => {
      const fn = fixtureFunction(stack);

      expect(() => fn.addTrigger(TimerTrigger.rate(interval))).toThrow(
        /the interval must be whole minutes, at least 1 minute \(given .*\) in Stack\/Fn$/,
      );
    },
  );

  test('fails if a schedule expression is neither cron nor rate', () => {
    const fn = fixtureFunction(stack);

    expect(() => fn.addTrigger(TimerTrigger.fromExpression('at(2030-01-01T00:00:00)'))).toThrow(
      "TimerTrigger.fromExpression('at(2030-01-01T00:00:00)'): a schedule expression is cron(minutes hours day-of-month month day-of-week year) " +
        "or rate(<n> minutes|hours|days) (given 'at(2030-01-01T00:00:00)') in Stack/Fn",
    );
  });
});

describe('TimerTrigger.nextRuns', () => {
  const from = new Date('2026-01-01T00:00:00Z'); // a Thursday
  const runs = (trigger: TimerTrigger, count = 3) => trigger.nextRuns(count, from).map(date => date.toISOString());

  test.each([
    ['0 8 * * ? *', ['2026-01-01T08:00:00.000Z', '2026-01-02T08:00:00.000Z', '2026-01-03T08:00:00.000Z']],
    ['0/20 * * * ? *', ['2026-01-01T00:20:00.000Z', '2026-01-01T00:40:00.000Z', '2026-01-01T01:00:00.000Z']],
    ['5/20 * * * ? *', ['2026-01-01T00:05:00.000Z', '2026-01-01T00:25:00.000Z', '2026-01-01T00:45:00.000Z']],
    ['0 18 ? * MON-FRI *', ['2026-01-01T18:00:00.000Z', '2026-01-02T18:00:00.000Z', '2026-01-05T18:00:00.000Z']],
    ['0 18 ? * 2-6 *', ['2026-01-01T18:00:00.000Z', '2026-01-02T18:00:00.000Z', '2026-01-05T18:00:00.000Z']],
    ['0 12 ? * 1 *', ['2026-01-04T12:00:00.000Z', '2026-01-11T12:00:00.000Z', '2026-01-18T12:00:00.000Z']],
    ['0 12 ? * L *', ['2026-01-03T12:00:00.000Z', '2026-01-10T12:00:00.000Z', '2026-01-17T12:00:00.000Z']],
    ['0 12 ? * 6L *', ['2026-01-30T12:00:00.000Z', '2026-02-27T12:00:00.000Z', '2026-03-27T12:00:00.000Z']],
    ['0 12 ? * 3#2 *', ['2026-01-13T12:00:00.000Z', '2026-02-10T12:00:00.000Z', '2026-03-10T12:00:00.000Z']],
    ['0 12 L * ? *', ['2026-01-31T12:00:00.000Z', '2026-02-28T12:00:00.000Z', '2026-03-31T12:00:00.000Z']],
    ['0 12 LW * ? *', ['2026-01-30T12:00:00.000Z', '2026-02-27T12:00:00.000Z', '2026-03-31T12:00:00.000Z']],
    ['0 12 1W * ? *', ['2026-01-01T12:00:00.000Z', '2026-02-02T12:00:00.000Z', '2026-03-02T12:00:00.000Z']],
    ['0 0 1 JAN,JUL ? 2027/2', ['2027-01-01T00:00:00.000Z', '2027-07-01T00:00:00.000Z', '2029-01-01T00:00:00.000Z']],
  ])('lists the runs of %p in UTC', (expression, expected) => {
    expect(runs(TimerTrigger.cron(expression))).toEqual(expected);
  });

  test('a schedule that ends lists fewer runs', () => {
    expect(runs(TimerTrigger.cron('0 0 1 1 ? 2027-2028'), 5)).toEqual([
      '2027-01-01T00:00:00.000Z',
      '2028-01-01T00:00:00.000Z',
    ]);
    expect(runs(TimerTrigger.cron('0 0 1 1 ? 2020'))).toEqual([]);
  });

  test('a rate lists whole intervals after the start', () => {
    expect(runs(TimerTrigger.rate(Duration.hours(6)))).toEqual([
      '2026-01-01T06:00:00.000Z',
      '2026-01-01T12:00:00.000Z',
      '2026-01-01T18:00:00.000Z',
    ]);
    expect(runs(TimerTrigger.fromExpression('rate(1 day)'), 2)).toEqual([
      '2026-01-02T00:00:00.000Z',
      '2026-01-03T00:00:00.000Z',
    ]);
  });

  test('runs are counted from now by default', () => {
    const before = Date.now();
    const [next] = TimerTrigger.rate(Duration.minutes(1)).nextRuns(1);
    expect(next.getTime()).toBeGreaterThanOrEqual(before + 60_000);
  });

  test('fails if the schedule is wrong, naming the trigger, the value and what is allowed', () => {
    expect(() => TimerTrigger.cron('0 8 * * ? 3000').nextRuns(1)).toThrow(
      "TimerTrigger.cron('0 8 * * ? 3000'): year must be 1970-2199 (given '3000')",
    );
    expect(() => TimerTrigger.cron('0 8 * * ? *').nextRuns(-1)).toThrow(
      "TimerTrigger.cron('0 8 * * ? *'): count must be a whole number from 0 (given -1)",
    );
  });

  test('fails if the schedule is a token', () => {
    const stack = unbuiltStack();
    const expression = new CfnParameter(stack, 'Schedule').valueAsString;

    expect(() => TimerTrigger.fromExpression(expression).nextRuns(1)).toThrow(
      /the schedule is a token, known only at deployment/,
    );
  });
});
