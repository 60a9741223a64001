import { createHash } from 'crypto';
import { TargetMappingError, TargetRefusal } from '../errors';
import type { FunctionFact, TriggerFact } from '../model';
import { internalRole } from '../model';
import { resourceByPath, type AppModel, type TemplateResource } from './app-model';
import { References } from './references';
import { FUNCTION_RUNTIMES, LIBRARY_RUNTIMES, mappedRuntimes } from './runtimes';
import { timerSchedule } from './schedule';
import { TerraformConfig, TfArguments, tfExpression, tfName, tfRef } from './terraform-json';

/** The huaweicloud/huaweicloud provider version the configuration pins: the one the reference data describes. */
export const HUAWEICLOUD_PROVIDER_VERSION = '1.97.1';

/** The target's name in messages. */
export const HUAWEI = 'huawei';

/** Options of the Huawei Cloud rendering. */
export interface HuaweiRenderOptions {
  /**
   * The DMS for Kafka instance that DMS triggers read from: each queue of a DmsTrigger becomes a topic of it.
   * @default - none: an app with a DMS trigger is refused
   */
  readonly kafkaInstanceId?: string;
  /**
   * The dedicated API Gateway instance that HTTP triggers are routes of.
   * @default - none: an app with an HTTP trigger is refused
   */
  readonly apigInstanceId?: string;
  /**
   * Construct paths (and everything under them) to leave out on purpose; listed in the report.
   * @default - none
   */
  readonly exclude?: string[];
}

/** A function's code: the cloud assembly's asset folder, zipped to `zipFile` next to the configuration. */
export interface CodeAsset {
  readonly assetDir: string;
  readonly zipFile: string;
}

/** A resource of the app that the configuration does not hold, and why. */
export interface NotRendered {
  readonly path: string;
  readonly type: string;
  readonly reason: string;
}

/** The rendering of an app's infrastructure. */
export interface TerraformRendering {
  readonly config: TerraformConfig;
  readonly assets: CodeAsset[];
  readonly notRendered: NotRendered[];
}

/** CloudFormation types that are covered by what the renderer writes (FunctionGraph does them itself). */
const COVERED: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': 'FunctionGraph runs functions with the function agency (variable function_agency)',
  'AWS::IAM::Policy': 'FunctionGraph runs functions with the function agency (variable function_agency)',
  'AWS::Lambda::Permission': 'a FunctionGraph trigger carries its own permission',
  'AWS::Lambda::EventSourceMapping': 'rendered as a FunctionGraph trigger',
  'AWS::Lambda::EventInvokeConfig': 'rendered as huaweicloud_fgs_async_invoke_configuration',
  'AWS::Lambda::Alias': 'reserved instances are set on the function',
  'AWS::Lambda::Version': 'reserved instances are set on the function',
  'AWS::Lambda::LayerVersion': 'rendered as huaweicloud_fgs_dependency_version',
  'AWS::Events::Rule': 'rendered as a TIMER trigger',
  'AWS::Logs::LogGroup': 'function logs go to LTS streams',
  'AWS::S3::BucketPolicy': 'OBS buckets are private; access is granted through the function agency',
  'AWS::SNS::TopicPolicy': 'SMN topics are private; publishing is granted through the function agency',
  'AWS::SQS::QueuePolicy': 'queues become Kafka topics of the given instance',
  'AWS::CDK::Metadata': 'CDK bookkeeping',
  'AWS::ApiGateway::RestApi': 'HTTP triggers are APIs of the dedicated API Gateway instance',
  'AWS::ApiGateway::Resource': 'HTTP triggers are APIs of the dedicated API Gateway instance',
  'AWS::ApiGateway::Method': 'HTTP triggers are APIs of the dedicated API Gateway instance',
  'AWS::ApiGateway::Deployment': 'APIs are published to the RELEASE environment',
  'AWS::ApiGateway::Stage': 'APIs are published to the RELEASE environment',
  'AWS::ApiGateway::Account': 'API Gateway logging is part of the instance',
  'AWS::StepFunctions::StateMachine': 'flows are FunctionGraph workflow definitions (workflows/*.json)',
  'AWS::CloudFormation::Stack': "a nested stack: its resources are rendered as its parent's",
};

