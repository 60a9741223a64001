import { Aws, Fn, Lazy, Stack, Token } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnFunction, CfnPermission, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IAlias, IFunction } from 'aws-cdk-lib/aws-lambda';
import { Bucket, CfnBucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { StageValidationError, TriggerValidationError } from '../errors';
import { ObsBucket } from './obs-bucket';
import type { ITrigger, ITriggerTarget } from '../function/trigger';
import { triggerId } from './private/trigger-id';
import { recordTrigger } from './private/record-trigger';
import { topLevelStack } from '../stack-singleton';

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
  /** The event's family and kind (`ObjectCreated`, `Put` or `*`), split once: every later trigger compares them. */
  readonly family: string;
  readonly kind: string;
  readonly prefix: string;
  readonly suffix: string;
  readonly functionArn: string;
  readonly functionPath: string;
}

/**
 * A bucket's notifications, collected from every trigger and rendered once, found by prefix: two filters can match
 * one key only when one prefix starts the other, so a new trigger is checked against those alone (the prefixes that
 * start it, and the sorted run of prefixes it starts), not against every trigger of the bucket.
 */
export class BucketNotifications {
  public readonly list: Registered[] = [];
  private readonly byPrefix = new Map<string, Registered[]>();
  /** The distinct prefixes, sorted. */
  private readonly prefixes: string[] = [];

  public add(entry: Registered): void {
    this.list.push(entry);
    const same = this.byPrefix.get(entry.prefix);
    if (same) {
      same.push(entry);
      return;
    }
    this.byPrefix.set(entry.prefix, [entry]);
    this.prefixes.splice(this.firstAtOrAfter(entry.prefix), 0, entry.prefix);
  }

  /** A registered notification some key and event could match together with this filter, if any. */
  public clash(filter: Pick<Registered, 'family' | 'kind' | 'prefix' | 'suffix'>): Registered | undefined {
    const { family, kind, prefix, suffix } = filter;
    const overlaps = (e: Registered) =>
      e.family === family &&
      (e.kind === '*' || kind === '*' || e.kind === kind) &&
      (e.suffix.endsWith(suffix) || suffix.endsWith(e.suffix));
    // The prefixes shorter than this one that start it; then this one and those it starts, a sorted run.
    for (let length = 0; length < prefix.length; length++) {
      const found = this.byPrefix.get(prefix.slice(0, length))?.find(overlaps);
      if (found) return found;
    }
    for (let i = this.firstAtOrAfter(prefix); i < this.prefixes.length && this.prefixes[i].startsWith(prefix); i++) {
      const found = this.byPrefix.get(this.prefixes[i])?.find(overlaps);
      if (found) return found;
    }
    return undefined;
  }

