import { Token } from 'aws-cdk-lib';
import { FlowValidationError } from '../../errors';
import { DISCARD_RESULT, FlowInputOptions, FlowResultOptions } from '../io';

// The ASL fields every node kind writes, checked: helpers of the node classes, not part of the public API.

/**
 * The path syntax every `*Path` field takes: `$`, `$.a.b`, `$['a']`, `$.items[0]`, or a context path `$$.Execution.Id`.
 */
export function isJsonPath(value: string): boolean {
  return value === '$' || /^\$\$?(\.|\[)/.test(value);
}

/** `Next: next`, or `End: true` when nothing follows. */
export function continueTo(next: string | undefined): { Next: string } | { End: true } {
  return next === undefined ? { End: true } : { Next: next };
}

/** Throws unless `value` is a JSONPath (`$`, `$.a`, `$$.Execution.Id`). */
export function checkPath(where: string, field: string, value: string | undefined): void {
  if (value !== undefined && !Token.isUnresolved(value) && !isJsonPath(value)) {
    throw new FlowValidationError(`${where}: ${field} must be a JSONPath starting with '$' (given '${value}')`);
  }
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
    ...(options.resultPath === DISCARD_RESULT
      ? { ResultPath: null }
      : options.resultPath !== undefined
        ? { ResultPath: options.resultPath }
        : {}),
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
        throw new FlowValidationError(
          `${where}: ${field} entry '${key}' must hold a path starting with '$' or an intrinsic function 'States.*' (given ${JSON.stringify(inner)})`,
        );
      }
    } else {
      checkParameters(where, field, inner);
    }
  }
}
