import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CLOCK_SKEW_MILLIS, readBill, totalOf } from '../../../lib/app/bill';
import { parseSince } from '../../../lib/app/duration';
import { formatBill } from '../../../lib/terminal/bill-table';
import { estimateAssembly } from '../../../lib/app/estimate';
import { estimateApp, formatEstimate } from '../../../lib/cli/cost';
import { DeployTarget, estimateCost, Flow, FunctionGraph, StageCode, StageFunction } from '../../../lib';
import { FIXTURES } from '../../helpers';

describe('stagegraph bill', () => {
  test('--since takes a number and a unit', () => {
    expect(parseSince('30m')).toBe(1_800_000);
    expect(parseSince('1h')).toBe(3_600_000);
    expect(parseSince('7d')).toBe(604_800_000);
    expect(() => parseSince('soon')).toThrow(
      "--since must be a number and a unit, s, m, h or d, like 30m, 1h or 7d (given 'soon')",
    );
    expect(() => parseSince('0h')).toThrow(/given '0h'/);
    // As far back as CloudWatch keeps metrics, and no further (a number of days past it made an invalid timestamp).
    expect(parseSince('455d')).toBe(455 * 86_400_000);
    for (const far of ['456d', '99999999d', `${'9'.repeat(400)}s`]) {
      expect(() => parseSince(far)).toThrow(
        `--since reaches back at most 455d, the 15 months CloudWatch keeps metrics (given '${far}')`,
      );
    }
  });

  test("the window's period is a multiple CloudWatch takes for a start that far back, and reaches past now", async () => {
    const periods: Record<string, number> = {};
    for (const since of ['1h', '15d', '16d', '63d', '64d', '455d']) {
      let query: { StartTime: Date; EndTime: Date; MetricDataQueries: Array<{ MetricStat: { Period: number } }> };
      const client = {
        send: async (command: { constructor: { name: string }; input: unknown }) => {
          if (command.constructor.name === 'ListMetricsCommand') {
            return { Metrics: [{ Dimensions: [{ Name: 'FunctionName', Value: 'f' }] }] };
          }
          query = command.input as typeof query;
          return { MetricDataResults: [] };
        },
      } as unknown as CloudWatchClient;
      const now = Date.parse('2026-11-27T12:00:00Z');
      await readBill(client, parseSince(since), now);
      const period = query!.MetricDataQueries[0].MetricStat.Period;
      periods[since] = period;
      expect(query!.StartTime.getTime()).toBe(now - parseSince(since));
      expect(query!.EndTime.getTime()).toBe(query!.StartTime.getTime() + period * 1000);
      expect(query!.EndTime.getTime()).toBeGreaterThanOrEqual(now + CLOCK_SKEW_MILLIS);
    }
    expect(periods).toEqual({
      '1h': 3900,
      '15d': 1296300,
      '16d': 1382700,
      '63d': 5443500,
      '64d': 5533200,
      '455d': 39315600,
    });
  });

  test('sums the datapoints without float noise, per function and in the total', async () => {
    // 0.1 + 0.2 is 0.30000000000000004 in binary floating point; a bill says 0.3. The total adds two functions' lines.
    const client = {
      send: async (command: { constructor: { name: string }; input: unknown }) => {
        if (command.constructor.name === 'ListMetricsCommand') {
          return {
            Metrics: ['f', 'g'].map(name => ({ Dimensions: [{ Name: 'FunctionName', Value: name }] })),
          };
        }
        const { MetricDataQueries } = command.input as { MetricDataQueries: Array<{ Id: string }> };
        return {
          MetricDataResults: MetricDataQueries.map(({ Id }) => ({
            Id,
            Values: Id.startsWith('m0_') ? [0.1, 0.2] : [0.2, 0.1],
          })),
        };
      },
    } as unknown as CloudWatchClient;
    const bill = await readBill(client, parseSince('1h'), Date.parse('2026-11-27T12:00:00Z'));
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(0.30000000000000004 + 0.30000000000000004).not.toBe(0.6);
    const line = { invocations: 0.3, billedDurationMillis: 0.3, gbSeconds: 0.3, costUsd: 0.3, coldStarts: 0.3 };
    expect(bill.functions).toEqual([
      { name: 'f', ...line },
      { name: 'g', ...line },
    ]);
    expect(bill.total).toEqual({
      name: 'total',
      invocations: 0.6,
      billedDurationMillis: 0.6,
      gbSeconds: 0.6,
      costUsd: 0.6,
      coldStarts: 0.6,
    });
    expect(
      totalOf([
        { name: 'a', ...line, costUsd: 0.1 },
        { name: 'b', ...line, costUsd: 0.2 },
      ]).costUsd,
    ).toBe(0.3);
  });

  test('prints a line per function and the total', () => {
    const line = { invocations: 4, billedDurationMillis: 800, gbSeconds: 0.1, costUsd: 0.0000025, coldStarts: 1 };
    const text = formatBill({
      from: '2026-11-24T00:00:00.000Z',
      to: '2026-11-24T01:00:00.000Z',
      functions: [{ name: 'api', ...line }],
      total: { name: 'total', ...line },
    });
    expect(text.split('\n')).toEqual([
      'Bill from 2026-11-24T00:00:00.000Z to 2026-11-24T01:00:00.000Z (before free tiers)',
      '',
      'function  invocations  cold starts  billed ms    GB-s   cost (USD)',
      '--------  -----------  -----------  ---------  ------  -----------',
      'api                 4            1        800  0.1000  $0.00000250',
      '--------  -----------  -----------  ---------  ------  -----------',
      'total               4            1        800  0.1000  $0.00000250',
    ]);
  });
});