/**
 * Renders the infrastructure of a synthesized app as Terraform JSON for the huaweicloud/huaweicloud provider:
 * functions with their code in OBS, LTS logs, async configuration, reserved instances, dependencies, triggers
 * (OBS, SMN, APIG, DIS, Kafka, Timer), OBS buckets, SMN topics and subscriptions, DIS streams. What cannot map is
 * refused with a {@link TargetMappingError} naming every construct concerned.
 */
export function renderTerraform(model: AppModel, options: HuaweiRenderOptions = {}): TerraformRendering {
  return new TerraformRenderer(model, options).render();
}

class TerraformRenderer {
  private readonly resource: Record<string, Record<string, TfArguments>> = {};
  private readonly output: Record<string, { value: string; description: string }> = {};
  private readonly variable: NonNullable<TerraformConfig['variable']> = {
    region: { type: 'string', description: 'The Huawei Cloud region, e.g. ap-southeast-3' },
    project_id: { type: 'string', description: 'The project of that region (32 characters)' },
    function_agency: {
      type: 'string',
      description:
        'An IAM agency delegated to FunctionGraph that lets the functions use OBS, SMN, DIS, DMS and LTS as their grants do on AWS',
    },
  };
  private readonly refusals: TargetRefusal[] = [];
  private readonly assets: CodeAsset[] = [];
  private readonly notRendered: NotRendered[] = [];
  private readonly refs: References;
  private readonly stacks: Set<string>;

  constructor(
    private readonly model: AppModel,
    private readonly options: HuaweiRenderOptions,
  ) {
    this.refs = new References(model, (path, message) => this.refuse(path, message));
    this.stacks = new Set(model.resources.map(r => r.stack));
  }

  public render(): TerraformRendering {
    const excluded = (path: string) => (this.options.exclude ?? []).some(e => path === e || path.startsWith(`${e}/`));
    this.codeBucket();
    for (const resource of this.model.resources) {
      if (excluded(resource.path)) continue;
      if (resource.type === 'AWS::SNS::Topic') this.topic(resource);
      else if (resource.type === 'AWS::S3::Bucket') this.bucket(resource);
      else if (resource.type === 'AWS::Kinesis::Stream') this.stream(resource);
    }
    const functions = this.model.functions.filter(fn => !excluded(fn.path));
    // Functions first (so references to them resolve), then their settings and triggers.
    for (const fn of functions) {
      const role = internalRole(fn.environment);
      const lambda = this.lambdaOf(fn);
      if (role && lambda) {
        this.notRendered.push({ path: fn.path, type: 'AWS::Lambda::Function', reason: internalReason(role) });
        continue;
      }
      if (lambda)
        this.refs.add(lambda, {
          type: 'huaweicloud_fgs_function',
          name: this.name(fn.path),
          ref: 'name',
          attributes: { Arn: 'urn' },
        });
    }
    this.libraries();
    for (const fn of functions) {
      if (!internalRole(fn.environment)) this.fn(fn);
    }
    for (const trigger of this.model.triggers) {
      if (excluded(trigger.functionPath) || (trigger.sourcePath && excluded(trigger.sourcePath))) continue;
      const fn = functions.find(f => f.path === trigger.functionPath);
      if (!fn || internalRole(fn.environment)) continue;
      this.trigger(fn, trigger);
    }
    this.subscriptions(excluded);
    for (const resource of this.model.resources) {
      if (excluded(resource.path)) {
        this.notRendered.push({ path: resource.path, type: resource.type, reason: 'excluded on purpose' });
      } else if (!this.handled.has(resource) && resource.type !== 'AWS::Lambda::Function') {
        const covered = COVERED[resource.type];
        if (!covered) {
          this.notRendered.push({
            path: resource.path,
            type: resource.type,
            reason: 'not part of the FunctionStage model: no Huawei Cloud equivalent is rendered',
          });
        }
      }
    }
    if (this.refusals.length > 0) throw new TargetMappingError(HUAWEI, this.refusals);
    return {
      config: {
        terraform: {
          required_version: '>= 1.3.0',
          required_providers: {
            huaweicloud: { source: 'huaweicloud/huaweicloud', version: HUAWEICLOUD_PROVIDER_VERSION },
          },
        },
        provider: { huaweicloud: { region: tfExpression('var.region'), project_id: tfExpression('var.project_id') } },
        variable: this.variable,
        resource: this.resource,
        output: this.output,
      },
      assets: this.assets,
      notRendered: this.notRendered,
    };
  }

