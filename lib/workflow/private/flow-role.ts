import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NagAcceptance } from '../../nag-metadata';
import type { AslStates } from '../asl';
import { innerScopes } from '../check';

/**
 * The wildcards AWS imposes on a flow's role, accepted for cdk-nag with the reason: log delivery and
 * X-Ray actions take only Resource *, and a subflow's executions are named at run time.
 */
export function wildcardsOfAws(logging: boolean, tracing: boolean, subflows: boolean): NagAcceptance[] {
  const star = [
    ...(logging
      ? [
          'log delivery (logs:CreateLogDelivery and the other *LogDelivery actions, logs:PutResourcePolicy, logs:DescribeResourcePolicies, logs:DescribeLogGroups)',
        ]
      : []),
    ...(tracing
      ? ['X-Ray (xray:PutTraceSegments, xray:PutTelemetryRecords, xray:GetSamplingRules, xray:GetSamplingTargets)']
      : []),
  ];
  return [
    ...(star.length > 0
      ? [
          {
            id: 'AwsSolutions-IAM5',
            reason: `Step Functions ${star.join(' and ')} support only Resource *`,
            appliesTo: ['Resource::*'],
          },
        ]
      : []),
    ...(subflows
      ? [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              'A subflow node describes and stops the executions it starts, whose names are made at run time: execution:<subflow name>:*',
            appliesTo: [
              {
                regex:
                  '/^Resource::arn:(<AWS::Partition>|[^:<]+):states:(<AWS::Region>|[^:<]+):(<AWS::AccountId>|[^:<]+):execution:.+:\\*$/',
              },
            ],
          },
        ]
      : []),
  ];
}

/** The states of a definition, those inside parallel branches and loop bodies included. */
export function countStates(scope: AslStates): number {
  return Object.values(scope.States).reduce(
    (sum, state) => sum + 1 + innerScopes(state).reduce((inner, branch) => inner + countStates(branch), 0),
    0,
  );
}

/** One statement per set of actions, with the resources of every node that needs them. */
export function mergeStatements(statements: PolicyStatement[]): PolicyStatement[] {
  const byActions = new Map<string, { actions: string[]; resources: string[] }>();
  for (const statement of statements) {
    const json = statement.toStatementJson() as { Action: string | string[]; Resource: string | string[] };
    const actions = ([] as string[]).concat(json.Action);
    const key = [...actions].sort().join(',');
    const entry = byActions.get(key) ?? { actions, resources: [] };
    for (const resource of ([] as string[]).concat(json.Resource)) {
      if (!entry.resources.includes(resource)) {
        entry.resources.push(resource);
      }
    }
    byActions.set(key, entry);
  }
  return [...byActions.values()].map(({ actions, resources }) => new PolicyStatement({ actions, resources }));
}
