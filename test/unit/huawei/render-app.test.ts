import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import {
  Condition,
  DmsTrigger,
  Flow,
  FunctionGraph,
  SmnTrigger,
  StageCode,
  StageFunction,
  TargetMappingError,
  TimerTrigger,
} from '../../../lib';
import { renderHuaweiApp } from '../../../lib/huawei/render-app';
import { fgsName } from '../../../lib/huawei/render-terraform';
import { validateTerraform } from '../../../lib/huawei/validate-terraform';
import { validateWorkflow } from '../../../lib/huawei/validate-workflow';
import type { TfArguments } from '../../../lib/huawei/terraform-json';
import { FIXTURES } from '../../helpers';
import { everyTriggerApp, synthesized } from './huawei-app';
import { PROVIDER_SCHEMA, TRIGGER_TYPES, WORKFLOW_SCHEMA } from './reference';

const INSTANCES = { kafkaInstanceId: 'kafka-1', apigInstanceId: 'apig-1' };

function refusalOf(run: () => unknown): TargetMappingError {
  try {
    run();
  } catch (error) {
    if (error instanceof TargetMappingError) return error;
    throw error;
  }
  throw new Error('expected a TargetMappingError');
}

describe('renderHuaweiApp', () => {
  const model = synthesized(everyTriggerApp);
  const rendering = renderHuaweiApp(model, INSTANCES);
  const resources = rendering.config.resource ?? {};

  test('the configuration is valid for the provider schema: types, arguments, required, values, references', () => {
    expect(validateTerraform(rendering.config, PROVIDER_SCHEMA)).toEqual([]);
    expect(rendering.config.terraform.required_providers).toEqual({
      huaweicloud: { source: 'huaweicloud/huaweicloud', version: '1.97.1' },
    });
    expect(Object.keys(rendering.config.variable ?? {})).toEqual(
      expect.arrayContaining(['region', 'project_id', 'function_agency', 'kafka_instance_id', 'apig_instance_id']),
    );
  });

  test('functions: runtime mapped, memory, timeout, environment with references, agency, LTS, reserved instances', () => {
    const resize = resources.huaweicloud_fgs_function.resize;
    expect(resize).toMatchObject({
      runtime: 'Go1.x',
      memory_size: 512,
      timeout: 30,
      code_type: 'obs',
      agency: '${var.function_agency}',
      reserved_instances: [{ qualifier_type: 'version', qualifier_name: 'latest', count: 2 }],
      log_stream_id: '${huaweicloud_lts_stream.resize.id}',
    });
    expect(JSON.parse(resize.user_data as string)).toEqual({
      ORDERS: '${huaweicloud_smn_topic.orders.topic_urn}',
      BUCKET: expect.stringMatching(/^uploads-[0-9a-f]{8}-\$\{var\.project_id\}-\$\{var\.region\}$/),
      MODE: 'fast',
    });
    expect(resources.huaweicloud_fgs_function.ingest.runtime).toBe('Node.js18.15');
    expect(resources.huaweicloud_fgs_function.score.runtime).toBe('Python3.10');
    expect(resources.huaweicloud_obs_bucket_object.resize_code).toMatchObject({ key: 'functions/resize.zip' });
    expect(rendering.assets.map(a => a.zipFile)).toContain('code/resize.zip');
  });

  test('async invocation: retries and event age as given, failed events kept in OBS unless switched off', () => {
    const async = resources.huaweicloud_fgs_async_invoke_configuration;
    expect(async.resize).toMatchObject({ max_async_retry_attempts: 1, max_async_event_age_in_seconds: 3600 });
    expect(async.resize.on_failure).toEqual([
      { destination: 'OBS', param: expect.stringContaining('dead-letters/resize/') },
    ]);
    expect(async.ingest.on_failure).toBeUndefined();
  });

  test("every trigger's event_data has the keys the provider documents for its type, with listed values", () => {
    const triggers = Object.values(resources.huaweicloud_fgs_function_trigger) as TfArguments[];
    expect(triggers.map(t => t.type).sort()).toEqual(['DIS', 'KAFKA', 'OBS', 'SMN', 'TIMER', 'TIMER']);
    for (const trigger of triggers) {
      const documented = TRIGGER_TYPES.trigger_types[trigger.type as string].event_data ?? {};
      const data = JSON.parse(trigger.event_data as string) as Record<string, unknown>;
      for (const key of Object.keys(data))
        expect([trigger.type, key, key in documented]).toEqual([trigger.type, key, true]);
      for (const [key, spec] of Object.entries(documented)) {
        if (spec.required) expect([trigger.type, key, key in data]).toEqual([trigger.type, key, true]);
        if (spec.values && key in data) expect(spec.values).toContain(data[key]);
      }
    }
    const timers = triggers.filter(t => t.type === 'TIMER').map(t => JSON.parse(t.event_data as string));
    expect(timers.map(t => [t.schedule_type, t.schedule])).toEqual(
      expect.arrayContaining([
        ['Cron', '0 0/15 8-17 ? * MON-FRI'],
        ['Rate', '2h'],
      ]),
    );
  });

  test('HTTP triggers are APIs of the dedicated gateway, published to RELEASE; the Kafka topic is created', () => {
    const apis = Object.values(resources.huaweicloud_apig_api);
    expect(apis.map(a => [a.request_method, a.request_path, a.matching, a.security_authentication])).toEqual([
      ['GET', '/clicks/{proxy+}', 'Prefix', 'NONE'],
      ['POST', '/clicks/{proxy+}', 'Prefix', 'NONE'],
    ]);
    expect(Object.keys(resources.huaweicloud_apig_api_publishment)).toHaveLength(2);
    expect(Object.values(resources.huaweicloud_dms_kafka_topic)).toEqual([
      expect.objectContaining({ instance_id: '${var.kafka_instance_id}', partitions: 3 }),
    ]);
    expect(resources.huaweicloud_dis_stream.clicks).toMatchObject({ partition_count: 2, retention_period: 24 });
  });

  test('a flow becomes a CreateWorkflow body whose references resolve, its OBS trigger on the start', () => {
    expect(rendering.workflows.map(w => w.file)).toEqual(['Review.workflow.json']);
    const body = rendering.workflows[0].body;
    const ids = body.states.map(s => s.id);
    expect(ids).toContain(body.start);
    // Every field and value one the SDK models declare, but the empty actions of Sleep and End nodes (see
    // render-workflow.test.ts).
    const emptyActions = body.states.flatMap((s, i) =>
      s.type !== 'Operation' ? [{ at: `states[${i}].actions`, message: '0 items (allowed: 1 to 10)' }] : [],
    );
    expect(validateWorkflow(body, WORKFLOW_SCHEMA)).toEqual(emptyActions);
    for (const state of body.states) {
      expect(WORKFLOW_SCHEMA.state_types).toContain(state.type);
      if (state.transition) expect(ids).toContain(state.transition);
      for (const action of state.actions) {
        expect(body.functions.map(f => f.name)).toContain(action.function_ref.ref_name);
      }
      for (const onError of state.on_errors ?? []) {
        if (onError.retry_ref) expect(body.retries.map(r => r.name)).toContain(onError.retry_ref);
      }
    }
    expect(body.states.map(s => [s.name, s.type, s.action_mode ?? ''])).toEqual([
      ['Score', 'Operation', 'sequential'],
      ['Enrich', 'Operation', 'parallel'],
      ['Cool_down', 'Sleep', ''],
      ['Tag_finally', 'Operation', 'sequential'],
      ['end', 'End', ''],
    ]);
    expect(body.states[0].actions[0].function_ref.arguments).toEqual({ key: '$.key', model: "'small'" });
    expect(body.functions).toEqual([
      { name: 'score', operation: '${score_urn}' },
      { name: 'tag', operation: '${tag_urn}' },
    ]);
    expect(Object.keys(rendering.config.output ?? {})).toEqual(expect.arrayContaining(['score_urn', 'tag_urn']));
    expect(body.triggers).toEqual([
      {
        trigger_name: 'Review-obs-1',
        trigger_type: 'OBS',
        enabled: true,
        trigger_config: {
          bucket: '${uploads_bucket}',
          events: ['ObjectCreated:*'],
          prefix: 'review/',
          suffix: '.json',
        },
      },
    ]);
    expect(rendering.notRendered).toContainEqual(expect.objectContaining({ path: 'Shop/Review/Starter' }));
  });

  test('fails if a runtime has no FunctionGraph equivalent, naming the construct, the value and what is allowed', () => {
    const error = refusalOf(() =>
      renderHuaweiApp(
        synthesized(stack => {
          new StageFunction(stack, 'Modern', {
            code: StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs')),
            memorySize: 128,
          });
        }),
      ),
    );
    expect(error.message).toMatch(
      /^FunctionGraph offers no runtime for nodejs22\.x \(allowed: .*nodejs18\.x.*\) in Shop\/Modern \(target huawei\)$/,
    );
    expect(error.constructPath).toBe('Shop/Modern');
  });

  test('function names start with a letter and end with a letter or digit, as the provider documents', () => {
    // GIVEN given names that start with a digit, with `_`, and end with `_` (generated ones start with the stack's)
    const { config } = renderHuaweiApp(
      synthesized(stack => {
        const code = () => StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs'), { runtime: Runtime.NODEJS_18_X });
        new StageFunction(stack, 'Render', { code: code(), memorySize: 128, functionName: '3d_render' });
        new StageFunction(stack, 'Named', { code: code(), memorySize: 128, functionName: '_internal_' });
      }),
    );

    // THEN
    const names = Object.values(config.resource?.huaweicloud_fgs_function ?? {}).map(fn => fn.name);
    expect(names.sort()).toEqual(['fn-3d_render', 'fn-internal']);
    for (const name of names) expect(name).toMatch(/^[A-Za-z][A-Za-z0-9_-]{0,58}[A-Za-z0-9]$/);
  });

  test('fails if two constructs fold to one Terraform name, rather than dropping one', () => {
    const error = refusalOf(() =>
      renderHuaweiApp(
        synthesized(stack => {
          for (const [id, memorySize] of [
            ['ResizeImage', 128],
            ['Resize-Image', 256],
          ] as const) {
            new StageFunction(stack, id, {
              code: StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs'), { runtime: Runtime.NODEJS_18_X }),
              memorySize,
            });
          }
        }),
      ),
    );
    expect(error.message).toMatch(/both render as huaweicloud_\w+\.\w+ \(allowed: construct ids that differ in more/);
  });

  test('fails if a DMS trigger has no Kafka instance, an SMN trigger a filter, a cron an L, and a flow a choice', () => {
    const error = refusalOf(() =>
      renderHuaweiApp(
        synthesized(stack => {
          const code = StageCode.fromPython(path.join(FIXTURES, 'hello-python'), { runtime: Runtime.PYTHON_3_9 });
          const fn: StageFunction = new StageFunction(stack, 'Worker', {
            code,
            memorySize: 128,
            timeout: Duration.seconds(10),
            triggers: [
              TimerTrigger.cron('0 8 L * ? *'),
              new SmnTrigger(new Topic(stack, 'Events'), {
                filterPolicy: { color: SubscriptionFilter.stringFilter({ allowlist: ['red'] }) },
              }),
            ],
          });
          fn.addTrigger(new DmsTrigger(new Queue(stack, 'Work')));
          new FunctionGraph(stack, 'Route', {
            definition: Flow.choice('Big?')
              .when(Condition.numberGreaterThan('$.size', 10), Flow.invoke('Handle', fn))
              .otherwise(Flow.pass('Skip')),
          });
        }),
      ),
    );
    expect(error.refusals.map(r => [r.constructPath, r.message.split(/[:(]/)[0].trim()])).toEqual([
      ['Shop/Worker', 'the timer trigger'],
      ['Shop/Worker', 'the SMN trigger of Shop/Worker has a filterPolicy'],
      ['Shop/Worker', 'the DMS trigger on Shop/Work needs a DMS for Kafka instance, whose topic the queue becomes'],
      ['Shop/Route', "node 'Big?' is a choice node, which the FunctionGraph workflow API has no confirmed form for"],
      ['Shop/Route', "node 'Skip' is a pass node, which the FunctionGraph workflow API has no confirmed form for"],
    ]);
    expect(error.message).toMatch(/^5 parts of the app cannot be mapped to the huawei target:\n {2}- /);
  });

  test('left out on purpose: an excluded flow is not rendered and is listed', () => {
    const excluded = renderHuaweiApp(synthesized(everyTriggerApp), { ...INSTANCES, exclude: ['Shop/Review'] });
    expect(excluded.workflows).toEqual([]);
    expect(excluded.notRendered).toContainEqual(
      expect.objectContaining({ path: 'Shop/Review/StateMachine/Resource', reason: 'excluded on purpose' }),
    );
  });
});

describe('renderHuaweiApp of an app with its functions in nested stacks', () => {
  // stagegraph:nestedFunctionStacks moves functions, roles, log groups and trigger resources into nested stacks, and
  // references across become parameters and outputs: the renderer follows them to the resources they name.
  const flat = synthesized(everyTriggerApp);
  const nested = synthesized(everyTriggerApp, { 'stagegraph:nestedFunctionStacks': 3 });
  const strip = (config: unknown) =>
    // The function names are the AWS ones, which name the nested stack: `Shop-Functions2-Resize-...`.
    JSON.parse(JSON.stringify(config).replace(/Shop-(Functions\d+-)?(\w+)-[0-9A-F]{8}/g, 'Shop-$2')) as unknown;

  test('the app is really nested: its functions are in 2 or more nested templates, their references crossing', () => {
    // (The flow's starter, stagegraph's own, stays in the stack.)
    const templates = new Set(nested.resources.filter(r => r.type === 'AWS::Lambda::Function').map(r => r.template));
    expect([...templates].filter(t => t.startsWith('Shop/')).length).toBeGreaterThanOrEqual(2);
    expect(nested.links.size).toBeGreaterThan(0);
    // Paths leave the nested stack of functions out, as the app wrote them.
    expect(nested.functions.map(f => f.path)).toEqual(flat.functions.map(f => f.path));
  });

  test('renders as the same app does without nested stacks, but for the function names', () => {
    const fromFlat = renderHuaweiApp(flat, INSTANCES);
    const fromNested = renderHuaweiApp(nested, INSTANCES);
    expect(validateTerraform(fromNested.config, PROVIDER_SCHEMA)).toEqual([]);
    expect(strip(fromNested.config)).toEqual(strip(fromFlat.config));
    expect(fromNested.workflows).toEqual(fromFlat.workflows);
    expect(fromNested.assets.map(a => a.zipFile).sort()).toEqual(fromFlat.assets.map(a => a.zipFile).sort());
    // Nested stacks are structure, not resources left unrendered.
    expect(fromNested.notRendered.map(n => n.path).sort()).toEqual(fromFlat.notRendered.map(n => n.path).sort());
  });
});

describe('fgsName', () => {
  test('keeps to 2 to 60 characters, a letter first and a letter or digit last', () => {
    const rule = /^[A-Za-z][A-Za-z0-9_-]{0,58}[A-Za-z0-9]$/;
    for (const given of ['Shop-Api', '_api', '-api-', '9lives', 'a', '__', 'x'.repeat(50) + '_'.repeat(20), 'ä-ö']) {
      expect([given, fgsName(given)]).toEqual([given, expect.stringMatching(rule)]);
    }
    expect(fgsName('Shop-Api')).toBe('Shop-Api');
    expect(fgsName('x'.repeat(70))).toMatch(/^x{51}-[0-9a-f]{8}$/);
  });
});
