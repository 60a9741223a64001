import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { localClientConfig } from '../../lib/local/endpoint';

/**
 * The physical ids of a deployed stack's resources, by logical id without CDK's hash suffix
 * (`Readings`, `StageHttpApi`), as the integration tests and benchmarks look them up.
 */
export async function physicalIds(stackName: string): Promise<Record<string, string>> {
  const cloudformation = new CloudFormationClient(localClientConfig());
  try {
    const { StackResources } = await cloudformation.send(new DescribeStackResourcesCommand({ StackName: stackName }));
    return Object.fromEntries(
      (StackResources ?? []).map(r => [
        (r.LogicalResourceId ?? '').replace(/[0-9A-F]{8}$/, ''),
        r.PhysicalResourceId ?? '',
      ]),
    );
  } finally {
    cloudformation.destroy();
  }
}