  private readonly handled = new Set<TemplateResource>();

  private refuse(path: string, message: string): void {
    this.refusals.push({ constructPath: path, message });
  }

  private add(type: string, name: string, args: TfArguments): string {
    const byName = (this.resource[type] ??= {});
    const rendered = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as TfArguments;
    const before = byName[name];
    // Construct paths that differ only in case or punctuation fold to one Terraform name: never drop one silently.
    if (before !== undefined && JSON.stringify(before) !== JSON.stringify(rendered)) {
      this.refuse(
        name,
        `two parts of the app both render as ${type}.${name} (allowed: construct ids that differ in more than ` +
          'case and punctuation)',
      );
      return name;
    }
    byName[name] = rendered;
    return name;
  }

  private name(path: string): string {
    return terraformNameOf(path, this.stacks.size);
  }

  private lambdaOf(fn: FunctionFact): TemplateResource | undefined {
    return resourceByPath(this.model, `${fn.path}/Function/Resource`);
  }

  /** The template a function's facts are written in: its Lambda function's (a nested stack's, when placed there). */
  private templateOf(fn: FunctionFact): string {
    return this.lambdaOf(fn)?.template ?? fn.path.split('/')[0];
  }

  private codeBucket(): void {
    this.add('huaweicloud_obs_bucket', 'function_code', {
      bucket: `stagegraph-code-${tfExpression('var.project_id')}`,
      acl: 'private',
      force_destroy: true,
    });
  }

  private topic(resource: TemplateResource): void {
    const owner = resource.path.replace(/\/Resource$/, '');
    const name = this.name(owner);
    const given = resource.properties.TopicName;
    this.add('huaweicloud_smn_topic', name, {
      name: typeof given === 'string' ? given : smnName(owner),
      ...(typeof resource.properties.DisplayName === 'string' ? { display_name: resource.properties.DisplayName } : {}),
    });
    this.refs.add(resource, {
      type: 'huaweicloud_smn_topic',
      name,
      ref: 'topic_urn',
      attributes: { TopicArn: 'topic_urn', TopicName: 'name' },
    });
    this.output[`${name}_topic_urn`] = {
      value: tfRef('huaweicloud_smn_topic', name, 'topic_urn'),
      description: `The URN of ${owner}`,
    };
    this.handled.add(resource);
  }

  private bucket(resource: TemplateResource): void {
    const owner = resource.path.replace(/\/Resource$/, '');
    const name = this.name(owner);
    const given = resource.properties.BucketName;
    const bucket =
      given === undefined
        ? `${slug(owner)}-${tfExpression('var.project_id')}`
        : this.refs.string(given, resource.template, owner, 'the bucket name');
    const encrypted = resource.properties.BucketEncryption !== undefined;
    this.add('huaweicloud_obs_bucket', name, {
      bucket: bucket ?? '',
      acl: 'private',
      ...(encrypted ? { encryption: true, sse_algorithm: 'AES256' } : {}),
    });
    this.refs.add(resource, { type: 'huaweicloud_obs_bucket', name, ref: 'bucket', attributes: {} });
    this.output[`${name}_bucket`] = {
      value: tfRef('huaweicloud_obs_bucket', name, 'bucket'),
      description: `The name of ${owner}`,
    };
    this.handled.add(resource);
  }

  private stream(resource: TemplateResource): void {
    const owner = resource.path.replace(/\/Resource$/, '');
    const name = this.name(owner);
    const given = resource.properties.Name;
    const hours = Number(resource.properties.RetentionPeriodHours ?? 24);
    if (hours > 72) this.refuse(owner, `DIS keeps records 24 to 72 hours (given ${hours})`);
    this.add('huaweicloud_dis_stream', name, {
      stream_name: typeof given === 'string' ? given : smnName(owner),
      partition_count: Number(resource.properties.ShardCount ?? 1),
      retention_period: Math.max(24, hours),
    });
    this.refs.add(resource, { type: 'huaweicloud_dis_stream', name, ref: 'stream_name', attributes: {} });
    this.handled.add(resource);
  }

