import { Duration } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { handlerSource, OWN_FUNCTION_RUNTIME } from '../project';
import { StageCode } from './stage-code';
import { inPlace } from './placement';
import { StageFunction } from './stage-function';

/** Properties of one of stagegraph's own functions. */
export interface OwnFunctionProps {
  /** The handler's file in `lib/handlers`, without extension, e.g. `meter-handler`. */
  readonly handler: string;
  readonly description: string;
  readonly memorySize: number;
  /**
   * @default - StageFunction's default timeout
   */
  readonly timeout?: Duration;
  /**
   * @default - no variables
   */
  readonly environment?: Record<string, string>;
  /**
   * A log group of its own with this retention, rather than the stack's function log group (the billing meter's:
   * its REPORT lines must not reach itself).
   * @default - the stack's function log group
   */
  readonly logRetention?: RetentionDays;
}

/**
 * One of stagegraph's own functions (a flow's starter and resumer, the billing meter, the JWT authorizer):
 * a StageFunction of a bundled handler from `lib/handlers` on `OWN_FUNCTION_RUNTIME`.
 */
export function ownFunction(scope: Construct, id: string, props: OwnFunctionProps): StageFunction {
  // stagegraph's own functions stay with the construct that makes them: a flow's starter in a nested stack of
  // functions would need the state machine's ARN while the state machine needs its functions' (a cycle).
  return inPlace(
    () =>
      new StageFunction(scope, id, {
        code: StageCode.fromNodejs(handlerSource(props.handler), { runtime: OWN_FUNCTION_RUNTIME }),
        memorySize: props.memorySize,
        description: props.description,
        ...(props.timeout ? { timeout: props.timeout } : {}),
        ...(props.environment ? { environment: props.environment } : {}),
        ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      }),
  );
}
