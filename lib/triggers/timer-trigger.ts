import { Duration, Token } from 'aws-cdk-lib';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { StageValidationError, TriggerValidationError } from '../errors';
import { CRON_FIELD_NAMES, CronProblem, EventBridgeCron } from './eventbridge-cron';
import type { ITrigger, ITriggerTarget } from '../function/trigger';
import { triggerId } from './private/trigger-id';
import { recordTrigger } from './private/record-trigger';

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

/** What a factory made of its arguments: the schedule expression, or what is wrong with them. */
interface TimerPlan {
  /** The call that made the trigger, for messages: `TimerTrigger.cron('0 8 * * ? *')`. */
  readonly name: string;
  /** The EventBridge schedule expression, e.g. `cron(0 8 * * ? *)`. */
  readonly expression: string;
  /** What is wrong with the arguments, reported with the function's path when the trigger is added. */
  readonly problem?: string;
  /** The runs after `from`; undefined when they cannot be known at synth time (a token). */
  readonly runs?: (count: number, from: Date) => Date[];
}

const RATE_EXPRESSION = /^rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)$/;
const CRON_EXPRESSION = /^cron\((.*)\)$/s;

/**
 * Timer trigger: runs the function on a schedule. Synthesizes to an EventBridge rule with the
 * function as target (an asynchronous invocation, so the function's retries and dead-letter
 * queue apply) and a permission for that rule only.
 *
 * The schedule is checked when the trigger is made; a wrong one fails when the trigger is added to a
 * function, with the function's construct path, the value given and what is allowed.
 */
export class TimerTrigger implements ITrigger {
  /**
   * A cron schedule in EventBridge's six fields, UTC: minutes (0-59), hours (0-23), day-of-month
   * (1-31, `L`, `LW`, `nW`), month (1-12 or JAN-DEC), day-of-week (1-7 or SUN-SAT, `L`, `dL`, `d#n`) and
   * year (1970-2199); each takes `*`, ranges `a-b`, lists `a,b` and, but for day-of-week, steps `a/y`
   * (from a on, every y). Exactly one of day-of-month and day-of-week is `?`.
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html
   * @example TimerTrigger.cron('0 8 * * ? *') // every day at 08:00 UTC
   * @example TimerTrigger.cron('0/15 8-17 ? * MON-FRI *') // every 15 minutes in office hours
   */
  public static cron(expression: string, options: TimerTriggerOptions = {}): TimerTrigger {
    return new TimerTrigger(cronPlan(`TimerTrigger.cron('${expression}')`, expression), options);
  }

  /**
   * Every `interval`, whole minutes from 1 minute. EventBridge counts from when the rule is created.
   * @example TimerTrigger.rate(Duration.minutes(5))
   */
  public static rate(interval: Duration, options: TimerTriggerOptions = {}): TimerTrigger {
    return new TimerTrigger(ratePlan(`TimerTrigger.rate(${interval.toHumanString()})`, interval), options);
  }

  /**
   * A schedule expression as EventBridge and CloudFormation write it: `cron(<six fields>)` or
   * `rate(<n> minute|minutes|hour|hours|day|days)`, e.g. the `ScheduleExpression` of a template's rule.
   * @example TimerTrigger.fromExpression('rate(1 hour)').nextRuns(3)
   */
  public static fromExpression(expression: string, options: TimerTriggerOptions = {}): TimerTrigger {
    const name = `TimerTrigger.fromExpression('${expression}')`;
    if (Token.isUnresolved(expression)) {
      return new TimerTrigger({ name, expression }, options);
    }
    const cron = CRON_EXPRESSION.exec(expression.trim());
    if (cron) {
      return new TimerTrigger(cronPlan(name, cron[1]), options);
    }
    const rate = RATE_EXPRESSION.exec(expression.trim());
    if (rate) {
      const amount = Number(rate[1]);
      const interval = rate[2].startsWith('minute')
        ? Duration.minutes(amount)
        : rate[2].startsWith('hour')
          ? Duration.hours(amount)
          : Duration.days(amount);
      return new TimerTrigger(ratePlan(name, interval), options);
    }
    return new TimerTrigger(
      {
        name,
        expression,
        problem: `a schedule expression is cron(${CRON_FIELD_NAMES}) or rate(<n> minutes|hours|days) (given '${expression}')`,
      },
      options,
    );
  }

