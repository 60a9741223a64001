import { Duration, Stack } from 'aws-cdk-lib';
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
      Targets: [Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnFunction'), 'Arn'] },
        Input: '{"job":"cleanup"}',
        RetryPolicy: Match.absent(),
      })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnTimerTrigger'), 'Arn'] },
    });
  });

  test('a cron schedule keeps its six fields', () => {
    fixtureFunction(stack, 'Fn', { triggers: [TimerTrigger.cron('0 8 * * ? *'), TimerTrigger.cron('15 10 ? * MON-FRI *', { enabled: false })] });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 8 * * ? *)' });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(15 10 ? * MON-FRI *)', State: 'DISABLED' });
  });

  test('fails if the same schedule is added twice to one function', () => {
    const fn = fixtureFunction(stack);
    fn.addTrigger(TimerTrigger.rate(Duration.hours(1)));

    expect(() => fn.addTrigger(TimerTrigger.rate(Duration.minutes(60))))
      .toThrow('TimerTrigger from rate(1 hour) is added twice (allowed: one TimerTrigger per source and function) in Stack/Fn');
  });

  test.each([
    ['0 8 * *', 'a cron expression has 6 fields: minutes hours day-of-month month day-of-week year (given 4)'],
    ['0 8 * * * *', "exactly one of day-of-month (given '*') and day-of-week (given '*') must be '?'"],
    ['0 8 ? * ? *', "exactly one of day-of-month (given '?') and day-of-week (given '?') must be '?'"],
    ['0 8 * * ? $', "field '$' has a character cron does not allow (allowed: digits, names, * ? , - / # L)"],
  ])('fails if the cron expression is %p', (expression, message) => {
    expect(() => TimerTrigger.cron(expression)).toThrow(`TimerTrigger.cron('${expression}'): ${message}`);
  });

  test.each([Duration.seconds(30), Duration.seconds(90)])('fails if the rate is %p', interval => {
    expect(() => TimerTrigger.rate(interval)).toThrow(/the interval must be whole minutes, at least 1 minute/);
  });
});
