import { Duration } from 'aws-cdk-lib';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { StageFunction } from '../function/stage-function';
import { ITrigger, triggerId, TriggerValidationError } from './trigger';

/** Options of a {@link TimerTrigger}. */
export interface TimerTriggerOptions {
  /**
   * The event each run passes to the function.
   * @default - EventBridge's scheduled event
   */
  readonly input?: Record<string, unknown>;
  /**
   * Whether the schedule runs.
   * @default true
   */
  readonly enabled?: boolean;
}

const CRON_FIELD = /^[0-9A-Za-z*?,\-/#L]+$/;

/**
 * Timer trigger: runs the function on a schedule. Synthesizes to an EventBridge rule with the
 * function as target (an asynchronous invocation, so the function's retries and dead-letter
 * queue apply) and a permission for that rule only.
 */
export class TimerTrigger implements ITrigger {
  /**
   * A cron schedule in EventBridge's six fields, UTC: minutes hours day-of-month month day-of-week year.
   * One of day-of-month and day-of-week must be `?`.
   * @example TimerTrigger.cron('0 8 * * ? *') // every day at 08:00 UTC
   */
  public static cron(expression: string, options: TimerTriggerOptions = {}): TimerTrigger {
    const fields = expression.trim().split(/\s+/);
    const name = `TimerTrigger.cron('${expression}')`;
    if (fields.length !== 6) {
      throw new TriggerValidationError(name, `a cron expression has 6 fields: minutes hours day-of-month month day-of-week year (given ${fields.length})`);
    }
    const bad = fields.find(field => !CRON_FIELD.test(field));
    if (bad) {
      throw new TriggerValidationError(name, `field '${bad}' has a character cron does not allow (allowed: digits, names, * ? , - / # L)`);
    }
    const [, , dayOfMonth, , dayOfWeek] = fields;
    if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
      throw new TriggerValidationError(name, `exactly one of day-of-month (given '${dayOfMonth}') and day-of-week (given '${dayOfWeek}') must be '?'`);
    }
    return new TimerTrigger(Schedule.expression(`cron(${fields.join(' ')})`), options);
  }

  /**
   * Every `interval`, whole minutes from 1 minute.
   * @example TimerTrigger.rate(Duration.minutes(5))
   */
  public static rate(interval: Duration, options: TimerTriggerOptions = {}): TimerTrigger {
    if (!interval.isUnresolved()) {
      const millis = interval.toMilliseconds();
      if (millis < 60_000 || millis % 60_000 !== 0) {
        throw new TriggerValidationError(`TimerTrigger.rate(${interval.toHumanString()})`,
          `the interval must be whole minutes, at least 1 minute (given ${interval.toHumanString()})`);
      }
    }
    return new TimerTrigger(Schedule.rate(interval), options);
  }

  private constructor(private readonly schedule: Schedule, private readonly options: TimerTriggerOptions) {}

  /** The schedule expression, e.g. `rate(5 minutes)`. */
  public get expression(): string {
    return this.schedule.expressionString;
  }

  public bind(fn: StageFunction): void {
    new Rule(fn, triggerId(fn, 'TimerTrigger', this.schedule.expressionString), {
      schedule: this.schedule,
      enabled: this.options.enabled ?? true,
      // EventBridge keeps retrying delivery (throttling, for example) with its defaults; once
      // delivered, the function's own asynchronous retries and dead-letter queue apply.
      targets: [new LambdaFunction(fn.invokeTarget, {
        event: this.options.input ? RuleTargetInput.fromObject(this.options.input) : undefined,
      })],
    });
  }
}
