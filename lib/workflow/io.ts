import { checkPath, FlowValidationError } from './flow-node';

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

/** The ASL fields of input and output processing, checked. */
export function inputFields(where: string, options: FlowInputOptions): Record<string, unknown> {
  checkPath(where, 'inputPath', options.inputPath);
  checkPath(where, 'outputPath', options.outputPath);
  return {
    ...(options.inputPath !== undefined ? { InputPath: options.inputPath } : {}),
    ...(options.outputPath !== undefined ? { OutputPath: options.outputPath } : {}),
  };
}

/** The ASL fields of input, result and output processing, checked. */
export function resultFields(where: string, options: FlowResultOptions): Record<string, unknown> {
  if (options.resultPath !== DISCARD_RESULT) {
    checkPath(where, 'resultPath', options.resultPath);
  }
  checkParameters(where, 'resultSelector', options.resultSelector);
  return {
    ...inputFields(where, options),
    ...(options.resultSelector !== undefined ? { ResultSelector: options.resultSelector } : {}),
    ...(options.resultPath === DISCARD_RESULT ? { ResultPath: null } : options.resultPath !== undefined ? { ResultPath: options.resultPath } : {}),
  };
}

/** Throws unless every `key.$` entry of `value` (at any depth) holds a JSONPath or an intrinsic function. */
export function checkParameters(where: string, field: string, value: unknown): void {
  if (value === undefined || value === null || typeof value !== 'object') {
    return;
  }
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    if (key.endsWith('.$')) {
      if (typeof inner !== 'string' || !(inner.startsWith('$') || inner.startsWith('States.'))) {
        throw new FlowValidationError(`${where}: ${field} entry '${key}' must hold a path starting with '$' or an intrinsic function 'States.*' (given ${JSON.stringify(inner)})`);
      }
    } else {
      checkParameters(where, field, inner);
    }
  }
}
