import { Token } from 'aws-cdk-lib';
import { ErrorHandlingFields, FlowNode, FlowNodeKind, TaskNode, Fragment, RenderContext } from './flow-node';
import { FlowResultOptions } from './io';
import { checkParameters, continueTo, isJsonPath, resultFields } from './private/state-fields';
import { FlowValidationError } from '../errors';

/** Options of a loop node. */
export interface LoopNodeOptions extends FlowResultOptions {
  /** The array to loop over: a JSONPath into the node's input, e.g. `$.readings`. */
  readonly itemsPath: string;
  /** What runs for each item: a node or a sequence. It gets the item (or `itemSelector`'s object) as input. */
  readonly body: FlowNode;
  /**
   * How many items run at once, 0 for as many as Step Functions allows.
   * @default 0
   */
  readonly maxConcurrency?: number;
  /**
   * The input of each item's run, with `key.$` entries; `$$.Map.Item.Value` is the item, `$$.Map.Item.Index` its index.
   * @default - the item itself
   */
  readonly itemSelector?: Record<string, unknown>;
}

/**
 * A loop over an array: runs `body` for each item (in parallel up to `maxConcurrency`); the result is the array of
 * outputs.
 */
export class LoopNode extends TaskNode {
  constructor(
    name: string,
    private readonly options: LoopNodeOptions,
  ) {
    super(name);
    const where = `loop '${name}'`;
    if (
      typeof options.itemsPath !== 'string' ||
      (!Token.isUnresolved(options.itemsPath) && !isJsonPath(options.itemsPath))
    ) {
      throw new FlowValidationError(
        `${where}: itemsPath must be a JSONPath to an array, starting with '$' (given ${JSON.stringify(options.itemsPath)})`,
      );
    }
    const concurrency = options.maxConcurrency ?? 0;
    if (!Number.isInteger(concurrency) || concurrency < 0) {
      throw new FlowValidationError(`${where}: maxConcurrency must be a whole number from 0 (given ${concurrency})`);
    }
    checkParameters(where, 'itemSelector', options.itemSelector);
    resultFields(where, options);
  }

  public get children(): readonly FlowNode[] {
    return [this.options.body, ...super.children];
  }

  protected renderNode(ctx: RenderContext, next: string | undefined, handling: ErrorHandlingFields): Fragment {
    ctx.claim(this.name, this);
    const concurrency = this.options.maxConcurrency ?? 0;
    ctx.describe(
      this.name,
      FlowNodeKind.LOOP,
      `each ${this.options.itemsPath}${concurrency > 0 ? `, ${concurrency} at once` : ''}`,
    );
    const body = this.options.body.render(ctx, undefined);
    const { itemsPath, itemSelector } = this.options;
    return {
      start: this.name,
      states: {
        [this.name]: {
          Type: 'Map',
          ItemsPath: itemsPath,
          ...(itemSelector !== undefined ? { ItemSelector: itemSelector } : {}),
          MaxConcurrency: concurrency,
          ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: body.start, States: body.states },
          ...resultFields(`loop '${this.name}'`, this.options),
          ...handling,
          ...continueTo(next),
        },
      },
    };
  }
}
