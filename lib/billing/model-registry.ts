import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { BillingModel } from './billing-model';

/** The billing model a stack's meter applies to a function (registered by BillingMeter, read by StageFunction). */
const resolvers = new WeakMap<Stack, (fn: IConstruct) => BillingModel>();

export function registerModelResolver(stack: Stack, resolve: (fn: IConstruct) => BillingModel): void {
  resolvers.set(stack, resolve);
}

export function meteredModelOf(fn: IConstruct): BillingModel | undefined {
  return resolvers.get(Stack.of(fn))?.(fn);
}
