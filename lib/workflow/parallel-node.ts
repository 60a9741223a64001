import { AslStates } from './asl';
import { ErrorHandlingFields, FlowNode, FlowNodeKind, TaskNode, Fragment, RenderContext } from './flow-node';
import { FlowResultOptions } from './io';
import { continueTo, resultFields } from './private/state-fields';
import { FlowValidationError } from '../errors';

/** Options of a parallel node. */
export interface ParallelNodeOptions extends FlowResultOptions {
  /**
   * How many branches must be done before the flow goes on. Step Functions joins when ALL branches
   * are done and has no "N of M" join, and neither has FunctionGraph's CreateWorkflow body (its SDK
   * models' parallel Operation joins every action; see test/fixtures/huaweicloud/fgs-workflow-states.json),
   * so any other number is refused on every target rather than imitated.
   * @default - all branches
   */
  readonly requiredBranches?: number;
}

/**
 * Parallel branches: every branch gets the node's input, all run at once, and the node is done when
 * all are done; its result is the array of the branches' outputs, in order. A failing branch fails
 * the node (and stops the others).
 */
export class ParallelNode extends TaskNode {
  constructor(
    name: string,
    public readonly branches: readonly FlowNode[],
    private readonly options: ParallelNodeOptions = {},
  ) {
    super(name);
    if (branches.length === 0) {
      throw new FlowValidationError(`parallel '${name}' has no branch: give at least one`);
    }
    const required = options.requiredBranches;
    if (required !== undefined && required !== branches.length) {
      throw new FlowValidationError(
        `parallel '${name}': requiredBranches ${required} of ${branches.length} is not supported: ` +
          'Step Functions joins a Parallel state only when all branches are done, and a FunctionGraph workflow has no ' +
          `completion count either (allowed: ${branches.length}, or leave it out)`,
      );
    }
    resultFields(`parallel '${name}'`, options);
  }

  public get children(): readonly FlowNode[] {
    return [...this.branches, ...super.children];
  }

  protected renderNode(ctx: RenderContext, next: string | undefined, handling: ErrorHandlingFields): Fragment {
    ctx.claim(this.name, this);
    ctx.describe(this.name, FlowNodeKind.PARALLEL, `${this.branches.length} branches`);
    const branches: AslStates[] = this.branches.map(branch => {
      const fragment = branch.render(ctx, undefined);
      return { StartAt: fragment.start, States: fragment.states };
    });
    return {
      start: this.name,
      states: {
        [this.name]: {
          Type: 'Parallel',
          Branches: branches,
          ...resultFields(`parallel '${this.name}'`, this.options),
          ...handling,
          ...continueTo(next),
        },
      },
    };
  }
}
