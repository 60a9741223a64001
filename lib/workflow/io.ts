/** Give this as `resultPath` to drop a node's result and pass its input on unchanged. */
export const DISCARD_RESULT = 'DISCARD';

/** Which part of the data a node reads and passes on. */
export interface FlowInputOptions {
  /**
   * The part of the node's input it works on, e.g. `$.order`.
   * @default '$' - the whole input
   */
  readonly inputPath?: string;
  /**
   * The part of the node's output passed to the next node.
   * @default '$' - the whole output
   */
  readonly outputPath?: string;
}

/** Where a node's result goes. */
export interface FlowResultOptions extends FlowInputOptions {
  /**
   * Where the result is put in the node's input, e.g. `$.thumbnail`; `DISCARD_RESULT` keeps the input as it was.
   * @default '$' - the result replaces the input
   */
  readonly resultPath?: string;
  /**
   * A new object built from the result before it is placed, with `key.$: path` entries, e.g.
   * `{ 'size.$': '$.Size' }`.
   * @default - the result as it is
   */
  readonly resultSelector?: Record<string, unknown>;
}