describe('stagegraph cost', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-cost-'));
  });
  afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('estimates from the cloud assembly exactly what estimateCost says in code', () => {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Shop');
    const api = new StageFunction(stack, 'Api', {
      code: StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs')),
      memorySize: 512,
      traffic: { invocationsPerMonth: 3_000_000, averageDuration: Duration.millis(120) },
    });
    new FunctionGraph(stack, 'Checkout', {
      definition: Flow.invoke('Charge', api),
      traffic: { executionsPerMonth: 50_000 },
    });
    app.synth();

    const fromAssembly = estimateAssembly(outdir);
    expect(fromAssembly).toEqual(estimateCost(stack));
    expect(fromAssembly.functions[0].invocationsPerMonth).toBe(3_050_000);
    const text = formatEstimate(fromAssembly);
    expect(text).toContain('Shop/Api');
    expect(text).toContain('Shop/Checkout');
    expect(text).toMatch(/always-on servers: \$\d+\.\d\d a month/);

    // --target huawei: the same assembly priced with FunctionGraph's model; the flow counts its function only.
    const huawei = estimateAssembly(outdir, DeployTarget.HUAWEI);
    expect(huawei).toEqual(estimateCost(stack, { target: DeployTarget.HUAWEI }));
    const huaweiText = formatEstimate(huawei);
    expect(huaweiText).toMatch(/Shop\/Api\s+Huawei FunctionGraph\s+512 MB\s+3,050,000/);
    expect(huaweiText).toMatch(/Shop\/Checkout\s+STANDARD\s+50,000\s+\d+\s+functions only/);
    expect(huaweiText).toContain('Flows: FunctionGraph workflows publish no price of their own');
  });

  test('--assembly of a folder without a cloud assembly says so (graph takes it the same way)', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-no-assembly-'));
    try {
      for (const assembly of [empty, path.join(empty, 'none')]) {
        await expect(estimateApp({ target: DeployTarget.AWS, assembly })).rejects.toThrow(
          `--assembly ${assembly}: no cloud assembly there (no ${path.join(assembly, 'manifest.json')}); give the folder \`cdk synth\` wrote, such as cdk.out, or leave --assembly out to synthesize the app`,
        );
      }
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  test('--target huawei synthesizes the app for Huawei Cloud, as synth --target huawei does', async () => {
    // GIVEN an app whose function has 512 MB on Huawei Cloud and 256 MB on AWS
    const projectDir = path.join(FIXTURES, 'target-app');
    try {
      // WHEN it is priced for each target
      const huawei = await estimateApp({ target: DeployTarget.HUAWEI, projectDir });
      const aws = await estimateApp({ target: DeployTarget.AWS, projectDir });

      // THEN each sees the app as synthesized for its target
      expect(huawei.functions.map(f => [f.path, f.model, f.memoryMb])).toEqual([
        ['Priced/Api', 'Huawei FunctionGraph', 512],
      ]);
      expect(aws.functions.map(f => [f.path, f.memoryMb])).toEqual([['Priced/Api', 256]]);
    } finally {
      fs.rmSync(path.join(projectDir, '.stagegraph'), { recursive: true, force: true });
    }
  }, 120_000);

  test('says how to declare traffic when there is none', () => {
    expect(
      formatEstimate({
        monthlyUsd: 0,
        functionsUsd: 0,
        flowsUsd: 0,
        freeTierUsd: 0,
        alwaysOnUsd: 0,
        functions: [],
        flows: [],
      }),
    ).toMatch(/No traffic declared: give functions `traffic/);
  });
});
