import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A cdk-nag finding that a resource accepts, with the reason. Written as the resource's `cdk_nag`
 * metadata, the format cdk-nag's `NagSuppressions` writes and its rule packs read: an app can accept
 * findings without depending on cdk-nag when it runs.
 */
export interface NagAcceptance {
  /** The rule, e.g. `AwsSolutions-IAM5`. */
  readonly id: string;
  /** Why the finding is accepted: at least 10 characters, shown in cdk-nag's reports. */
  readonly reason: string;
  /**
   * The granular findings it covers (e.g. `Resource::*`), or regular expressions written `/.../` in
   * `{ regex }`.
   * @default - every finding of the rule on the resource
   */
  readonly appliesTo?: Array<string | { readonly regex: string }>;
}

/** The metadata key cdk-nag reads suppressions from. */
export const NAG_METADATA_KEY = 'cdk_nag';

interface NagRule {
  readonly id: string;
  readonly reason: string;
  readonly applies_to?: NagAcceptance['appliesTo'];
}

/**
 * Accepts cdk-nag findings on a resource, or on every CloudFormation resource below a construct, with
 * the reason; suppressions already there are kept. The same as cdk-nag's
 * `NagSuppressions.addResourceSuppressions(scope, acceptances, true)`, without importing cdk-nag.
 *
 * @example
 * acceptNagFindings(fn, [{ id: 'AwsSolutions-L1', reason: 'Python 3.11 is what our build machines have' }]);
 */
export function acceptNagFindings(scope: IConstruct, acceptances: NagAcceptance[]): void {
  if (acceptances.length === 0) return;
  const added: NagRule[] = acceptances.map(({ id, reason, appliesTo }) => ({ id, reason, ...(appliesTo ? { applies_to: appliesTo } : {}) }));
  for (const resource of scope.node.findAll().filter(CfnResource.isCfnResource)) {
    const serialized = [...new Set([...rulesOf(resource), ...added].map(rule => JSON.stringify(rule)))];
    resource.addMetadata(NAG_METADATA_KEY, { rules_to_suppress: serialized.map(rule => JSON.parse(rule) as NagRule) });
  }
}

/** Withdraws an acceptance that stagegraph added to a resource, found by its rule and reason. */
export function withdrawNagAcceptance(resource: CfnResource, id: string, reason: string): void {
  const kept = rulesOf(resource).filter(rule => rule.id !== id || rule.reason !== reason);
  if (kept.length > 0) {
    resource.addMetadata(NAG_METADATA_KEY, { rules_to_suppress: kept });
  } else if (resource.cfnOptions.metadata) {
    delete resource.cfnOptions.metadata[NAG_METADATA_KEY];
  }
}

function rulesOf(resource: CfnResource): NagRule[] {
  return (resource.getMetadata(NAG_METADATA_KEY) as { rules_to_suppress?: NagRule[] } | undefined)?.rules_to_suppress ?? [];
}
