import { NestedStack, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { StageValidationError } from '../errors';

/**
 * The context key of the one opt-in past CloudFormation's 500 resources per stack: how many functions each nested
 * stack holds. With it set (in `cdk.json` or the App's context), every `StageFunction` of a stack, its role, log
 * group, dead-letter queue and the resources of its triggers go into nested stacks of the stack (`Functions1`,
 * `Functions2`, ...), that many functions each, in the order they are made; references between them and the
 * stack's buckets, topics, queues and flows become the nested stacks' parameters and outputs.
 */
export const FUNCTIONS_PER_NESTED_STACK = 'stagegraph:functionsPerNestedStack';

/** At most this many functions per nested stack: about 8 resources each, and 200 parameters per stack. */
export const MOST_FUNCTIONS_PER_NESTED_STACK = 50;

interface Shards {
  current?: NestedStack;
  count: number;
  made: number;
}

const shardsOf = new WeakMap<Stack, Shards>();

/**
 * Where a function made at `scope` with `id` is placed: there, or, when its stack opted in with
 * {@link FUNCTIONS_PER_NESTED_STACK}, in the stack's current nested stack of functions, with an id that keeps the
 * path below the stack (`Api/Handler` becomes `Api-Handler`).
 */
export function functionPlacement(scope: Construct, id: string): [Construct, string] {
  const stack = Stack.of(scope);
  const given: unknown = stack.node.tryGetContext(FUNCTIONS_PER_NESTED_STACK);
  if (given === undefined || stack.nested) return [scope, id];
  const perStack = typeof given === 'string' ? Number(given) : given;
  if (
    typeof perStack !== 'number' ||
    !Number.isInteger(perStack) ||
    perStack < 1 ||
    perStack > MOST_FUNCTIONS_PER_NESTED_STACK
  ) {
    throw new StageValidationError(
      scope,
      `the context ${FUNCTIONS_PER_NESTED_STACK} must be a whole number of functions from 1 to ` +
        `${MOST_FUNCTIONS_PER_NESTED_STACK} (given ${JSON.stringify(given)})`,
    );
  }
  let shards = shardsOf.get(stack);
  if (!shards) {
    shards = { count: 0, made: 0 };
    shardsOf.set(stack, shards);
  }
  if (!shards.current || shards.count >= perStack) {
    shards.made += 1;
    shards.current = new NestedStack(stack, `Functions${shards.made}`);
    shards.count = 0;
  }
  shards.count += 1;
  const below = scope === stack ? [] : scope.node.path.split('/').slice(stack.node.path.split('/').length);
  return [shards.current, [...below, id].join('-')];
}

/** The top-level stack a construct is in, through any nested stacks. */
export function topLevelStack(scope: Construct): Stack {
  let stack = Stack.of(scope);
  while (stack.nestedStackParent) stack = stack.nestedStackParent;
  return stack;
}