  private libraries(): void {
    for (const library of this.model.libraries) {
      const runtime = LIBRARY_RUNTIMES[library.runtime];
      if (!runtime) {
        this.refuse(
          library.path,
          `FunctionGraph dependency packages have no runtime for ${library.runtime} (allowed: ${mappedRuntimes(LIBRARY_RUNTIMES)})`,
        );
        continue;
      }
      const name = this.name(library.path);
      const layer = resourceByPath(this.model, `${library.path}/Layer/Resource`);
      const key = `libraries/${name}.zip`;
      this.codeObject(layer, name, key);
      this.add('huaweicloud_fgs_dependency_version', name, {
        name: slug(library.path).replace(/-/g, '_'),
        runtime,
        link: `https://${tfRef('huaweicloud_obs_bucket', 'function_code', 'bucket_domain_name')}/${key}`,
        description: `${library.path}, built by stagegraph`,
        depends_on: [`huaweicloud_obs_bucket_object.${name}_code`],
      });
    }
  }

  private codeObject(lambda: TemplateResource | undefined, name: string, key: string): void {
    const assetPath = lambda?.metadata['aws:asset:path'];
    this.add('huaweicloud_obs_bucket_object', `${name}_code`, {
      bucket: tfRef('huaweicloud_obs_bucket', 'function_code', 'bucket'),
      key,
      source: `${tfExpression('path.module')}/code/${name}.zip`,
    });
    if (typeof assetPath === 'string') this.assets.push({ assetDir: assetPath, zipFile: `code/${name}.zip` });
  }

  private fn(fn: FunctionFact): void {
    const name = this.name(fn.path);
    const runtime = FUNCTION_RUNTIMES[fn.runtime];
    if (!runtime) {
      this.refuse(
        fn.path,
        `FunctionGraph offers no runtime for ${fn.runtime} (allowed: ${mappedRuntimes(FUNCTION_RUNTIMES)}; choose one with the code's runtime option)`,
      );
    }
    if (fn.timeoutSeconds < 3) {
      this.refuse(fn.path, `FunctionGraph timeouts are 3 to 259200 seconds (given ${fn.timeoutSeconds})`);
    }
    const retention = fn.logRetentionDays;
    if (retention !== undefined && retention > 365) {
      this.refuse(fn.path, `LTS keeps logs 1 to 365 days (given a log retention of ${retention} days)`);
    }
    if (fn.architecture !== 'x86_64') {
      this.refuse(fn.path, `FunctionGraph runs x86_64 code (given ${fn.architecture})`);
    }
    const stack = this.templateOf(fn);
    const environment: Record<string, string> = {};
    for (const [key, value] of Object.entries(fn.environment ?? {})) {
      const text = this.refs.string(value, stack, fn.path, `environment variable ${key}`);
      if (text !== undefined) environment[key] = text;
    }
    const key = `functions/${name}.zip`;
    let codeUrl = `https://${tfRef('huaweicloud_obs_bucket', 'function_code', 'bucket_domain_name')}/${key}`;
    if (fn.codeObject) {
      const bucket = this.refs.string(fn.codeObject.bucket, stack, fn.path, 'the code bucket');
      const object = this.refs.string(fn.codeObject.key, stack, fn.path, 'the code key');
      codeUrl = `https://${bucket}.obs.${tfExpression('var.region')}.myhuaweicloud.com/${object}`;
    } else {
      this.codeObject(this.lambdaOf(fn), name, key);
    }
    const functionName = typeof fn.functionName === 'string' ? fgsName(fn.functionName) : fgsName(name);
    this.add('huaweicloud_lts_stream', name, {
      group_id: this.logGroup(),
      stream_name: functionName,
      ...(retention !== undefined ? { ttl_in_days: retention } : {}),
    });
    const libraries = fn.libraries.map(path =>
      tfRef('huaweicloud_fgs_dependency_version', this.name(path), 'version_id'),
    );
    this.add('huaweicloud_fgs_function', name, {
      name: functionName,
      app: 'default',
      functiongraph_version: 'v2',
      runtime: runtime ?? fn.runtime,
      handler: fn.handler,
      memory_size: fn.memoryMb,
      timeout: fn.timeoutSeconds,
      code_type: 'obs',
      code_url: codeUrl,
      code_filename: `${name}.zip`,
      ...(fn.description ? { description: fn.description } : {}),
      agency: tfExpression('var.function_agency'),
      ...(Object.keys(environment).length > 0 ? { user_data: JSON.stringify(environment) } : {}),
      ...(libraries.length > 0 ? { depend_list: libraries } : {}),
      log_group_id: tfRef('huaweicloud_lts_group', 'functions', 'id'),
      log_group_name: tfRef('huaweicloud_lts_group', 'functions', 'group_name'),
      log_stream_id: tfRef('huaweicloud_lts_stream', name, 'id'),
      log_stream_name: tfRef('huaweicloud_lts_stream', name, 'stream_name'),
      ...(fn.reservedInstances !== undefined
        ? { reserved_instances: [{ qualifier_type: 'version', qualifier_name: 'latest', count: fn.reservedInstances }] }
        : {}),
      ...(fn.codeObject ? {} : { depends_on: [`huaweicloud_obs_bucket_object.${name}_code`] }),
    });
    this.output[`${name}_urn`] = {
      value: tfRef('huaweicloud_fgs_function', name, 'urn'),
      description: `The URN of ${fn.path}`,
    };
    // Asynchronous invocations: Lambda's defaults (2 retries, 6 hours) unless given; failed events kept in OBS.
    this.add('huaweicloud_fgs_async_invoke_configuration', name, {
      function_urn: tfRef('huaweicloud_fgs_function', name, 'urn'),
      max_async_retry_attempts: fn.retryAttempts ?? 2,
      max_async_event_age_in_seconds: fn.maxEventAgeSeconds ?? 21600,
      ...(fn.deadLetter
        ? {
            on_failure: [
              {
                destination: 'OBS',
                param: JSON.stringify({
                  bucket: tfRef('huaweicloud_obs_bucket', 'function_code', 'bucket'),
                  prefix: `dead-letters/${name}/`,
                  expires: 14,
                }),
              },
            ],
          }
        : {}),
    });
  }

