import type { CloudFormationClient, StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { cloudFormationSdk } from '../aws-sdk';
import { LocalCloudError } from '../errors';
import { isUnreachable } from '../local/endpoint';

/** Where a resource of the app is: its top-level stack, the nested stacks down to its own, and its logical id. */
export interface ResourceLocation {
  /** The top-level stack's name. */
  readonly stack: string;
  /** The logical ids of the nested stack resources from the top-level stack down to the resource's stack. */
  readonly nested?: readonly string[];
  readonly logicalId: string;
}

/** One key per resource of the app: `Stack/NestedLogicalId/.../LogicalId`. */
export function resourceKey(location: ResourceLocation): string {
  return [location.stack, ...(location.nested ?? []), location.logicalId].join('/');
}

/** The name (an ARN for a nested stack) of the deployed stack that holds a resource. */
export async function deployedStackOf(
  cloudformation: CloudFormationClient,
  location: Pick<ResourceLocation, 'stack' | 'nested'>,
): Promise<string> {
  let name = location.stack;
  for (const logicalId of location.nested ?? []) {
    const { StackResourceDetail } = await cloudformation.send(
      new (cloudFormationSdk().DescribeStackResourceCommand)({ StackName: name, LogicalResourceId: logicalId }),
    );
    const id = StackResourceDetail?.PhysicalResourceId;
    if (!id) throw new LocalCloudError(`the nested stack ${logicalId} of ${name} is not deployed`, 4);
    name = id;
  }
  return name;
}

/** The physical id of a deployed resource, found through its nested stacks; undefined when it has none yet. */
export async function physicalIdAt(
  cloudformation: CloudFormationClient,
  location: ResourceLocation,
): Promise<string | undefined> {
  const { StackResourceDetail } = await cloudformation.send(
    new (cloudFormationSdk().DescribeStackResourceCommand)({
      StackName: await deployedStackOf(cloudformation, location),
      LogicalResourceId: location.logicalId,
    }),
  );
  return StackResourceDetail?.PhysicalResourceId;
}

const NESTED_STACK = 'AWS::CloudFormation::Stack';

/**
 * The physical id of every deployed resource of the given stacks and of their nested stacks, by {@link resourceKey};
 * a stack that is not deployed has none.
 */
export async function deployedResourceIds(
  stacks: readonly string[],
  cloudformation: CloudFormationClient,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const visit = async (stack: string, deployedName: string, nested: readonly string[]): Promise<void> => {
    // ListStackResources pages through every resource (DescribeStackResources answers at most 100 on AWS).
    const resources: StackResourceSummary[] = [];
    const { paginateListStackResources } = cloudFormationSdk();
    try {
      for await (const page of paginateListStackResources({ client: cloudformation }, { StackName: deployedName })) {
        resources.push(...(page.StackResourceSummaries ?? []));
      }
    } catch (error) {
      // A stack not deployed has no resources; a local cloud that does not answer is an error of its own.
      if (isUnreachable(error)) throw error;
    }
    await Promise.all(
      resources.map(async resource => {
        if (!resource.LogicalResourceId || !resource.PhysicalResourceId) return;
        ids.set(resourceKey({ stack, nested, logicalId: resource.LogicalResourceId }), resource.PhysicalResourceId);
        if (resource.ResourceType === NESTED_STACK) {
          await visit(stack, resource.PhysicalResourceId, [...nested, resource.LogicalResourceId]);
        }
      }),
    );
  };
  await Promise.all(stacks.map(stack => visit(stack, stack, [])));
  return ids;
}
