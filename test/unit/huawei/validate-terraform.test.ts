import { TerraformCheck, validateTerraform } from '../../../lib/huawei/validate-terraform';
import type { TerraformConfig, TfArguments } from '../../../lib/huawei/terraform-json';
import { PROVIDER_SCHEMA } from './reference';

const PINNED = { required_providers: { huaweicloud: { source: 'huaweicloud/huaweicloud', version: '1.97.1' } } };

/** A valid configuration: a function with its code in OBS and a timer trigger, plus `changes` to one resource. */
function config(changes: { type?: string; fn?: TfArguments; extra?: Partial<TerraformConfig> } = {}): TerraformConfig {
  return {
    terraform: PINNED,
    provider: { huaweicloud: { region: '${var.region}' } },
    variable: { region: { type: 'string' } },
    resource: {
      huaweicloud_obs_bucket: { code: { bucket: 'code-bucket', force_destroy: true } },
      [changes.type ?? 'huaweicloud_fgs_function']: {
        hello: {
          name: 'hello',
          memory_size: 256,
          runtime: 'Python3.10',
          timeout: 30,
          handler: 'index.handler',
          code_type: 'obs',
          code_url: 'https://${huaweicloud_obs_bucket.code.bucket_domain_name}/hello.zip',
          reserved_instances: [{ qualifier_type: 'version', qualifier_name: 'latest', count: 2 }],
          ...changes.fn,
        },
      },
      huaweicloud_fgs_function_trigger: {
        hello_timer: {
          function_urn: '${huaweicloud_fgs_function.hello.urn}',
          type: 'TIMER',
          event_data: '{"name":"hello","schedule_type":"Rate","schedule":"5m"}',
        },
      },
    },
    output: { hello_urn: { value: '${huaweicloud_fgs_function.hello.urn}' } },
    ...changes.extra,
  };
}

