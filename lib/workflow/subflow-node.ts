import { Arn, ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { ErrorHandlingFields, FlowNodeKind, TaskNode, Fragment, RenderContext } from './flow-node';
import { FlowResultOptions } from './io';
import { checkParameters, continueTo, resultFields } from './private/state-fields';

/** What a subflow node needs of another flow. */
export interface ISubflowTarget extends IConstruct {
  /** The ARN of the flow's state machine. */
  readonly stateMachineArn: string;
}

/** Options of a subflow node. */
export interface SubflowNodeOptions extends FlowResultOptions {
  /**
   * The input of the subflow's execution, with `key.$: path` entries.
   * @default - the node's input
   */
  readonly input?: Record<string, unknown>;
}

/**
 * A subflow node: runs another FunctionGraph and waits for it to finish (`startExecution.sync:2`).
 * Its result is `{ output, executionArn }`, `output` being the subflow's output; a failed subflow fails
 * the node. Only STANDARD flows can wait for a subflow.
 */
export class SubflowNode extends TaskNode {
  constructor(
    name: string,
    public readonly flow: ISubflowTarget,
    private readonly options: SubflowNodeOptions = {},
  ) {
    super(name);
    checkParameters(`subflow '${name}'`, 'input', options.input);
    resultFields(`subflow '${name}'`, options);
  }

  protected renderNode(ctx: RenderContext, next: string | undefined, handling: ErrorHandlingFields): Fragment {
    ctx.claim(this.name, this);
    ctx.describe(this.name, FlowNodeKind.SUBFLOW, this.flow.node.id);
    const stack = Stack.of(this.flow);
    const arn = this.flow.stateMachineArn;
    const flowName = Arn.split(arn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
    ctx.addStatements(
      new PolicyStatement({ actions: ['states:StartExecution'], resources: [arn] }),
      new PolicyStatement({
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [
          stack.formatArn({
            service: 'states',
            resource: 'execution',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            resourceName: `${flowName}:*`,
          }),
        ],
      }),
      new PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [
          stack.formatArn({
            service: 'events',
            resource: 'rule',
            resourceName: 'StepFunctionsGetEventsForStepFunctionsExecutionRule',
          }),
        ],
      }),
    );
    const { resultSelector, ...rest } = this.options;
    return {
      start: this.name,
      states: {
        [this.name]: {
          Type: 'Task',
          Resource: `arn:${Aws.PARTITION}:states:::states:startExecution.sync:2`,
          Parameters: {
            StateMachineArn: arn,
            ...(this.options.input !== undefined ? { Input: this.options.input } : { 'Input.$': '$' }),
          },
          ...resultFields(`subflow '${this.name}'`, {
            ...rest,
            resultSelector: resultSelector ?? { 'output.$': '$.Output', 'executionArn.$': '$.ExecutionArn' },
          }),
          ...handling,
          ...continueTo(next),
        },
      },
    };
  }
}
