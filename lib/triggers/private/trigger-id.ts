import { createHash } from 'crypto';
import { Names } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { StageValidationError } from '../../errors';

/**
 * The id of what a trigger creates under a function, derived from the event source, so that it
 * is stable and one source can trigger a function once. Ids are part of the public contract.
 */
export function triggerId(fn: IConstruct, kind: string, source: IConstruct | string): string {
  const suffix =
    typeof source === 'string'
      ? createHash('sha256').update(source).digest('hex').slice(0, 8).toUpperCase()
      : Names.nodeUniqueId(source.node);
  const id = `${kind}${suffix}`;
  if (fn.node.tryFindChild(id)) {
    const what = typeof source === 'string' ? source : source.node.path;
    throw new StageValidationError(
      fn,
      `${kind} from ${what} is added twice (allowed: one ${kind} per source and function)`,
    );
  }
  return id;
}