  private constructor(
    private readonly plan: TimerPlan,
    private readonly options: TimerTriggerOptions,
  ) {}

  /** The schedule expression, e.g. `rate(5 minutes)` or `cron(0 8 * * ? *)`. */
  public get expression(): string {
    return this.plan.expression;
  }

  /**
   * The next `count` runs after `from`, in UTC, as the schedule gives them: for a cron schedule the
   * exact times (fewer when the schedule ends, as in a past year); for a rate, `from` plus whole
   * intervals, since EventBridge counts from when the rule was created (the times shift, the number
   * of runs in a period does not).
   * @param count how many runs, a whole number from 0
   * @param from the time after which runs are listed; by default, now
   * @throws TriggerValidationError if the schedule is wrong or a token, unknown until deployment
   */
  public nextRuns(count: number, from: Date = new Date()): Date[] {
    if (!Number.isInteger(count) || count < 0) {
      throw new TriggerValidationError(this.plan.name, `count must be a whole number from 0 (given ${count})`);
    }
    if (this.plan.problem !== undefined) {
      throw new TriggerValidationError(this.plan.name, this.plan.problem);
    }
    if (!this.plan.runs) {
      throw new TriggerValidationError(
        this.plan.name,
        'the schedule is a token, known only at deployment, so its runs cannot be listed',
      );
    }
    return this.plan.runs(count, from);
  }

  public bind(fn: ITriggerTarget): void {
    if (this.plan.problem !== undefined) {
      throw new StageValidationError(fn, `${this.plan.name}: ${this.plan.problem}`);
    }
    recordTrigger(fn, 'timer', undefined, {
      expression: this.plan.expression,
      input: this.options.input,
      enabled: this.options.enabled ?? true,
    });
    new Rule(fn, triggerId(fn, 'TimerTrigger', this.plan.expression), {
      schedule: Schedule.expression(this.plan.expression),
      enabled: this.options.enabled ?? true,
      // EventBridge keeps retrying delivery (throttling, for example) with its defaults; once
      // delivered, the function's own asynchronous retries and dead-letter queue apply.
      targets: [
        new LambdaFunction(fn.invokeTarget, {
          event: this.options.input ? RuleTargetInput.fromObject(this.options.input) : undefined,
        }),
      ],
    });
  }
}

function cronPlan(name: string, expression: string): TimerPlan {
  if (Token.isUnresolved(expression)) {
    return { name, expression: `cron(${expression})` };
  }
  try {
    const cron = EventBridgeCron.parse(expression);
    return { name, expression: `cron(${cron.expression})`, runs: (count, from) => cron.nextRuns(count, from) };
  } catch (error) {
    if (error instanceof CronProblem) {
      return { name, expression: `cron(${expression.trim()})`, problem: error.message };
    }
    throw error;
  }
}

function ratePlan(name: string, interval: Duration): TimerPlan {
  if (interval.isUnresolved()) {
    return { name, expression: Schedule.rate(interval).expressionString };
  }
  const millis = interval.toMilliseconds();
  if (millis < 60_000 || millis % 60_000 !== 0) {
    return {
      name,
      expression: `rate(${interval.toHumanString()})`,
      problem: `the interval must be whole minutes, at least 1 minute (given ${interval.toHumanString()})`,
    };
  }
  return {
    name,
    expression: Schedule.rate(interval).expressionString,
    runs: (count, from) => Array.from({ length: count }, (_, i) => new Date(from.getTime() + (i + 1) * millis)),
  };
}
