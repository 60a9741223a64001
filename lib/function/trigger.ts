import type { Duration } from 'aws-cdk-lib';
import type { IStageFunction } from './stage-function-base';

/**
 * What a trigger binds to: a FunctionStage function and its timeout (queue and stream triggers size
 * their settings by it). `StageFunction` is one.
 */
export interface ITriggerTarget extends IStageFunction {
  /** The most an invocation may run. */
  readonly timeout: Duration;
}

/**
 * An event source of a FunctionStage function: OBS, SMN, HTTP, DIS, DMS or Timer.
 *
 * A trigger checks its own settings when it is created and wires itself to a function in
 * `bind`, granting no more than the event source needs. `fn.addTrigger(trigger)` calls `bind`.
 * The function module owns this interface (as aws-lambda owns `IEventSource`): triggers know
 * functions only through it.
 */
export interface ITrigger {
  /** Connects the trigger to `fn`: called once per function by `StageFunction.addTrigger`. */
  bind(fn: ITriggerTarget): void;
}
