import { FlowNode, FlowNodeKind, Fragment, RenderContext } from './flow-node';
import { FlowInputOptions } from './io';
import { checkParameters, continueTo, resultFields } from './private/state-fields';

/** Options of a pass node. */
export interface PassNodeOptions extends FlowInputOptions {
  /**
   * A new object built from the input, with `key.$: path` entries, e.g. `{ 'id.$': '$.order.id' }`.
   * @default - the input as it is
   */
  readonly parameters?: Record<string, unknown>;
  /**
   * A fixed result instead of the input.
   * @default - the input (or `parameters`)
   */
  readonly result?: Record<string, unknown>;
  /**
   * Where the result is put in the input.
   * @default '$' - the result replaces the input
   */
  readonly resultPath?: string;
}

/** A pass node: passes its input on, reshaped by `parameters` or replaced by `result`. */
export class PassNode extends FlowNode {
  constructor(
    name: string,
    private readonly options: PassNodeOptions = {},
  ) {
    super(name);
    checkParameters(`pass node '${name}'`, 'parameters', options.parameters);
    resultFields(`pass node '${name}'`, options);
  }

  public get endsFlow(): boolean {
    return false;
  }

  protected renderNode(ctx: RenderContext, next: string | undefined): Fragment {
    ctx.claim(this.name, this);
    ctx.describe(this.name, FlowNodeKind.PASS);
    return {
      start: this.name,
      states: {
        [this.name]: {
          Type: 'Pass',
          ...(this.options.parameters !== undefined ? { Parameters: this.options.parameters } : {}),
          ...(this.options.result !== undefined ? { Result: this.options.result } : {}),
          ...resultFields(`pass node '${this.name}'`, this.options),
          ...continueTo(next),
        },
      },
    };
  }
}
