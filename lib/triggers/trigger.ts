import { createHash } from 'crypto';
import { Names } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { StagegraphError, StagegraphErrorKind, StageValidationError } from '../errors';
import type { StageFunction } from '../function/stage-function';

/**
 * An event source of a FunctionStage function: OBS, SMN, HTTP, DIS, DMS or Timer.
 *
 * A trigger checks its own settings when it is created and wires itself to a function in
 * `bind`, granting no more than the event source needs. `fn.addTrigger(trigger)` calls `bind`.
 */
export interface ITrigger {
  /** Connects the trigger to `fn`: called once per function by `StageFunction.addTrigger`. */
  bind(fn: StageFunction): void;
}

/**
 * The id of what a trigger creates under a function, derived from the event source, so that it
 * is stable and one source can trigger a function once. Ids are part of the public contract.
 */
export function triggerId(fn: StageFunction, kind: string, source: IConstruct | string): string {
  const suffix = typeof source === 'string'
    ? createHash('sha256').update(source).digest('hex').slice(0, 8).toUpperCase()
    : Names.nodeUniqueId(source.node);
  const id = `${kind}${suffix}`;
  if (fn.node.tryFindChild(id)) {
    const what = typeof source === 'string' ? source : source.node.path;
    throw new StageValidationError(fn, `${kind} from ${what} is added twice (allowed: one ${kind} per source and function)`);
  }
  return id;
}

/** An error in a trigger's settings, found when the trigger is created: names the trigger, the value and what is allowed. */
export class TriggerValidationError extends StagegraphError {
  public readonly kind = StagegraphErrorKind.VALIDATION;

  constructor(trigger: string, message: string) {
    super(`${trigger}: ${message}`);
    this.name = 'TriggerValidationError';
  }
}
