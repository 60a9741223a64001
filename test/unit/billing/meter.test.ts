import { gzipSync } from 'zlib';
import { BillingModel, parseReportLine } from '../../../lib';
import { meter, metricData } from '../../../lib/billing/meter-handler';

const REPORT = 'REPORT RequestId: 3f1e0c8e-1d2b-4a5b-9c7d-1234567890ab\tDuration: 101.25 ms\tBilled Duration: 102 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t';

describe('parseReportLine', () => {
  test('reads every field of a REPORT line, with Init Duration on a cold start', () => {
    expect(parseReportLine(`${REPORT}Init Duration: 63.10 ms\t\n`)).toEqual({
      requestId: '3f1e0c8e-1d2b-4a5b-9c7d-1234567890ab', durationMillis: 101.25, billedDurationMillis: 102,
      memorySizeMb: 128, maxMemoryUsedMb: 40, initDurationMillis: 63.1,
    });
  });

  test('ignores other lines', () => {
    expect(parseReportLine('START RequestId: abc Version: $LATEST')).toBeUndefined();
    expect(parseReportLine('REPORT without fields')).toBeUndefined();
  });
});

describe('the meter function', () => {
  const payload = {
    messageType: 'DATA_MESSAGE',
    logGroup: '/aws/lambda/shop-api',
    logEvents: [
      { id: '1', timestamp: 1_800_000_000_000, message: 'START RequestId: a' },
      { id: '2', timestamp: 1_800_000_000_100, message: `${REPORT}Init Duration: 63.10 ms\t` },
      { id: '3', timestamp: 1_800_000_000_200, message: REPORT.replace('101.25', '99.00') },
    ],
  };

  test('meters each REPORT line with the model: billed ms, GB-seconds, cost, cold starts', () => {
    const meterings = meter(payload, BillingModel.FUNCTIONSTAGE_SEED);
    expect(meterings).toEqual([
      { functionName: 'shop-api', timestamp: 1_800_000_000_100, billedMillis: 200, gbSeconds: 0.025, costUsd: BillingModel.FUNCTIONSTAGE_SEED.invocationUsd(200, 128), initMillis: 63.1 },
      { functionName: 'shop-api', timestamp: 1_800_000_000_200, billedMillis: 100, gbSeconds: 0.0125, costUsd: BillingModel.FUNCTIONSTAGE_SEED.invocationUsd(100, 128) },
    ]);
  });

  test('publishes each figure per function and for the app', () => {
    const data = metricData(meter(payload, BillingModel.AWS_LAMBDA_X86_64), 'shop');
    const cold = data.filter(d => d.Timestamp?.getTime() === 1_800_000_000_100);
    expect(cold.map(d => `${d.MetricName} ${d.Dimensions?.[0].Name}=${d.Dimensions?.[0].Value} ${d.Value}`)).toEqual([
      'Invocations FunctionName=shop-api 1', 'Invocations App=shop 1',
      'BilledDurationMillis FunctionName=shop-api 165', 'BilledDurationMillis App=shop 165',
      `GbSeconds FunctionName=shop-api ${0.125 * 0.165}`, `GbSeconds App=shop ${0.125 * 0.165}`,
      `CostUsd FunctionName=shop-api ${BillingModel.AWS_LAMBDA_X86_64.invocationUsd(165, 128)}`, `CostUsd App=shop ${BillingModel.AWS_LAMBDA_X86_64.invocationUsd(165, 128)}`,
      'ColdStarts FunctionName=shop-api 1', 'ColdStarts App=shop 1',
      'InitDurationMillis FunctionName=shop-api 63.1', 'InitDurationMillis App=shop 63.1',
    ]);
    // A warm invocation has no InitDurationMillis and 0 cold starts.
    expect(data.filter(d => d.Timestamp?.getTime() === 1_800_000_000_200).map(d => d.MetricName)).not.toContain('InitDurationMillis');
  });

  test('the handler decodes the gzipped, base64 payload CloudWatch Logs sends', async () => {
    // Only the decoding: the metrics go to CloudWatch in the integration test.
    const data = Buffer.from(gzipSync(JSON.stringify({ ...payload, messageType: 'CONTROL_MESSAGE' }))).toString('base64');
    const { handler } = await import('../../../lib/billing/meter-handler');
    await expect(handler({ awslogs: { data } })).resolves.toEqual({ metered: 0 });
  });
});
