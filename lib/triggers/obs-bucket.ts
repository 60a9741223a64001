import { createHash } from 'crypto';
import { Aws, Duration, Fn } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  BucketProps,
  CfnBucket,
  IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { StageValidationError } from '../errors';
import { stackSingleton } from '../stack-singleton';

/** The id of the bucket that keeps the server access logs of a stack's OBS buckets. */
export const SHARED_ACCESS_LOGS_BUCKET_ID = 'StageAccessLogs';
/** How long the shared access-log bucket keeps a log object. */
export const ACCESS_LOGS_EXPIRATION = Duration.days(30);

/**
 * Properties of an {@link ObsBucket}: those of a `Bucket`, with secure defaults where a `Bucket` has none.
 */
export interface ObsBucketProps extends BucketProps {
  /**
   * Refuse requests without TLS: a bucket policy denies `s3:*` when `aws:SecureTransport` is false.
   * @default true
   */
  readonly enforceSSL?: boolean;
  /**
   * Which public access S3 blocks.
   * @default BlockPublicAccess.BLOCK_ALL
   */
  readonly blockPublicAccess?: BlockPublicAccess;
  /**
   * Server-side encryption of the objects.
   * @default BucketEncryption.S3_MANAGED - SSE-S3, free and transparent to every reader with access
   */
  readonly encryption?: BucketEncryption;
  /**
   * Keep S3 server access logs (one line per request: who, what, when, the result) in another bucket.
   * @default true
   */
  readonly serverAccessLogging?: boolean;
  /**
   * The bucket that keeps the server access logs, when `serverAccessLogging` is on.
   * @default - one bucket shared by the OBS buckets of the stack, `StageAccessLogs` (SSE-S3, TLS only, no
   * public access, each log object kept 30 days, retained when the stack is deleted), under the prefix
   * `<id>-<hash>/`
   */
  readonly serverAccessLogsBucket?: IBucket;
}

/**
 * An OBS bucket (S3) whose name is known without referring to the bucket resource: the name you
 * give, or `<id>-<hash of the path>-<account>-<region>`. OBS triggers need that, because the bucket's
 * notification configuration must wait for the function's permission, and the permission names the
 * bucket: with a plain generated name the two would refer to each other. `bucketName` and
 * `bucketArn` are plain strings too, so functions can use them in their environment and grants.
 *
 * Secure by default: TLS only, no public access, SSE-S3 encryption and server access logs.
 */
export class ObsBucket extends Bucket {
  /** The name of the bucket, as a string that refers to no resource (it may hold the account and region). */
  public readonly obsBucketName: string;

  constructor(scope: Construct, id: string, props: ObsBucketProps = {}) {
    const { serverAccessLogging, ...bucketProps } = props;
    const slug = pathSlug(scope, id);
    const name = props.bucketName ?? Fn.join('-', [slug, Aws.ACCOUNT_ID, Aws.REGION]);
    const { serverAccessLogsBucket, serverAccessLogsPrefix, ...ownProps } = bucketProps;
    super(scope, id, {
      ...ownProps,
      bucketName: name,
      enforceSSL: props.enforceSSL ?? true,
      blockPublicAccess: props.blockPublicAccess ?? BlockPublicAccess.BLOCK_ALL,
      encryption: props.encryption ?? (props.encryptionKey ? undefined : BucketEncryption.S3_MANAGED),
    });
    this.obsBucketName = name;
    // Name and ARN as plain strings, not references to the bucket resource: a function may use them
    // (environment, grants) while the bucket itself waits for that function's permission.
    Object.defineProperty(this, 'bucketName', { value: name });
    Object.defineProperty(this, 'bucketArn', { value: `arn:${Aws.PARTITION}:s3:::${name}` });
    if (serverAccessLogging ?? true) {
      this.logTo(serverAccessLogsBucket ?? sharedAccessLogsBucket(scope), serverAccessLogsPrefix ?? `${slug}/`);
    } else if (serverAccessLogsBucket || serverAccessLogsPrefix !== undefined) {
      throw new StageValidationError(
        this,
        'serverAccessLogging is false but serverAccessLogsBucket or serverAccessLogsPrefix is given: choose one',
      );
    }
  }

  /**
   * Delivers the server access logs to a bucket, allowed by that bucket's policy when it is in this
   * stack (whatever the `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy` flag says).
   */
  private logTo(target: IBucket, prefix: string): void {
    (this.node.defaultChild as CfnBucket).loggingConfiguration = {
      destinationBucketName: target.bucketName,
      logFilePrefix: prefix,
    };
    target.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [target.arnForObjects(`${prefix}*`)],
        conditions: {
          ArnLike: { 'aws:SourceArn': this.bucketArn },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );
  }
}

/** `<id>-<hash of the path>`: 20 + 1 + 8 characters, so that the generated name stays under S3's 63. */
function pathSlug(scope: Construct, id: string): string {
  const slug =
    id
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 20) || 'bucket';
  const hash = createHash('sha256').update(`${scope.node.path}/${id}`).digest('hex').slice(0, 8);
  // With the account (12), the region (up to 14) and two dashes: at most 57 characters.
  return `${slug}-${hash}`;
}

/** The stack's bucket for the server access logs of its OBS buckets, found or created. */
function sharedAccessLogsBucket(scope: Construct): IBucket {
  return stackSingleton<IBucket>(
    scope,
    SHARED_ACCESS_LOGS_BUCKET_ID,
    stack =>
      new Bucket(stack, SHARED_ACCESS_LOGS_BUCKET_ID, {
        enforceSSL: true,
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        // Server access logs can be delivered only to a bucket encrypted with SSE-S3.
        encryption: BucketEncryption.S3_MANAGED,
        objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
        lifecycleRules: [{ expiration: ACCESS_LOGS_EXPIRATION }],
      }),
  );
}
