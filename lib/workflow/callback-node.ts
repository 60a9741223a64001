import { Aws, Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IStageFunction } from '../function/stage-function-base';
import { ErrorHandlingFields, FlowNodeKind, TaskNode, Fragment, RenderContext } from './flow-node';
import { FlowResultOptions } from './io';
import { continueTo, resultFields } from './private/state-fields';
import { FlowValidationError } from '../errors';

/** The message a callback node sends: the task token to send back, and the node's input. */
const TOKEN_MESSAGE = { 'taskToken.$': '$$.Task.Token', 'input.$': '$' };

/**
 * Where a callback node sends its task token, so that someone can send it back with an answer.
 * Either way the message is `{ "taskToken": "...", "input": <the node's input> }`.
 */
export class CallbackNotify {
  /** Publishes the token to an SMN topic (e.g. one that e-mails an approver or feeds a queue). */
  public static smn(topic: ITopic): CallbackNotify {
    return new CallbackNotify(
      `SMN ${topic.node.id}`,
      'sns:publish.waitForTaskToken',
      { TopicArn: topic.topicArn, Message: TOKEN_MESSAGE },
      new PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }),
    );
  }

  /** Invokes a function asynchronously with the token (e.g. one that starts a long job and reports back). */
  public static function(fn: IStageFunction): CallbackNotify {
    const arn = fn.invokeTarget.functionArn;
    return new CallbackNotify(
      `function ${fn.node.id}`,
      'lambda:invoke.waitForTaskToken',
      { FunctionName: arn, InvocationType: 'Event', Payload: TOKEN_MESSAGE },
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [arn] }),
    );
  }

  private constructor(
    /** A short text for pictures. */
    public readonly label: string,
    private readonly integration: string,
    private readonly parameters: Record<string, unknown>,
    private readonly statement: PolicyStatement,
  ) {}

  /** @internal */
  public renderTask(ctx: RenderContext): Record<string, unknown> {
    ctx.addStatements(this.statement);
    return { Resource: `arn:${Aws.PARTITION}:states:::${this.integration}`, Parameters: this.parameters };
  }
}

/** Options of a callback node. */
export interface CallbackNodeOptions extends FlowResultOptions {
  /** Where the task token goes: `CallbackNotify.smn(topic)` or `CallbackNotify.function(fn)`. */
  readonly notify: CallbackNotify;
  /**
   * How long the flow waits for the answer before the node fails with `States.Timeout`, whole seconds.
   * @default Duration.hours(24)
   */
  readonly timeout?: Duration;
}

/**
 * A callback node: the flow sends a task token out and pauses until the token comes back with an
 * answer, as an SMN message on the flow's resume topic or an HTTP call to its resume route (see
 * `FunctionGraph.resumeTopic`). The answer's `output` is the node's result; an answer with `error`
 * fails the node. Only STANDARD flows can wait for a callback.
 */
export class CallbackNode extends TaskNode {
  constructor(
    name: string,
    private readonly options: CallbackNodeOptions,
  ) {
    super(name);
    const timeout = options.timeout?.toSeconds({ integral: false });
    if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1)) {
      throw new FlowValidationError(`callback '${name}': timeout must be whole seconds from 1 (given ${timeout} s)`);
    }
    resultFields(`callback '${name}'`, options);
  }

  protected renderNode(ctx: RenderContext, next: string | undefined, handling: ErrorHandlingFields): Fragment {
    ctx.claim(this.name, this);
    ctx.describe(this.name, FlowNodeKind.CALLBACK, `token to ${this.options.notify.label}`);
    return {
      start: this.name,
      states: {
        [this.name]: {
          Type: 'Task',
          ...this.options.notify.renderTask(ctx),
          TimeoutSeconds: this.options.timeout?.toSeconds() ?? Duration.hours(24).toSeconds(),
          ...resultFields(`callback '${this.name}'`, this.options),
          ...handling,
          ...continueTo(next),
        },
      },
    };
  }
}
