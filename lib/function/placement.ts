import { createHash } from 'crypto';
import { CfnOutput, CfnParameter, Lazy, NestedStack, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { StageValidationError } from '../errors';
import { MODEL_METADATA } from '../model';

/**
 * The context key of the one opt-in past CloudFormation's 500 resources per stack: into how many nested stacks each
 * stack's functions go. With it set (in `cdk.json` or the App's context), every `StageFunction` the app makes, its
 * role, log group and the resources of its triggers go into a nested stack of its stack, `Functions1` to
 * `Functions<n>`, chosen by a hash of the function's construct path: adding or removing a function moves no other
 * one. References between them and the stack's buckets, topics, queues, APIs and flows become the nested stacks'
 * parameters and outputs.
 */
export const NESTED_FUNCTION_STACKS = 'stagegraph:nestedFunctionStacks';

/** At most this many nested stacks of functions per stack. */
export const MOST_NESTED_FUNCTION_STACKS = 100;

/** CloudFormation's limits on one template's parameters and outputs. */
export const MOST_TEMPLATE_PARAMETERS = 200;
export const MOST_TEMPLATE_OUTPUTS = 200;

/** Per stack: its nested stacks of functions by index, and each nested function's id there -> its construct path. */
interface Placements {
  readonly nested: Map<number, NestedStack>;
  readonly paths: Map<string, { readonly pathBelow: string; readonly index: number }>;
}
const placementsOf = new WeakMap<Stack, Placements>();
let keepInPlace = false;

/** Makes stagegraph's own functions (a flow's starter, the billing meter) where they are asked for: never nested. */
export function inPlace<T>(make: () => T): T {
  const before = keepInPlace;
  keepInPlace = true;
  try {
    return make();
  } finally {
    keepInPlace = before;
  }
}

/**
 * Where a function made at `scope` with `id` is placed: there, or, when its stack opted in with
 * {@link NESTED_FUNCTION_STACKS}, in the nested stack its construct path hashes to, with an id that keeps the path
 * below the stack (`Api/Handler` becomes `Api.Handler`).
 */
export function functionPlacement(scope: Construct, id: string): [Construct, string] {
  const stack = Stack.of(scope);
  const given: unknown = stack.node.tryGetContext(NESTED_FUNCTION_STACKS);
  if (given === undefined || stack.nested || keepInPlace) return [scope, id];
  const count = typeof given === 'string' ? Number(given) : given;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MOST_NESTED_FUNCTION_STACKS) {
    throw new StageValidationError(
      scope,
      `the context ${NESTED_FUNCTION_STACKS} must be a whole number of nested stacks from 1 to ` +
        `${MOST_NESTED_FUNCTION_STACKS} (given ${JSON.stringify(given)})`,
    );
  }
  const below = scope === stack ? [] : scope.node.path.split('/').slice(stack.node.path.split('/').length);
  const path = [...below, id];
  const pathBelow = path.join('/');
  const placedId = path.join('.');
  let placements = placementsOf.get(stack);
  if (!placements) {
    placements = { nested: new Map(), paths: new Map() };
    placementsOf.set(stack, placements);
  }
  const other = placements.paths.get(placedId)?.pathBelow;
  if (other !== undefined && other !== pathBelow) {
    // `Api/Handler` and `Api.Handler` would both be `Api.Handler` below the stack: functions are found by that id.
    throw new StageValidationError(
      scope,
      `the function ${id} would be ${placedId} in a nested stack of functions, as ${stack.node.path}/${other} is: ` +
        `rename one (construct ids with dots collide with construct paths once nested)`,
    );
  }
  const index = createHash('sha256').update(pathBelow).digest().readUInt32BE(0) % count;
  placements.paths.set(placedId, { pathBelow, index });
  let target = placements.nested.get(index);
  if (!target) {
    const made = new NestedStack(stack, `Functions${index + 1}`);
    // References to the stack's resources become the nested stack's parameters (and the other way, outputs):
    // counted once they exist (after the app is prepared, when the tree is validated), before CloudFormation
    // refuses the template at deploy.
    made.node.addValidation({ validate: () => templateLimitErrors(made, count) });
    // For renderers of other targets, which leave this AWS-only level out of the paths they read: the nested
    // stack, and the path below the stack each of its functions' ids stands for.
    const { paths } = placements;
    made.node.addMetadata(
      MODEL_METADATA,
      Lazy.any({
        produce: () => ({
          functionStack: {
            path: made.node.path,
            functions: Object.fromEntries(
              [...paths].filter(([, placed]) => placed.index === index).map(([id, placed]) => [id, placed.pathBelow]),
            ),
          },
        }),
      }),
    );
    target = made;
    placements.nested.set(index, target);
  }
  return [target, placedId];
}

/** What a nested stack of functions has past CloudFormation's limits on parameters and outputs. */
function templateLimitErrors(nested: NestedStack, count: number): string[] {
  const own = nested.node.findAll().filter(c => Stack.of(c) === nested);
  const counted: Array<[string, number, number]> = [
    ['parameters', own.filter(c => c instanceof CfnParameter).length, MOST_TEMPLATE_PARAMETERS],
    ['outputs', own.filter(c => c instanceof CfnOutput).length, MOST_TEMPLATE_OUTPUTS],
  ];
  return counted
    .filter(([, n, most]) => n > most)
    .map(
      ([what, n, most]) =>
        `this nested stack of functions has ${n} ${what}, and CloudFormation allows ${most} per template: ` +
        `spread the functions over more nested stacks (the context ${NESTED_FUNCTION_STACKS} is ${count}, ` +
        `at most ${MOST_NESTED_FUNCTION_STACKS})`,
    );
}