  private logGroup(): string {
    if (!this.resource.huaweicloud_lts_group?.functions) {
      this.add('huaweicloud_lts_group', 'functions', { group_name: 'stagegraph-functions', ttl_in_days: 30 });
    }
    return tfRef('huaweicloud_lts_group', 'functions', 'id');
  }

  private trigger(fn: FunctionFact, trigger: TriggerFact): void {
    const fnName = this.name(fn.path);
    const urn = tfRef('huaweicloud_fgs_function', fnName, 'urn');
    const settings = trigger.settings;
    const stack = this.templateOf(fn);
    const id = `${fnName}_${trigger.kind}_${shortHash(JSON.stringify(trigger))}`;
    const add = (type: string, eventData: Record<string, unknown>, status?: string) =>
      this.add('huaweicloud_fgs_function_trigger', id, {
        function_urn: urn,
        type,
        event_data: JSON.stringify(eventData),
        ...(status ? { status } : {}),
      });
    const where = `${trigger.kind.toUpperCase()} trigger of ${fn.path}`;
    switch (trigger.kind) {
      case 'obs': {
        const bucket = this.refs.string(settings.bucketName, stack, fn.path, `the bucket of the ${where}`);
        add('OBS', {
          bucket,
          events: settings.events,
          name: `${fnName}-${shortHash(id)}`.slice(0, 64),
          ...(settings.prefix ? { prefix: settings.prefix } : {}),
          ...(settings.suffix ? { suffix: settings.suffix } : {}),
        });
        return;
      }
      case 'smn': {
        if (settings.filterPolicy) {
          this.refuse(
            fn.path,
            `the ${where} has a filterPolicy: FunctionGraph's SMN trigger has no filter (allowed: none)`,
          );
          return;
        }
        add('SMN', { topic_urn: this.refs.string(settings.topicArn, stack, fn.path, `the topic of the ${where}`) });
        return;
      }
      case 'dis': {
        const window = Number(settings.maxBatchingWindowSeconds ?? 0);
        add('DIS', {
          stream_name: this.refs.string(settings.streamName, stack, fn.path, `the stream of the ${where}`),
          sharditerator_type: settings.startingPosition === 'TRIM_HORIZON' ? 'TRIM_HORIZON' : 'LATEST',
          max_fetch_bytes: 2 * 1024 * 1024,
          polling_interval: Math.max(2, window * 1000 || 30000),
          polling_unit: 'ms',
          is_serial: 'true',
        });
        return;
      }
      case 'dms': {
        const instance = this.options.kafkaInstanceId;
        if (!instance) {
          this.refuse(
            fn.path,
            `the DMS trigger on ${trigger.sourcePath} needs a DMS for Kafka instance, whose topic the queue becomes (given none); ` +
              'pass kafkaInstanceId (--kafka-instance <id>)',
          );
          return;
        }
        this.variable.kafka_instance_id = {
          type: 'string',
          description: 'The DMS for Kafka instance of the DMS triggers',
          default: instance,
        };
        const topic = this.name(trigger.sourcePath ?? id);
        if (!this.resource.huaweicloud_dms_kafka_topic?.[topic]) {
          this.add('huaweicloud_dms_kafka_topic', topic, {
            instance_id: tfExpression('var.kafka_instance_id'),
            name: slug(trigger.sourcePath ?? id),
            partitions: 3,
          });
        }
        add(
          'KAFKA',
          {
            instance_id: tfExpression('var.kafka_instance_id'),
            topic_ids: [tfRef('huaweicloud_dms_kafka_topic', topic, 'id')],
            batch_size: Math.min(1000, Number(settings.batchSize ?? 10)),
          },
          'ACTIVE',
        );
        return;
      }
      case 'timer': {
        const schedule = timerSchedule(String(settings.expression));
        if ('problem' in schedule) {
          this.refuse(fn.path, `the timer trigger: ${schedule.problem}`);
          return;
        }
        add(
          'TIMER',
          {
            name: `${fnName}-${shortHash(id)}`.replace(/_/g, '-').slice(0, 64),
            schedule_type: schedule.scheduleType,
            schedule: schedule.schedule,
            ...(settings.input ? { user_event: JSON.stringify(settings.input) } : {}),
          },
          settings.enabled === false ? 'DISABLED' : 'ACTIVE',
        );
        return;
      }
      case 'http':
        this.http(fn, fnName, settings);
        return;
    }
  }

