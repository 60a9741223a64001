import { createHash } from 'crypto';
import { Aws, Fn } from 'aws-cdk-lib';
import { Bucket, BucketProps } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * An OBS bucket (S3) whose name is known without referring to the bucket resource: the name you
 * give, or `<id>-<hash of the path>-<account>-<region>`. OBS triggers need that, because the bucket's
 * notification configuration must wait for the function's permission, and the permission names the
 * bucket: with a plain generated name the two would refer to each other. `bucketName` and
 * `bucketArn` are plain strings too, so functions can use them in their environment and grants.
 */
export class ObsBucket extends Bucket {
  /** The name of the bucket, as a string that refers to no resource (it may hold the account and region). */
  public readonly obsBucketName: string;

  constructor(scope: Construct, id: string, props: BucketProps = {}) {
    const name = props.bucketName ?? generatedName(scope, id);
    super(scope, id, { ...props, bucketName: name });
    this.obsBucketName = name;
    // Name and ARN as plain strings, not references to the bucket resource: a function may use them
    // (environment, grants) while the bucket itself waits for that function's permission.
    Object.defineProperty(this, 'bucketName', { value: name });
    Object.defineProperty(this, 'bucketArn', { value: `arn:${Aws.PARTITION}:s3:::${name}` });
  }
}

function generatedName(scope: Construct, id: string): string {
  const slug = id.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 20) || 'bucket';
  const hash = createHash('sha256').update(`${scope.node.path}/${id}`).digest('hex').slice(0, 8);
  // 20 + 1 + 8 + 1 + 12 + 1 + up to 14 (region) = at most 57 characters: under S3's 63.
  return Fn.join('-', [`${slug}-${hash}`, Aws.ACCOUNT_ID, Aws.REGION]);
}