describe('validateTerraform', () => {
  test('accepts a valid configuration', () => {
    expect(validateTerraform(config(), PROVIDER_SCHEMA)).toEqual([]);
  });

  test('fails if a resource type is not one the provider has', () => {
    const problems = validateTerraform(config({ type: 'huaweicloud_fgs_functions' }), PROVIDER_SCHEMA);
    expect(problems).toContainEqual({
      check: TerraformCheck.RESOURCE_TYPE,
      at: 'resource.huaweicloud_fgs_functions',
      message: "the provider has no resource type 'huaweicloud_fgs_functions'",
    });
    // and the trigger now refers to a function that is not declared
    expect(problems.map(p => p.check)).toContain(TerraformCheck.REFERENCE);
  });

  test('fails if an argument is unknown, or a computed attribute is set', () => {
    const problems = validateTerraform(config({ fn: { memory: 256, urn: 'x' } }), PROVIDER_SCHEMA);
    expect(problems.map(p => [p.check, p.at])).toEqual([
      [TerraformCheck.ARGUMENT, 'resource.huaweicloud_fgs_function.hello.memory'],
      [TerraformCheck.ARGUMENT, 'resource.huaweicloud_fgs_function.hello.urn'],
    ]);
    expect(problems[1].message).toBe("'urn' is an attribute the provider computes, not an argument");
  });

  test('fails if a required argument is missing, at the top and in a nested block', () => {
    const problems = validateTerraform(
      config({ fn: { timeout: undefined as never, reserved_instances: [{ qualifier_type: 'version', count: 1 }] } }),
      PROVIDER_SCHEMA,
    );
    expect(problems.map(p => [p.check, p.at])).toEqual([
      [TerraformCheck.REQUIRED, 'resource.huaweicloud_fgs_function.hello.reserved_instances[0].qualifier_name'],
      [TerraformCheck.REQUIRED, 'resource.huaweicloud_fgs_function.hello.timeout'],
    ]);
  });

  test('fails if a value has the wrong type, and accepts an interpolation for any type', () => {
    const problems = validateTerraform(
      config({ fn: { memory_size: '256', timeout: 1.5, depend_list: 'lib' } }),
      PROVIDER_SCHEMA,
    );
    expect(problems.map(p => p.message)).toEqual([
      `'memory_size' takes a whole number (given string "256")`,
      `'timeout' takes a whole number (given number 1.5)`,
      `'depend_list' is a Set (given string "lib")`,
    ]);
    expect(
      validateTerraform(config({ fn: { memory_size: '${var.memory}' }, extra: {} }), PROVIDER_SCHEMA).map(p => p.check),
    ).toEqual([TerraformCheck.REFERENCE]);
  });

  test('fails if a value is not among the listed valid values, and allows any where the list is open', () => {
    const problems = validateTerraform(
      config({ fn: { runtime: 'Python3.12', code_type: 'tarball' } }),
      PROVIDER_SCHEMA,
    );
    expect(problems.map(p => [p.check, p.at])).toEqual([
      [TerraformCheck.VALID_VALUE, 'resource.huaweicloud_fgs_function.hello.runtime'],
      [TerraformCheck.VALID_VALUE, 'resource.huaweicloud_fgs_function.hello.code_type'],
    ]);
    expect(problems[0].message).toContain('(given "Python3.12")');
    // fgs_function_trigger.type lists values with "etc.": OBS is not listed, yet allowed
    const obs = config();
    (obs.resource!.huaweicloud_fgs_function_trigger.hello_timer as { type: string }).type = 'OBS';
    expect(validateTerraform(obs, PROVIDER_SCHEMA)).toEqual([]);
  });

  test('fails if a value, a length or a number of items is out of range', () => {
    const problems = validateTerraform(
      config({
        fn: {
          timeout: 2,
          name: 'h',
          reserved_instances: [{ qualifier_type: 'version', qualifier_name: 'latest', count: 1001 }],
        },
      }),
      PROVIDER_SCHEMA,
    );
    expect(problems.map(p => p.message)).toEqual([
      "'name' must have a length from 2 to 60 (given 1)",
      "'timeout' must have a value from 3 to 259200 (given 2)",
      "'reserved_instances.count' must have a value from 0 to 1000 (given 1001)",
    ]);
    const async = validateTerraform(
      {
        ...config(),
        resource: {
          ...config().resource,
          huaweicloud_fgs_async_invoke_configuration: {
            hello: {
              function_urn: '${huaweicloud_fgs_function.hello.urn}',
              max_async_event_age_in_seconds: 3600,
              max_async_retry_attempts: 2,
              on_failure: [
                { destination: 'SMN', param: '{}' },
                { destination: 'SMN', param: '{}' },
              ],
            },
          },
        },
      },
      PROVIDER_SCHEMA,
    );
    expect(async.map(p => p.message)).toEqual(["'on_failure' takes 0 to 1 items (given 2)"]);
  });

  test('fails if two conflicting arguments are both set', () => {
    const problems = validateTerraform(config({ fn: { app: 'default', package: 'default' } }), PROVIDER_SCHEMA);
    expect(problems.map(p => p.check)).toEqual([TerraformCheck.CONFLICT, TerraformCheck.CONFLICT]);
  });

  test('fails if a reference does not resolve: undeclared resource, unknown attribute, undeclared variable', () => {
    const problems = validateTerraform(
      config({
        fn: {
          code_url: '${huaweicloud_obs_bucket.other.bucket_domain_name}/${huaweicloud_obs_bucket.code.domain}',
          agency: '${var.agency}',
          depends_on: ['huaweicloud_lts_stream.logs'],
        },
      }),
      PROVIDER_SCHEMA,
    );
    expect(problems.map(p => p.message)).toEqual([
      'huaweicloud_obs_bucket.other is not declared',
      "huaweicloud_obs_bucket has no attribute 'domain'",
      'var.agency is not declared',
      'huaweicloud_lts_stream.logs is not declared',
    ]);
    expect(problems.every(p => p.check === TerraformCheck.REFERENCE)).toBe(true);
  });

  test('fails if the provider is not pinned to one version, or top-level keys and names are wrong', () => {
    const problems = validateTerraform(
      {
        ...config(),
        terraform: { required_providers: { huaweicloud: { source: 'huaweicloud/huaweicloud', version: '>= 1.0' } } },
        variable: { 'bad name': { type: 'string' }, region: { type: 'string' } },
        data: {},
      } as TerraformConfig,
      PROVIDER_SCHEMA,
    );
    expect(problems.map(p => p.check)).toEqual([
      TerraformCheck.TOP_LEVEL,
      TerraformCheck.PROVIDER_PINNED,
      TerraformCheck.NAME,
    ]);
  });
});
