import { Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IStageFunction } from '../function/stage-function-base';
import { AslRetrier, FlowErrors } from './asl';
import { ErrorHandlingFields, FlowNodeKind, TaskNode, Fragment, RenderContext } from './flow-node';
import { FlowResultOptions } from './io';
import { checkParameters, continueTo, resultFields } from './private/state-fields';
import { FlowValidationError } from '../errors';

/** Options of a function node. */
export interface FunctionNodeOptions extends FlowResultOptions {
  /**
   * The event the function receives, with `key.$: path` entries taken from the node's input, e.g.
   * `{ 'bucket.$': '$.bucket', size: 128 }`.
   * @default - the node's input (after `inputPath`)
   */
  readonly payload?: Record<string, unknown>;
  /**
   * Retry the Lambda service's transient errors (service exceptions, throttling) 6 times, from 2 s,
   * doubling. Errors of the function itself are retried only by `retry()`.
   * @default true
   */
  readonly retryServiceErrors?: boolean;
  /**
   * How long the node waits for the function, whole seconds.
   * @default - no limit of the node's own; the function's timeout applies
   */
  readonly timeout?: Duration;
}

/** The retry a function node has unless `retryServiceErrors` is false. */
export const LAMBDA_SERVICE_RETRY: AslRetrier = {
  ErrorEquals: [...FlowErrors.LAMBDA_SERVICE_ERRORS],
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
};

/**
 * A function node: invokes a FunctionStage function synchronously and passes its return value on.
 * Renders a Task state whose resource is the function's ARN, and grants the flow `lambda:InvokeFunction`.
 */
export class FunctionNode extends TaskNode {
  constructor(
    name: string,
    public readonly fn: IStageFunction,
    private readonly options: FunctionNodeOptions = {},
  ) {
    super(name);
    const timeout = options.timeout?.toSeconds({ integral: false });
    if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1)) {
      throw new FlowValidationError(
        `function node '${name}': timeout must be whole seconds from 1 (given ${timeout} s)`,
      );
    }
    checkParameters(`function node '${name}'`, 'payload', options.payload);
    resultFields(`function node '${name}'`, options);
  }

  protected defaultRetries(): AslRetrier[] {
    return this.options.retryServiceErrors === false ? [] : [LAMBDA_SERVICE_RETRY];
  }

  protected renderNode(ctx: RenderContext, next: string | undefined, handling: ErrorHandlingFields): Fragment {
    ctx.claim(this.name, this);
    ctx.describe(this.name, FlowNodeKind.FUNCTION, this.fn.node.id);
    const arn = this.fn.invokeTarget.functionArn;
    ctx.addStatements(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [arn] }));
    ctx.invokes?.(this.fn);
    return {
      start: this.name,
      states: {
        [this.name]: {
          Type: 'Task',
          Resource: arn,
          ...(this.options.payload !== undefined ? { Parameters: this.options.payload } : {}),
          ...(this.options.timeout !== undefined ? { TimeoutSeconds: this.options.timeout.toSeconds() } : {}),
          ...resultFields(`function node '${this.name}'`, this.options),
          ...handling,
          ...continueTo(next),
        },
      },
    };
  }
}
