import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { ObsBucket } from '../../../lib';
import { unbuiltStack } from '../../helpers';

describe('ObsBucket', () => {
  let stack: Stack;
  beforeEach(() => {
    stack = unbuiltStack();
  });

  test('is named without referring to itself, refuses requests without TLS, blocks public access and encrypts with SSE-S3', () => {
    // GIVEN / WHEN
    const bucket = new ObsBucket(stack, 'Images');

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: {
        'Fn::Join': [
          '-',
          [Match.stringLikeRegexp('^images-[0-9a-f]{8}$'), { Ref: 'AWS::AccountId' }, { Ref: 'AWS::Region' }],
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^Images') },
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ],
      },
    });
    expect(stack.resolve(bucket.bucketArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', expect.anything()]],
    });
  });

  test("keeps server access logs in one bucket of the stack, each bucket under its own prefix, allowed by that bucket's policy", () => {
    new ObsBucket(stack, 'Images');
    new ObsBucket(stack, 'Documents');

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 3);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: {
        DestinationBucketName: { Ref: Match.stringLikeRegexp('^StageAccessLogs') },
        LogFilePrefix: Match.stringLikeRegexp('^images-[0-9a-f]{8}/$'),
      },
    });
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        LifecycleConfiguration: { Rules: [{ ExpirationInDays: 30, Status: 'Enabled' }] },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true }),
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^StageAccessLogs') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:PutObject',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Condition: {
              ArnLike: { 'aws:SourceArn': Match.anyValue() },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          }),
        ]),
      },
    });
  });

  test('every default can be changed: TLS, public access, encryption, the log bucket, or no access logs', () => {
    const logs = new Bucket(stack, 'MyLogs');
    new ObsBucket(stack, 'Open', {
      enforceSSL: false,
      blockPublicAccess: BlockPublicAccess.BLOCK_ACLS,
      encryption: BucketEncryption.KMS_MANAGED,
      serverAccessLogging: false,
    });
    new ObsBucket(stack, 'Logged', { serverAccessLogsBucket: logs, serverAccessLogsPrefix: 'logged/' });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: { 'Fn::Join': ['-', [Match.stringLikeRegexp('^open-'), Match.anyValue(), Match.anyValue()]] },
      LoggingConfiguration: Match.absent(),
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: {
        DestinationBucketName: { Ref: Match.stringLikeRegexp('^MyLogs') },
        LogFilePrefix: 'logged/',
      },
    });
    // No shared log bucket, and only the Logged bucket's TLS policy and MyLogs' delivery policy.
    template.resourceCountIs('AWS::S3::Bucket', 3);
    template.resourceCountIs('AWS::S3::BucketPolicy', 2);
  });

  test('fails if access logging is off but a log bucket is given', () => {
    expect(
      () =>
        new ObsBucket(stack, 'Images', {
          serverAccessLogging: false,
          serverAccessLogsBucket: new Bucket(stack, 'Logs'),
        }),
    ).toThrow(
      'serverAccessLogging is false but serverAccessLogsBucket or serverAccessLogsPrefix is given: choose one in Stack/Images',
    );
  });
});