  private firstAtOrAfter(prefix: string): number {
    let low = 0;
    let high = this.prefixes.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.prefixes[middle] < prefix) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

const notifications = new WeakMap<CfnBucket, BucketNotifications>();

/**
 * OBS trigger: objects created or removed in a bucket invoke the function (asynchronously, so the
 * function's retries and dead-letter queue apply).
 *
 * Configured natively in CloudFormation, on the bucket's NotificationConfiguration, with no custom
 * resource: the bucket waits for the function's permission, and the permission names the bucket by
 * a name that refers to no resource, so there is no dependency cycle. The bucket must therefore be an
 * {@link ObsBucket}, or a `Bucket` of this app with an explicit `bucketName`. The configuration names
 * the function by an ARN written from its name where that is known (pseudo parameters only), not by a
 * reference: CDK's template validation takes about half the time over such a list.
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
    const byName = arnOfName(target, cfnBucket);
    if (permission && (Stack.of(permission) === Stack.of(cfnBucket) || byName !== undefined)) {
      // S3 checks the permission when it stores the configuration. For a permission of a nested stack of functions,
      // CDK makes the bucket depend on that nested stack (as the function's Fn::GetAtt from it would).
      cfnBucket.node.addDependency(permission);
    }
    this.register(
      fn,
      cfnBucket,
      this.events.map(event => ({
        event,
        ...familyAndKind(event),
        prefix: this.props.prefix ?? '',
        suffix: this.props.suffix ?? '',
        functionArn: byName ?? target.functionArn,
        functionPath: fn.node.path,
      })),
    );
    recordTrigger(fn, 'obs', bucket, {
      bucketName,
      events: this.events,
      prefix: this.props.prefix,
      suffix: this.props.suffix,
    });
  }

  /** Adds this trigger's notifications to its bucket's, after checking them against those already there. */
  private register(fn: ITriggerTarget, cfnBucket: CfnBucket, entries: Registered[]): void {
    let registered = notifications.get(cfnBucket);
    if (!registered) {
      registered = new BucketNotifications();
      const list = registered.list;
      notifications.set(cfnBucket, registered);
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
    for (const entry of entries) {
      const clash = registered.clash(entry);
      if (clash) {
        throw new StageValidationError(
          fn,
          `ObsTrigger on ${this.bucket.node.path} overlaps another trigger of that bucket for ${entry.event}: ` +
            `prefix '${entry.prefix}' suffix '${entry.suffix}' (this one) and prefix '${clash.prefix}' suffix '${clash.suffix}' (${clash.functionPath}); ` +
            'allowed: filters that no key can match both',
        );
      }
    }
    entries.forEach(entry => registered.add(entry));
  }
}

/** `s3:ObjectCreated:Put` -> `ObjectCreated`, `Put` (one family overlaps when a kind is `*` or both are one). */
function familyAndKind(event: ObsEvent): { family: string; kind: string } {
  const [family, kind] = event.split(':').slice(1);
  return { family, kind };
}

/**
 * The ARN the bucket's configuration names a function by, written from the function's name where that is known at
 * synth: `arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:<name>[:<alias>]`, one `Fn::Sub` of
 * pseudo parameters, the same ARN as the function's `Fn::GetAtt`. CDK's template validation copies a resource's
 * properties at each node it checks (time about quadratic in a bucket's notification entries, whatever they hold) and
 * also walks the resource's references there; with no reference in the entries, it validates a 50-entry list in about
 * half the time. Undefined, for the function's own ARN, when the name is a token, the target is neither a function
 * nor an alias of one, or the target or its function is in another top-level stack than the bucket (whose region and
 * account the pseudo parameters would be). The name is read again when the template is written: a name set on the
 * `CfnFunction` later is followed, and one set or removed by a property override (which the property does not show)
 * falls back to the function's own ARN.
 */
function arnOfName(target: IFunction, cfnBucket: CfnBucket): string | undefined {
  // An alias (`reservedInstances`), told by its shape: `instanceof Alias` would load aws-lambda's alias module into
  // every synth.
  const alias = target as Partial<IAlias>;
  const [fn, qualifier] =
    typeof alias.aliasName === 'string' && alias.version !== undefined
      ? [alias.version.lambda, `:${alias.aliasName}`]
      : [target, ''];
  const stack = topLevelStack(cfnBucket);
  if (!(fn instanceof LambdaFunction) || topLevelStack(fn) !== stack || topLevelStack(target) !== stack) {
    return undefined;
  }
  const cfn = fn.node.defaultChild as CfnFunction;
  const literalName = (): string | undefined => {
    const name = cfn.functionName;
    // CfnResource keeps property overrides apart from its properties, in this field of its own.
    const overrides = (cfn as unknown as { rawOverrides?: { Properties?: Record<string, unknown> } }).rawOverrides;
    return name === undefined ||
      Token.isUnresolved(name) ||
      (overrides?.Properties !== undefined && 'FunctionName' in overrides.Properties)
      ? undefined
      : name;
  };
  if (literalName() === undefined || Token.isUnresolved(qualifier)) return undefined;
  return Lazy.string({
    produce: () => {
      const name = literalName();
      return name === undefined
        ? target.functionArn
        : Fn.sub(`arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${name}${qualifier}`);
    },
  });
}
