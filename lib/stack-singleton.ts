import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A resource that the constructs of a stack share (the dead-letter queue, the HTTP API): found by its
 * id at the top of the stack, or created there. The id is part of the public contract.
 */
export function stackSingleton<T extends IConstruct>(scope: IConstruct, id: string, create: (stack: Stack) => T): T {
  const stack = Stack.of(scope);
  return (stack.node.tryFindChild(id) as T | undefined) ?? create(stack);
}
