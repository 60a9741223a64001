import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The top-level stack a construct is in, through any nested stacks (the nested stacks of functions that
 * `stagegraph:nestedFunctionStacks` makes share their stack's singletons, meter and HTTP API).
 */
export function topLevelStack(scope: IConstruct): Stack {
  let stack = Stack.of(scope);
  while (stack.nestedStackParent) stack = stack.nestedStackParent;
  return stack;
}

/**
 * A resource that the constructs of a stack share (the dead-letter queue, the HTTP API): found by its
 * id at the top of the stack, or created there. The id is part of the public contract.
 */
export function stackSingleton<T extends IConstruct>(scope: IConstruct, id: string, create: (stack: Stack) => T): T {
  const stack = topLevelStack(scope);
  return (stack.node.tryFindChild(id) as T | undefined) ?? create(stack);
}
