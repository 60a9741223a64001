import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TargetMappingError } from '../../../lib';
import { writeHuaweiTarget } from '../../../lib/app/huawei';
import { synthesizeApp } from '../../../lib/app/synth';
import { validateTerraform } from '../../../lib/huawei/validate-terraform';
import type { TerraformConfig } from '../../../lib/huawei/terraform-json';
import { PROVIDER_SCHEMA } from './reference';

// The example app of bin/app.ts synthesized for the Huawei target (the `stagegraph:target` context set, no code
// built), as `stagegraph synth --target huawei` does it.
jest.setTimeout(180_000);

const ROOT = path.join(__dirname, '..', '..', '..');
const INSTANCES = { kafkaInstanceId: 'kafka-1', apigInstanceId: 'apig-1' };
let outdir: string;
let assemblyDir: string;
let nestedDir: string;

beforeAll(async () => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-huawei-example-'));
  ({ assemblyDir } = await synthesizeApp({
    projectDir: ROOT,
    outdir: path.join(outdir, 'flat'),
    skipBuilds: true,
    context: { 'stagegraph:target': 'huawei' },
  }));
  // The same app past CloudFormation's 500 resources, its functions in nested stacks.
  ({ assemblyDir: nestedDir } = await synthesizeApp({
    projectDir: ROOT,
    outdir: path.join(outdir, 'nested'),
    skipBuilds: true,
    context: { 'stagegraph:target': 'huawei', 'stagegraph:nestedFunctionStacks': 3 },
  }));
});

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

describe('the example app on the Huawei target', () => {
  test('fails on its flow, whose choice, notify and fail nodes have no workflow form, naming each node', () => {
    let error: unknown;
    try {
      writeHuaweiTarget(assemblyDir, INSTANCES);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TargetMappingError);
    const refusals = (error as TargetMappingError).refusals;
    expect(new Set(refusals.map(r => r.constructPath))).toEqual(new Set(['StagegraphExample/Documents/Flow']));
    expect(refusals.map(r => /^node '([^']+)' is a (\w+)/.exec(r.message)?.slice(1))).toEqual(
      expect.arrayContaining([
        ['Negative?', 'choice'],
        ['Alert', 'notify'],
        ['Analysis failed', 'fail'],
      ]),
    );
  });

  test('with its flow left out, writes a Terraform configuration valid for the provider schema', () => {
    const output = writeHuaweiTarget(assemblyDir, { ...INSTANCES, exclude: ['StagegraphExample/Documents/Flow'] });
    const config = JSON.parse(fs.readFileSync(output.terraformFile, 'utf-8')) as TerraformConfig;
    expect(path.relative(assemblyDir, output.terraformFile)).toBe(path.join('huawei', 'main.tf.json'));
    expect(validateTerraform(config, PROVIDER_SCHEMA)).toEqual([]);
    const functions = config.resource?.huaweicloud_fgs_function ?? {};
    expect(Object.fromEntries(Object.entries(functions).map(([name, fn]) => [name, fn.runtime]))).toEqual({
      documents_archive_result: 'Node.js18.15',
      documents_classify_sentiment: 'Python3.10',
      documents_extract_keywords: 'Node.js18.15',
      documents_extract_text: 'Python3.10',
      iot_aggregator: 'Java11',
      items_api: 'Node.js18.15',
      thumbnail: 'Go1.x',
    });
    const types = Object.keys(config.resource ?? {});
    expect(types).toEqual(
      expect.arrayContaining([
        'huaweicloud_obs_bucket',
        'huaweicloud_smn_topic',
        'huaweicloud_dis_stream',
        'huaweicloud_fgs_function_trigger',
        'huaweicloud_fgs_async_invoke_configuration',
        'huaweicloud_lts_stream',
        'huaweicloud_dms_kafka_topic',
        'huaweicloud_apig_api',
      ]),
    );
    // The billing meter and the flow's starter are AWS machinery: listed, not rendered.
    expect(output.rendering.notRendered.map(n => n.path)).toEqual(
      expect.arrayContaining([
        'StagegraphExample/Billing/Meter',
        'StagegraphExample/Documents/Flow/StateMachine/Resource',
      ]),
    );
  });

  test('with its functions in nested stacks, renders the same, but for the AWS function names', () => {
    expect(fs.readdirSync(nestedDir).filter(f => f.endsWith('.nested.template.json')).length).toBe(3);
    const options = { ...INSTANCES, exclude: ['StagegraphExample/Documents/Flow'] };
    const flat = writeHuaweiTarget(assemblyDir, options).rendering;
    const nested = writeHuaweiTarget(nestedDir, options).rendering;
    // The function names are the AWS ones, which name the nested stack (`StagegraphExample-Functions2-...`).
    const names = (config: TerraformConfig) =>
      JSON.parse(
        JSON.stringify(config, (key: string, value: unknown) =>
          (key === 'name' || key === 'stream_name') && typeof value === 'string' && value.includes('-') ? '-' : value,
        ),
      ) as unknown;
    expect(validateTerraform(nested.config, PROVIDER_SCHEMA)).toEqual([]);
    expect(names(nested.config)).toEqual(names(flat.config));
    // What is left out is alike (the billing meter's subscriptions have ids made from the functions' paths).
    const leftOut = (rendering: typeof flat) =>
      rendering.notRendered
        .map(n => `${n.type} ${n.path.replace(/Functions\d+/g, '').replace(/[0-9A-F]{8}\//, '/')}`)
        .sort();
    expect(leftOut(nested)).toEqual(leftOut(flat));
  });
});
