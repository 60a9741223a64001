import { Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { acceptNagFindings } from '../../lib';
import { unbuiltStack } from '../helpers';

describe('acceptNagFindings', () => {
  test('writes cdk-nag\'s metadata on every resource below the construct, keeping what is there', () => {
    // GIVEN a queue that refuses requests without TLS: the queue and its policy, two resources
    const stack = unbuiltStack();
    const queue = new Queue(stack, 'Inbox', { enforceSSL: true });
    acceptNagFindings(queue, [{ id: 'AwsSolutions-SQS3', reason: 'read by people, never redriven' }]);

    // WHEN
    acceptNagFindings(queue, [
      { id: 'AwsSolutions-SQS3', reason: 'read by people, never redriven' },
      { id: 'AwsSolutions-IAM5', reason: 'a wildcard of the test', appliesTo: ['Resource::*', { regex: '/^Action::s3:.*$/' }] },
    ]);

    // THEN the same rule once, the new one with cdk-nag's applies_to, on both resources
    const expected = {
      rules_to_suppress: [
        { id: 'AwsSolutions-SQS3', reason: 'read by people, never redriven' },
        { id: 'AwsSolutions-IAM5', reason: 'a wildcard of the test', applies_to: ['Resource::*', { regex: '/^Action::s3:.*$/' }] },
      ],
    };
    const template = Template.fromStack(stack);
    template.hasResource('AWS::SQS::Queue', { Metadata: { cdk_nag: expected } });
    template.hasResource('AWS::SQS::QueuePolicy', { Metadata: { cdk_nag: expected } });
  });
});
