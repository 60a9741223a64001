import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * A cdk-nag finding that a resource accepts, with the reason. Recorded both ways cdk-nag reads them, so that an
 * app can accept findings without depending on cdk-nag when it runs: cdk-nag 3 reads CDK's own acknowledgments
 * (`Validations.of(resource).acknowledge`, construct metadata), cdk-nag 2 the resource's `cdk_nag` metadata in
 * the template (what its `NagSuppressions` writes).
 */
export interface NagAcceptance {
  /** The rule, e.g. `AwsSolutions-IAM5`. */
  readonly id: string;
  /** Why the finding is accepted: at least 10 characters, shown in cdk-nag's reports. */
  readonly reason: string;
  /**
   * The granular findings it covers (e.g. `Resource::*`), or regular expressions written `/.../` in
   * `{ regex }` (cdk-nag 2 only: cdk-nag 3 acknowledges exact findings, `Rule[Finding]`).
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
  const added: NagRule[] = acceptances.map(({ id, reason, appliesTo }) => ({
    id,
    reason,
    ...(appliesTo ? { applies_to: appliesTo } : {}),
  }));
  for (const resource of scope.node.findAll().filter(CfnResource.isCfnResource)) {
    const serialized = [...new Set([...rulesOf(resource), ...added].map(rule => JSON.stringify(rule)))];
    resource.addMetadata(NAG_METADATA_KEY, { rules_to_suppress: serialized.map(rule => JSON.parse(rule) as NagRule) });
    for (const { id, reason, appliesTo } of acceptances) {
      if (!appliesTo) {
        Validations.of(resource).acknowledge({ id, reason });
        continue;
      }
      for (const finding of appliesTo) {
        if (typeof finding === 'string') {
          Validations.of(resource).acknowledge({ id: `${id}[${finding}]`, reason });
        } else {
          acknowledgeMatching(resource, id, reason, regexOf(finding.regex));
        }
      }
    }
  }
}

/** A regular expression written as cdk-nag takes it, `/pattern/flags` (a global or sticky flag dropped), or bare. */
function regexOf(text: string): RegExp {
  const match = /^\/(.*)\/([a-z]*)$/s.exec(text);
  return match ? new RegExp(match[1], match[2].replace(/[gy]/g, '')) : new RegExp(text);
}

/**
 * cdk-nag 3 acknowledges exact findings only: a `{ regex }` acceptance is turned into the findings of the resource's
 * policy statements that match it, when the tree is validated (after every aspect and grant, before validation
 * plugins such as cdk-nag 3 run), written as cdk-nag writes findings (`Action::s3:Get*`,
 * `Resource::arn:<AWS::Partition>:...`, `<Bucket.Arn>`, any other intrinsic as JSON).
 */
function acknowledgeMatching(resource: CfnResource, id: string, reason: string, pattern: RegExp): void {
  resource.node.addValidation({
    validate: () => {
      const template = Stack.of(resource).resolve(
        (resource as unknown as { _toCloudFormation(): unknown })._toCloudFormation(),
      );
      for (const finding of new Set(statementFindings(template))) {
        if (pattern.test(finding)) Validations.of(resource).acknowledge({ id: `${id}[${finding}]`, reason });
      }
      return [];
    },
  });
}

/**
 * The findings cdk-nag reports of policy statements, `Action::...` and `Resource::...`, resolved in the scope's stack
 * and written as cdk-nag writes them: an acceptance of exactly these costs nothing at validation, where a `{ regex }`
 * one resolves its whole resource (about 1 ms a function role).
 */
export function statementFindingsOf(scope: IConstruct, statements: readonly PolicyStatement[]): string[] {
  const resolved: unknown = Stack.of(scope).resolve(statements.map(statement => statement.toStatementJson()));
  return [...new Set(statementFindings(resolved))];
}

/** `Action::...` and `Resource::...` of every policy statement in a resolved template fragment. */
function statementFindings(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(statementFindings);
  if (!value || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  const own =
    'Effect' in record
      ? (
          [
            ['Action', record.Action],
            ['Resource', record.Resource],
          ] as Array<[string, unknown]>
        ).flatMap(([kind, items]) =>
          (Array.isArray(items) ? items : items === undefined ? [] : [items]).map(item => `${kind}::${flatten(item)}`),
        )
      : [];
  return [...own, ...Object.values(record).flatMap(statementFindings)];
}

/**
 * A resolved value as one string, as cdk-nag writes it (its `flattenCfnReference`): `${` and `}` in a string as `<` and
 * `>`, a reference as `<Name>` (`<AWS::Region>` too), an attribute as `<Name.Attribute>`, joins joined, a `Fn::Sub` or
 * `Fn::ImportValue` as its argument flattened, other intrinsics as JSON.
 */
function flatten(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const record = (value ?? {}) as Record<string, unknown>;
  if (record['Fn::Join']) {
    const [delimiter, items] = record['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  if (record['Fn::Sub']) return flatten(record['Fn::Sub']);
  if (record['Fn::GetAtt']) {
    const [name, attribute] = record['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(name)}.${flatten(attribute)}>`;
  }
  if (record['Fn::ImportValue']) return flatten(record['Fn::ImportValue']);
  if (record.Ref) return `<${flatten(record.Ref)}>`;
  return JSON.stringify(value);
}

function rulesOf(resource: CfnResource): NagRule[] {
  return (
    (resource.getMetadata(NAG_METADATA_KEY) as { rules_to_suppress?: NagRule[] } | undefined)?.rules_to_suppress ?? []
  );
}
