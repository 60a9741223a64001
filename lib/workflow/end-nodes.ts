import { FlowNode, FlowNodeKind, Fragment, RenderContext } from './flow-node';
import { FlowValidationError } from '../errors';

/** A succeed node: ends the flow (or the branch it is in) successfully, with its input as output. */
export class SucceedNode extends FlowNode {
  constructor(name: string) {
    super(name);
  }

  public get endsFlow(): boolean {
    return true;
  }

  protected renderNode(ctx: RenderContext): Fragment {
    ctx.claim(this.name, this);
    ctx.describe(this.name, FlowNodeKind.SUCCEED);
    return { start: this.name, states: { [this.name]: { Type: 'Succeed' } } };
  }
}

/** Options of a fail node. */
export interface FailNodeOptions {
  /**
   * The error name, for catches and the execution's result.
   * @default 'FlowFailed'
   */
  readonly error?: string;
  /**
   * A human-readable reason.
   * @default - none
   */
  readonly cause?: string;
}

/** A fail node: ends the flow (or fails the branch it is in) with an error. */
export class FailNode extends FlowNode {
  constructor(
    name: string,
    private readonly options: FailNodeOptions = {},
  ) {
    super(name);
    if (options.error !== undefined && options.error.length === 0) {
      throw new FlowValidationError(`fail node '${name}': error must not be empty; leave it out for 'FlowFailed'`);
    }
  }

  public get endsFlow(): boolean {
    return true;
  }

  protected renderNode(ctx: RenderContext): Fragment {
    ctx.claim(this.name, this);
    ctx.describe(this.name, FlowNodeKind.FAIL, this.options.error ?? 'FlowFailed');
    return {
      start: this.name,
      states: {
        [this.name]: {
          Type: 'Fail',
          Error: this.options.error ?? 'FlowFailed',
          ...(this.options.cause !== undefined ? { Cause: this.options.cause } : {}),
        },
      },
    };
  }
}

/**
 * A goto: goes on at the node named `target` (in the same branch), e.g. back to a wait node to poll
 * again. Renders no state of its own; a loop with no way out is an error.
 */
export class GotoNode extends FlowNode {
  constructor(public readonly target: string) {
    super(target);
  }

  public get endsFlow(): boolean {
    return true;
  }

  public retry(): this {
    throw new FlowValidationError(
      `goto '${this.target}' renders no state of its own: retry the node it goes to instead`,
    );
  }

  public catch(): this {
    throw new FlowValidationError(
      `goto '${this.target}' renders no state of its own: catch on the node it goes to instead`,
    );
  }

  protected renderNode(): Fragment {
    return { start: this.target, states: {} };
  }
}
