import { CfnResource, Fn, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { acceptNagFindings } from '../../lib';
import { statementFindingsOf } from '../../lib/nag-metadata';
import { unbuiltStack } from '../helpers';

describe('acceptNagFindings', () => {
  test("writes cdk-nag's metadata on every resource below the construct, keeping what is there", () => {
    // GIVEN a queue that refuses requests without TLS: the queue and its policy, two resources
    const stack = unbuiltStack();
    const queue = new Queue(stack, 'Inbox', { enforceSSL: true });
    acceptNagFindings(queue, [{ id: 'AwsSolutions-SQS3', reason: 'read by people, never redriven' }]);

    // WHEN
    acceptNagFindings(queue, [
      { id: 'AwsSolutions-SQS3', reason: 'read by people, never redriven' },
      {
        id: 'AwsSolutions-IAM5',
        reason: 'a wildcard of the test',
        appliesTo: ['Resource::*', { regex: '/^Action::s3:.*$/' }],
      },
    ]);

    // THEN the same rule once, the new one with cdk-nag's applies_to, on both resources
    const expected = {
      rules_to_suppress: [
        { id: 'AwsSolutions-SQS3', reason: 'read by people, never redriven' },
        {
          id: 'AwsSolutions-IAM5',
          reason: 'a wildcard of the test',
          applies_to: ['Resource::*', { regex: '/^Action::s3:.*$/' }],
        },
      ],
    };
    const template = Template.fromStack(stack);
    template.hasResource('AWS::SQS::Queue', { Metadata: { cdk_nag: expected } });
    template.hasResource('AWS::SQS::QueuePolicy', { Metadata: { cdk_nag: expected } });
  });
});

describe('acceptNagFindings for cdk-nag 3', () => {
  test('a regular expression (with flags) becomes the exact findings it matches, written as cdk-nag writes them', () => {
    const stack = unbuiltStack();
    const role = new Role(stack, 'Reader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    new Bucket(stack, 'Files').grantRead(role);
    acceptNagFindings(role, [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'reads every object of its own bucket',
        appliesTo: [{ regex: '/^(Action::s3:.*\\*|Resource::<Files.*\\.Arn>\\/\\*)$/g' }],
      },
    ]);
    Template.fromStack(stack);

    const policy = role.node
      .findAll()
      .filter(CfnResource.isCfnResource)
      .find(r => r.cfnResourceType === 'AWS::IAM::Policy')!;
    const acknowledged = policy.node.metadata
      .filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap(m => Object.keys(m.data as object));
    expect(acknowledged).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/AwsSolutions-IAM5\[Action::s3:GetObject\*\]$/),
        expect.stringMatching(/AwsSolutions-IAM5\[Resource::<Files[0-9A-F]+\.Arn>\/\*\]$/),
      ]),
    );
  });
});

describe('statementFindingsOf', () => {
  test("writes each resource and action as cdk-nag's own flattening does, whatever intrinsic it is", () => {
    const stack = unbuiltStack();
    const queue = new Queue(stack, 'Queue');
    const resources = [
      'arn:aws:s3:::literal/*',
      Fn.sub('arn:${AWS::Partition}:s3:::${Name}/*', { Name: 'named' }),
      Fn.importValue('Exported'),
      queue.queueArn,
      stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: 'a}b${c' }),
      Fn.select(0, Fn.split(',', 'x,y')),
    ];
    const statement = new PolicyStatement({ actions: ['s3:Get*'], resources });

    const expected = [
      'Action::s3:Get*',
      ...(stack.resolve(resources) as unknown[]).map(resolved => `Resource::${flattenCfnReference(resolved)}`),
    ];
    expect(statementFindingsOf(stack, [statement])).toEqual(expected);
    expect(expected).toContain('Resource::Exported');
    expect(expected).toContain(
      'Resource::<QueueXXXX.Arn>'.replace('QueueXXXX', stack.getLogicalId(queue.node.defaultChild as CfnResource)),
    );
  });
});
