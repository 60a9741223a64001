import { Aws, Lazy, Stack, Token } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnPermission } from 'aws-cdk-lib/aws-lambda';
import { Bucket, CfnBucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { StageValidationError, TriggerValidationError } from '../errors';
import { ObsBucket } from './obs-bucket';
import type { ITrigger, ITriggerTarget } from '../function/trigger';
import { triggerId } from './private/trigger-id';
import { recordTrigger } from './private/record-trigger';

/** The object events an OBS trigger reacts to. */
export enum ObsEvent {
  /** Any object created: put, post, copy, completed multipart upload. */
  OBJECT_CREATED = 's3:ObjectCreated:*',
  OBJECT_CREATED_PUT = 's3:ObjectCreated:Put',
  OBJECT_CREATED_POST = 's3:ObjectCreated:Post',
  OBJECT_CREATED_COPY = 's3:ObjectCreated:Copy',
  OBJECT_CREATED_COMPLETE_MULTIPART_UPLOAD = 's3:ObjectCreated:CompleteMultipartUpload',
  /** Any object removed. */
  OBJECT_REMOVED = 's3:ObjectRemoved:*',
  OBJECT_REMOVED_DELETE = 's3:ObjectRemoved:Delete',
  OBJECT_REMOVED_DELETE_MARKER_CREATED = 's3:ObjectRemoved:DeleteMarkerCreated',
}

/** Options of an {@link ObsTrigger}. */
export interface ObsTriggerProps {
  /**
   * The events that invoke the function.
   * @default [ObsEvent.OBJECT_CREATED]
   */
  readonly events?: ObsEvent[];
  /**
   * Only keys that start with this, e.g. `uploads/`.
   * @default - any key
   */
  readonly prefix?: string;
  /**
   * Only keys that end with this, e.g. `.jpg`.
   * @default - any key
   */
  readonly suffix?: string;
}

interface Registered {
  readonly event: ObsEvent;
  readonly prefix: string;
  readonly suffix: string;
  readonly functionArn: string;
  readonly functionPath: string;
}

/** The notifications of each bucket, collected from every trigger and rendered once. */
const notifications = new WeakMap<CfnBucket, Registered[]>();

/**
 * OBS trigger: objects created or removed in a bucket invoke the function (asynchronously, so the
 * function's retries and dead-letter queue apply).
 *
 * Configured natively in CloudFormation, on the bucket's NotificationConfiguration, with no custom
 * resource: the bucket waits for the function's permission, and the permission names the bucket by
 * a name that refers to no resource, so there is no dependency cycle. The bucket must therefore be an
 * {@link ObsBucket}, or a `Bucket` of this app with an explicit `bucketName`.
 *
 * Two triggers on one bucket whose filters overlap for the same event are rejected at synth time
 * (S3 would refuse them at deploy time).
 */
export class ObsTrigger implements ITrigger {
  private readonly events: ObsEvent[];

  constructor(
    private readonly bucket: IBucket,
    private readonly props: ObsTriggerProps = {},
  ) {
    this.events = props.events ?? [ObsEvent.OBJECT_CREATED];
    const name = `ObsTrigger on ${bucket.node.path}`;
    if (this.events.length === 0) {
      throw new TriggerValidationError(name, 'events must name at least one event (given none)');
    }
    for (const [key, value] of [
      ['prefix', props.prefix],
      ['suffix', props.suffix],
    ] as const) {
      if (value !== undefined && !Token.isUnresolved(value) && (value.length === 0 || value.length > 1024)) {
        throw new TriggerValidationError(
          name,
          `${key} must be 1 to 1024 characters (given '${value}'); leave it out for any key`,
        );
      }
    }
  }

  public bind(fn: ITriggerTarget): void {
    const bucket = this.bucket;
    const cfnBucket = bucket instanceof Bucket ? (bucket.node.defaultChild as CfnBucket) : undefined;
    if (!cfnBucket) {
      throw new StageValidationError(
        fn,
        `ObsTrigger needs a bucket defined in this app, to configure its notifications (given ${bucket.node.path}, an imported bucket)`,
      );
    }
    const bucketName = bucket instanceof ObsBucket ? bucket.obsBucketName : cfnBucket.bucketName;
    // A Bucket without a name carries a lazy name that resolves to nothing.
    if (bucketName === undefined || Stack.of(bucket).resolve(bucketName) === undefined) {
      throw new StageValidationError(
        fn,
        `ObsTrigger needs a bucket whose name refers to no resource (given ${bucket.node.path}, named by CloudFormation): ` +
          'create it as an ObsBucket, or give it a bucketName',
      );
    }
    const id = triggerId(fn, 'ObsTrigger', bucket);
    const target = fn.invokeTarget;
    target.addPermission(`${id}Permission`, {
      principal: new ServicePrincipal('s3.amazonaws.com'),
      sourceArn: `arn:${Aws.PARTITION}:s3:::${bucketName}`,
      sourceAccount: Aws.ACCOUNT_ID,
    });
    const permission = target.permissionsNode.tryFindChild(`${id}Permission`) as CfnPermission | undefined;
    if (permission) {
      // S3 checks the permission when it stores the configuration. A permission in another stack (a function in a
      // nested stack) is ordered by the function's ARN the configuration reads from that stack already.
      if (Stack.of(permission) === Stack.of(cfnBucket)) cfnBucket.node.addDependency(permission);
    }
    const entries = this.register(fn, cfnBucket);
    recordTrigger(fn, 'obs', bucket, {
      bucketName,
      events: this.events,
      prefix: this.props.prefix,
      suffix: this.props.suffix,
    });
    entries.push(
      ...this.events.map(event => ({
        event,
        prefix: this.props.prefix ?? '',
        suffix: this.props.suffix ?? '',
        functionArn: target.functionArn,
        functionPath: fn.node.path,
      })),
    );
  }

  /** The bucket's list of notifications, checked against this trigger's filters. */
  private register(fn: ITriggerTarget, cfnBucket: CfnBucket): Registered[] {
    let entries = notifications.get(cfnBucket);
    if (!entries) {
      const list: Registered[] = [];
      entries = list;
      notifications.set(cfnBucket, list);
      cfnBucket.notificationConfiguration = {
        lambdaConfigurations: Lazy.any({
          produce: () =>
            list.map(entry => ({
              event: entry.event,
              function: entry.functionArn,
              filter:
                entry.prefix || entry.suffix
                  ? {
                      s3Key: {
                        rules: [
                          ...(entry.prefix ? [{ name: 'prefix', value: entry.prefix }] : []),
                          ...(entry.suffix ? [{ name: 'suffix', value: entry.suffix }] : []),
                        ],
                      },
                    }
                  : undefined,
            })),
        }) as unknown as CfnBucket.LambdaConfigurationProperty[],
      };
    }
    const prefix = this.props.prefix ?? '';
    const suffix = this.props.suffix ?? '';
    for (const event of this.events) {
      const clash = entries.find(
        e =>
          eventsOverlap(e.event, event) &&
          (e.prefix.startsWith(prefix) || prefix.startsWith(e.prefix)) &&
          (e.suffix.endsWith(suffix) || suffix.endsWith(e.suffix)),
      );
      if (clash) {
        throw new StageValidationError(
          fn,
          `ObsTrigger on ${this.bucket.node.path} overlaps another trigger of that bucket for ${event}: ` +
            `prefix '${prefix}' suffix '${suffix}' (this one) and prefix '${clash.prefix}' suffix '${clash.suffix}' (${clash.functionPath}); ` +
            'allowed: filters that no key can match both',
        );
      }
    }
    return entries;
  }
}

function eventsOverlap(a: ObsEvent, b: ObsEvent): boolean {
  const [familyA, kindA] = a.split(':').slice(1);
  const [familyB, kindB] = b.split(':').slice(1);
  return familyA === familyB && (kindA === '*' || kindB === '*' || kindA === kindB);
}
