import { Stack } from 'aws-cdk-lib';
import validator from 'asl-validator';
import { FlowNode } from '../../../lib';
import { renderFlow } from '../../../lib/workflow/render';

/** The flow rendered and its tokens resolved: what the state machine's DefinitionString will hold. */
export function aslOf(stack: Stack, node: FlowNode): Record<string, unknown> {
  return stack.resolve(renderFlow(node).definition);
}

/**
 * Throws with asl-validator's messages unless `definition` is a valid state machine. Token values
 * (CloudFormation intrinsics) are replaced by sample ARNs first, as they are at deployment.
 */
export function expectValidAsl(definition: unknown): void {
  const concrete = concretize(definition, '');
  const result = validator(concrete, { checkArn: true, checkPaths: true });
  if (!result.isValid) {
    throw new Error(`asl-validator: ${result.errorsText('; ')}\n${JSON.stringify(concrete, null, 1)}`);
  }
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '111111111111',
  'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * Intrinsics replaced by what they resolve to at deployment: pseudo parameters, joins, and sample ARNs by the field
 * they fill.
 */
function concretize(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return value.map(item => concretize(item, key));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [intrinsic, argument] = entries[0];
    if (intrinsic === 'Fn::Join') {
      const [separator, parts] = argument as [string, unknown[]];
      return parts.map(part => concretize(part, key)).join(separator);
    }
    if (intrinsic === 'Ref' && typeof argument === 'string' && argument in PSEUDO) return PSEUDO[argument];
    if (intrinsic === 'Ref' || intrinsic.startsWith('Fn::')) {
      if (key === 'TopicArn') return 'arn:aws:sns:us-east-1:111111111111:sample';
      if (key === 'StateMachineArn') return 'arn:aws:states:us-east-1:111111111111:stateMachine:sample';
      return 'arn:aws:lambda:us-east-1:111111111111:function:sample';
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, concretize(v, k)]));
}