  private http(fn: FunctionFact, fnName: string, settings: Record<string, unknown>): void {
    const instance = this.options.apigInstanceId;
    if (!instance) {
      this.refuse(
        fn.path,
        `the HTTP trigger ${String(settings.path)} needs a dedicated API Gateway instance (given none); pass apigInstanceId (--apig-instance <id>)`,
      );
      return;
    }
    if (settings.auth === 'authorizer') {
      this.refuse(
        fn.path,
        `the HTTP trigger ${String(settings.path)} has an authorizer, which this target does not map (allowed: HttpAuth.IAM or HttpAuth.NONE)`,
      );
      return;
    }
    if (!this.resource.huaweicloud_apig_group?.api) {
      this.variable.apig_instance_id = {
        type: 'string',
        description: 'The dedicated API Gateway instance of the HTTP triggers',
        default: instance,
      };
      this.add('huaweicloud_apig_group', 'api', {
        instance_id: tfExpression('var.apig_instance_id'),
        name: 'stagegraph_api',
      });
      this.add('huaweicloud_apig_environment', 'release', {
        instance_id: tfExpression('var.apig_instance_id'),
        name: 'RELEASE',
      });
      this.output.api_group_id = {
        value: tfRef('huaweicloud_apig_group', 'api', 'id'),
        description: 'The API group of the HTTP triggers',
      };
    }
    const path = String(settings.path);
    const greedy = /\{[A-Za-z0-9_]+\+\}$/.test(path);
    for (const method of settings.methods as string[]) {
      const api = tfName(`${fnName}_${method}_${path}`);
      this.add('huaweicloud_apig_api', api, {
        instance_id: tfExpression('var.apig_instance_id'),
        group_id: tfRef('huaweicloud_apig_group', 'api', 'id'),
        type: 'Public',
        name: api,
        request_method: method,
        request_path: path,
        request_protocol: 'HTTPS',
        security_authentication: settings.auth === 'none' ? 'NONE' : 'IAM',
        matching: greedy ? 'Prefix' : 'Exact',
        cors: settings.corsOrigins !== undefined,
        func_graph: [
          {
            function_urn: tfRef('huaweicloud_fgs_function', fnName, 'urn'),
            invocation_type: 'sync',
            timeout: Math.min(600000, fn.timeoutSeconds * 1000),
          },
        ],
      });
      this.add('huaweicloud_apig_api_publishment', api, {
        instance_id: tfExpression('var.apig_instance_id'),
        env_id: tfRef('huaweicloud_apig_environment', 'release', 'id'),
        api_id: tfRef('huaweicloud_apig_api', api, 'id'),
      });
    }
  }

