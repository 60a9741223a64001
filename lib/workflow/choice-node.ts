import { AslState } from './asl';
import { Condition } from './condition';
import { FlowNode, FlowNodeKind, Fragment, RenderContext } from './flow-node';
import { FlowInputOptions } from './io';
import { inputFields } from './private/state-fields';
import { FlowValidationError } from '../errors';

interface Branch {
  readonly condition: Condition;
  readonly node: FlowNode;
}

/**
 * A conditional branch: the first `when` whose condition holds runs, else `otherwise`; then the flow
 * goes on with the node after the choice. Without `otherwise`, a choice that matches nothing goes
 * straight on. A choice needs at least one `when`.
 */
export class ChoiceNode extends FlowNode {
  private branches: readonly Branch[] = [];
  private fallback?: FlowNode;

  constructor(
    name: string,
    private readonly options: FlowInputOptions = {},
  ) {
    super(name);
    inputFields(`choice '${name}'`, options);
  }

  /** A new choice with one more branch: `node` runs when `condition` holds and no earlier branch matched. */
  public when(condition: Condition, node: FlowNode): ChoiceNode {
    return this.copy({ branches: [...this.branches, { condition, node }] });
  }

  /** A new choice whose `node` runs when no branch matched. */
  public otherwise(node: FlowNode): ChoiceNode {
    return this.copy({ fallback: node });
  }

  /** Conditions and their nodes, for pictures and checks. */
  public get conditions(): ReadonlyArray<{ condition: Condition; node: FlowNode }> {
    return this.branches;
  }

  public get endsFlow(): boolean {
    return this.fallback !== undefined && this.fallback.endsFlow && this.branches.every(branch => branch.node.endsFlow);
  }

  public get children(): readonly FlowNode[] {
    return [...this.branches.map(branch => branch.node), ...(this.fallback ? [this.fallback] : []), ...super.children];
  }

  protected renderNode(ctx: RenderContext, next: string | undefined): Fragment {
    if (this.branches.length === 0) {
      throw new FlowValidationError(`choice '${this.name}' has no branch: add at least one .when(condition, node)`);
    }
    this.branches.forEach((branch, i) =>
      branch.condition._validate(`choice '${this.name}', condition ${i + 1} (${branch.condition.label})`),
    );
    ctx.claim(this.name, this);
    ctx.describe(this.name, FlowNodeKind.CHOICE);
    const states: Record<string, AslState> = {};
    const choices = this.branches.map(branch => {
      const fragment = branch.node.render(ctx, next);
      Object.assign(states, fragment.states);
      return { ...branch.condition.rule, Next: fragment.start };
    });
    let fallback = next;
    if (this.fallback) {
      const fragment = this.fallback.render(ctx, next);
      Object.assign(states, fragment.states);
      fallback = fragment.start;
    } else if (next === undefined) {
      // Nothing follows the choice: a branch that matches nothing ends the flow here, successfully.
      fallback = `${this.name} done`;
      ctx.claim(fallback, this);
      ctx.describe(fallback, FlowNodeKind.SUCCEED);
      states[fallback] = { Type: 'Succeed' };
    }
    states[this.name] = {
      Type: 'Choice',
      ...inputFields(`choice '${this.name}'`, this.options),
      Choices: choices,
      Default: fallback,
    };
    return { start: this.name, states };
  }

  private copy(changes: { branches?: readonly Branch[]; fallback?: FlowNode }): ChoiceNode {
    const copy = Object.create(ChoiceNode.prototype) as ChoiceNode;
    Object.assign(copy, this, changes);
    return copy;
  }
}
