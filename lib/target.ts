import { IConstruct } from 'constructs';

/** The context key that names the target an app is synthesized for (`stagegraph synth --target huawei` sets it). */
export const TARGET_CONTEXT = 'stagegraph:target';

/** Where an app is synthesized for: a closed set. */
export enum DeployTarget {
  /** CloudFormation on AWS or the local cloud. */
  AWS = 'aws',
  /** CloudFormation, plus Terraform JSON and FunctionGraph workflows for Huawei Cloud. */
  HUAWEI = 'huawei',
}

/**
 * The target the app of `scope` is synthesized for, from the `stagegraph:target` context: an app can choose what
 * differs, e.g. a runtime FunctionGraph offers.
 * @example
 * const runtime = deployTargetOf(app) === DeployTarget.HUAWEI ? Runtime.NODEJS_18_X : Runtime.NODEJS_22_X;
 */
export function deployTargetOf(scope: IConstruct): DeployTarget {
  return scope.node.tryGetContext(TARGET_CONTEXT) === DeployTarget.HUAWEI ? DeployTarget.HUAWEI : DeployTarget.AWS;
}

/**
 * The context an app is synthesized with for `target`: `stagegraph:target` set for Huawei Cloud, nothing for AWS (the
 * default). `synth --target` and `cost --target` both use it, so an app's choices by target apply to both.
 */
export function targetContext(target: DeployTarget): Record<string, string> {
  return target === DeployTarget.HUAWEI ? { [TARGET_CONTEXT]: DeployTarget.HUAWEI } : {};
}