  /** SMN subscriptions other than functions': e-mail, SMS, HTTP(S). */
  private subscriptions(excluded: (path: string) => boolean): void {
    for (const resource of this.model.resources) {
      if (resource.type !== 'AWS::SNS::Subscription' || excluded(resource.path)) continue;
      const protocol = String(resource.properties.Protocol);
      const smn = { email: 'email', sms: 'sms', http: 'http', https: 'https' }[protocol];
      if (protocol === 'lambda') {
        this.handled.add(resource); // an SmnTrigger: rendered as an SMN trigger
        continue;
      }
      if (!smn) continue; // listed as not rendered
      const owner = resource.path.replace(/\/Resource$/, '');
      const topic = this.refs.string(resource.properties.TopicArn, resource.template, owner, 'the topic');
      const endpoint = this.refs.string(resource.properties.Endpoint, resource.template, owner, 'the endpoint');
      this.add('huaweicloud_smn_subscription', this.name(owner), {
        topic_urn: topic ?? '',
        protocol: smn,
        endpoint: endpoint ?? '',
      });
      this.handled.add(resource);
    }
  }
}

/** The Terraform name of a construct path: its path without the stack (with it when the app has several). */
export function terraformNameOf(path: string, stackCount: number): string {
  const parts = path.split('/').filter(p => p !== 'Resource');
  return tfName((stackCount > 1 ? parts : parts.slice(1)).join('_') || parts.join('_'));
}

function internalReason(role: string): string {
  return (
    {
      'billing-meter': 'the billing meter: FunctionGraph bills per use itself (see `stagegraph cost --target huawei`)',
      'flow-starter': "a flow's starter: the flow's triggers are part of its workflow definition",
      'flow-resumer': "a flow's resumer: callback nodes are not mapped",
      'jwt-authorizer': 'the JWT authorizer: authorizers are not mapped',
    }[role] ?? role
  );
}

/** A lowercase name of letters, digits and `-` from a construct path, 3 to 40 characters. */
function slug(path: string): string {
  const parts = path.split('/').filter(p => p !== 'Resource');
  const text = parts
    .slice(-2)
    .join('-')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-');
  return `${text.replace(/^-+|-+$/g, '').slice(0, 31)}-${shortHash(path)}`;
}

/** An SMN topic or DIS stream name: letters, digits, `-` and `_`, starting with a letter. */
function smnName(path: string): string {
  return slug(path).replace(/^[^a-z]+/, 'x');
}

/**
 * A FunctionGraph function name, as the provider documents `huaweicloud_fgs_function.name`: 2 to 60 letters, digits,
 * `_` and `-`, a letter first and a letter or digit last. Other characters become `-`; a name that starts otherwise
 * gets `fn-` in front (`_3d_render` -> `fn-3d_render`); longer or too short names keep a hash of the original.
 */
export function fgsName(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9_-]/g, '-');
  const lettered = /^[A-Za-z]/.test(clean) ? clean : `fn-${clean.replace(/^[-_]+/, '')}`;
  const ended = lettered.replace(/[-_]+$/, '');
  if (ended.length < 2) return `${ended}-${shortHash(name)}`;
  return ended.length <= 60 ? ended : `${ended.slice(0, 51).replace(/[-_]+$/, '')}-${shortHash(name)}`;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}
