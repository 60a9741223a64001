import { Aws } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ITopic } from 'aws-cdk-lib/aws-sns';
import { ErrorHandlingFields, FlowNodeKind, TaskNode, Fragment, RenderContext } from './flow-node';
import { FlowResultOptions } from './io';
import { checkParameters, continueTo, resultFields } from './private/state-fields';
import { FlowValidationError } from '../errors';

/** Options of a notify node. */
export interface NotifyNodeOptions extends FlowResultOptions {
  /**
   * The message, with `key.$: path` entries taken from the node's input; sent as JSON.
   * @default - the node's input
   */
  readonly message?: Record<string, unknown>;
  /**
   * The subject (e-mail subscribers see it), 1 to 99 characters.
   * @default - none
   */
  readonly subject?: string;
}

/**
 * A notify node: publishes a message to an SMN topic and goes on (Step Functions' SNS integration, no
 * function in between). Its result is `{ MessageId }`; give `resultPath` to keep the input.
 */
export class NotifyNode extends TaskNode {
  constructor(
    name: string,
    public readonly topic: ITopic,
    private readonly options: NotifyNodeOptions = {},
  ) {
    super(name);
    const subject = options.subject;
    if (subject !== undefined && (subject.length === 0 || subject.length > 99)) {
      throw new FlowValidationError(
        `notify node '${name}': subject must be 1 to 99 characters (given ${subject.length})`,
      );
    }
    checkParameters(`notify node '${name}'`, 'message', options.message);
    resultFields(`notify node '${name}'`, options);
  }

  protected renderNode(ctx: RenderContext, next: string | undefined, handling: ErrorHandlingFields): Fragment {
    ctx.claim(this.name, this);
    ctx.describe(this.name, FlowNodeKind.NOTIFY, `SMN ${this.topic.node.id}`);
    ctx.addStatements(new PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }));
    return {
      start: this.name,
      states: {
        [this.name]: {
          Type: 'Task',
          Resource: `arn:${Aws.PARTITION}:states:::sns:publish`,
          Parameters: {
            TopicArn: this.topic.topicArn,
            ...(this.options.message !== undefined ? { Message: this.options.message } : { 'Message.$': '$' }),
            ...(this.options.subject !== undefined ? { Subject: this.options.subject } : {}),
          },
          ...resultFields(`notify node '${this.name}'`, this.options),
          ...handling,
          ...continueTo(next),
        },
      },
    };
  }
}
