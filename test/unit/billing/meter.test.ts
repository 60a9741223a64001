import { gzipSync } from 'zlib';
import { BillingModel } from '../../../lib';
import { parsePlatformReport, parseReportLine, parseStart } from '../../../lib/billing/report-line';
import { meter, metricData, modelFor, sharedTarget } from '../../../lib/handlers/meter-handler';
import {
  MeteredConfiguration,
  meterFilterName,
  parseMeterFilterName,
  SHARED_METER_FILTER_NAME,
} from '../../../lib/billing/meter-filter';
import { MeterMemory } from '../../../lib/billing/platform-reports';
import { functionOfStream } from '../../../lib/billing/log-streams';

const ID = '3f1e0c8e-1d2b-4a5b-9c7d-1234567890ab';
const ID2 = '4a2b0c8e-1d2b-4a5b-9c7d-1234567890ab';
const REPORT = `REPORT RequestId: ${ID}\tDuration: 101.25 ms\tBilled Duration: 102 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t`;
const FILTER = meterFilterName('128', '3');

describe('parseReportLine', () => {
  test('reads every field of a REPORT line, with Init Duration on a cold start', () => {
    expect(parseReportLine(`${REPORT}Init Duration: 63.10 ms\t\n`)).toEqual({
      requestId: '3f1e0c8e-1d2b-4a5b-9c7d-1234567890ab',
      durationMillis: 101.25,
      billedDurationMillis: 102,
      memorySizeMb: 128,
      maxMemoryUsedMb: 40,
      initDurationMillis: 63.1,
    });
  });

  test('ignores other lines, and REPORT lines that do not start the line or carry other text', () => {
    expect(parseReportLine('START RequestId: abc Version: $LATEST')).toBeUndefined();
    expect(parseReportLine('REPORT without fields')).toBeUndefined();
    expect(parseReportLine(`2026-11-25T10:00:00.000Z\t${ID}\tINFO\t${REPORT}`)).toBeUndefined();
    expect(parseReportLine(` ${REPORT}`)).toBeUndefined();
    expect(parseReportLine(`${REPORT}Duration: 9999 ms\t`)).toBeUndefined();
    expect(parseReportLine(REPORT.replace(ID, 'not-a-request-id'))).toBeUndefined();
  });

  test('reads the status of a failed invocation and the X-Ray line of a traced one', () => {
    expect(parseReportLine(`${REPORT}Status: timeout\n`)?.durationMillis).toBe(101.25);
    expect(parseReportLine(`${REPORT}Status: error\tError Type: Runtime.ExitError`)?.requestId).toBe(ID);
    expect(
      parseReportLine(
        `${REPORT}\nXRAY TraceId: 1-5e1b4151-5ac6c58f5b5daa6532e4f2c6\tSegmentId: 6b9e52b1c7c7c0a0\tSampled: true`,
      )?.requestId,
    ).toBe(ID);
  });
});

describe('parsePlatformReport and parseStart: the JSON log format', () => {
  const report = JSON.stringify({
    time: '2026-11-25T10:00:00.000Z',
    type: 'platform.report',
    record: {
      requestId: ID,
      metrics: {
        durationMs: 12.5,
        billedDurationMs: 13,
        memorySizeMB: 256,
        maxMemoryUsedMB: 70,
        initDurationMs: 150.2,
      },
      status: 'success',
    },
  });

  test('reads the platform.report event', () => {
    expect(parsePlatformReport(report)).toEqual({
      requestId: ID,
      durationMillis: 12.5,
      billedDurationMillis: 13,
      memorySizeMb: 256,
      maxMemoryUsedMb: 70,
      initDurationMillis: 150.2,
    });
    expect(
      parseStart(
        JSON.stringify({
          time: '2026-11-25T10:00:00.000Z',
          type: 'platform.start',
          record: { requestId: ID, version: '$LATEST' },
        }),
      ),
    ).toBe(ID);
    expect(parseStart(`START RequestId: ${ID} Version: $LATEST`)).toBe(ID);
  });

  test('ignores console lines that mention it, and events of other types or with missing metrics', () => {
    expect(
      parsePlatformReport(JSON.stringify({ timestamp: 'x', level: 'INFO', requestId: ID, message: report })),
    ).toBeUndefined();
    expect(parsePlatformReport(report.replace('platform.report', 'platform.start'))).toBeUndefined();
    expect(parsePlatformReport(report.replace('"durationMs":12.5,', ''))).toBeUndefined();
    expect(parsePlatformReport(report.replace('"memorySizeMB":256', '"memorySizeMB":"256"'))).toBeUndefined();
    expect(parsePlatformReport('{not json "platform.report"')).toBeUndefined();
  });
});

describe("only the platform's REPORT lines are metered", () => {
  const start = (id: string) => `START RequestId: ${id} Version: $LATEST`;
  const report = (id: string, duration = '101.25', memory = 128) =>
    REPORT.replace(ID, id).replace('101.25', duration).replace('128 MB', `${memory} MB`);
  let n = 0;
  const events = (...messages: string[]) =>
    messages.map(message => ({ id: String(++n), timestamp: 1_800_000_000_000 + n, message }));
  const payload = (...messages: string[]) => ({
    messageType: 'DATA_MESSAGE',
    logGroup: '/aws/lambda/shop-api',
    logStream: 's1',
    subscriptionFilters: [FILTER],
    logEvents: events(...messages),
  });
  const forged = '0a0b0c0d-1d2b-4a5b-9c7d-1234567890ab';

  test("a REPORT line printed inside an invocation, in any form, is refused; the platform's one is metered", () => {
    const result = meter(
      payload(
        start(ID),
        `2026-11-25T10:00:00.000Z\t${ID}\tINFO\t${report(forged, '2999.00')}`, // console.log: not a line start
        start(forged),
        report(forged, '2999.00'), // a whole invocation printed inside this one
        report(ID, '2999.00'), // this invocation's own request id, printed before the platform's REPORT
        `END RequestId: ${ID}`,
        report(ID),
      ),
      BillingModel.AWS_LAMBDA_X86_64,
    );
    expect(result.meterings).toHaveLength(1);
    expect(result.meterings[0].billedMillis).toBe(102);
    expect(result.refused.map(r => r.reason)).toEqual([
      `inside invocation ${ID}: a line the function printed`,
      'a later REPORT line of the same invocation follows: a line the function printed',
    ]);
  });

  test("a report whose memory size, duration or INIT is not the function's is refused", () => {
    const memory = new MeterMemory();
    const ids = [
      '10000000-0000-4000-8000-000000000001',
      '10000000-0000-4000-8000-000000000002',
      '10000000-0000-4000-8000-000000000003',
    ];
    const result = meter(
      payload(
        start(ids[0]),
        report(ids[0], '50.00', 10240),
        start(ids[1]),
        report(ids[1], '3200.00'),
        start(ids[2]),
        `${report(ids[2])}Init Duration: 60000.00 ms\t`,
      ),
      BillingModel.AWS_LAMBDA_X86_64,
      memory,
    );
    expect(result.meterings).toEqual([]);
    expect(result.refused.map(r => r.reason)).toEqual([
      "Memory Size 10240 MB is not the function's 128 MB",
      "Duration 3200 ms is longer than the function's timeout, 3000 ms",
      'Init Duration 60000 ms is longer than INIT may take, 10000 ms',
    ]);
  });

  test("a payload delivered again is metered once, and a REPORT without the platform's START is refused", () => {
    const memory = new MeterMemory();
    const first = payload(start(ID), report(ID));
    const once = meter(first, BillingModel.AWS_LAMBDA_X86_64, memory);
    expect(once.meterings).toHaveLength(1);
    once.commit();
    const again = meter(first, BillingModel.AWS_LAMBDA_X86_64, memory);
    expect(again.meterings).toEqual([]);
    expect(again.refused.map(r => r.reason)).toEqual([
      `request ${ID} was metered before (the payload was delivered again)`,
    ]);
    expect(meter(payload(report(ID2)), BillingModel.AWS_LAMBDA_X86_64, memory).refused.map(r => r.reason)).toEqual([
      'no START line of the platform before it',
    ]);
  });

  test('a payload whose metrics were not published is metered again when delivered again', () => {
    const memory = new MeterMemory();
    const first = payload(start(ID), report(ID));
    expect(meter(first, BillingModel.AWS_LAMBDA_X86_64, memory).meterings).toHaveLength(1);
    // No commit: publishing failed.
    expect(meter(first, BillingModel.AWS_LAMBDA_X86_64, memory).meterings).toHaveLength(1);
  });

  test('the retries of an asynchronous event keep its request id: each attempt in a payload of its own is metered', () => {
    const memory = new MeterMemory();
    const first = meter(payload(start(ID), report(ID, '2999.00')), BillingModel.AWS_LAMBDA_X86_64, memory);
    first.commit();
    const retry = meter(payload(start(ID), report(ID, '50.00')), BillingModel.AWS_LAMBDA_X86_64, memory);
    expect([...first.meterings, ...retry.meterings].map(m => m.billedMillis)).toEqual([2999, 50]);
  });

  test('a START of its own request id printed by the function does not open a bracket for what it prints next', () => {
    const fresh = '0a0b0c0d-1d2b-4a5b-9c7d-1234567890ab';
    const result = meter(
      payload(
        start(ID),
        start(fresh),
        report(fresh, '2999.00'),
        start(ID),
        report(ID, '2999.00'),
        `END RequestId: ${ID}`,
        report(ID),
      ),
      BillingModel.AWS_LAMBDA_X86_64,
    );
    expect(result.meterings.map(m => m.billedMillis)).toEqual([102]);
  });

  test('an invocation whose lines come in two payloads is metered once it ends', () => {
    const memory = new MeterMemory();
    const head = meter(payload(start(ID), 'working'), BillingModel.AWS_LAMBDA_X86_64, memory);
    expect(head.meterings).toEqual([]);
    head.commit();
    expect(
      meter(payload(`END RequestId: ${ID}`, report(ID)), BillingModel.AWS_LAMBDA_X86_64, memory).meterings,
    ).toHaveLength(1);
  });

  test('a subscription the meter did not make meters nothing (its configuration is unknown)', () => {
    const result = meter(
      { ...payload(start(ID), report(ID)), subscriptionFilters: ['someone-else'] },
      BillingModel.AWS_LAMBDA_X86_64,
    );
    expect(result.meterings).toEqual([]);
    expect(result.refused[0].reason).toMatch(/not the meter's/);
  });
});

describe('the meter function', () => {
  const payload = {
    messageType: 'DATA_MESSAGE',
    logGroup: '/aws/lambda/shop-api',
    logStream: '2026/11/25/[$LATEST]abc',
    subscriptionFilters: [FILTER],
    logEvents: [
      { id: '1', timestamp: 1_800_000_000_000, message: `START RequestId: ${ID} Version: $LATEST` },
      { id: '2', timestamp: 1_800_000_000_100, message: `${REPORT}Init Duration: 63.10 ms\t` },
      { id: '3', timestamp: 1_800_000_000_150, message: `START RequestId: ${ID2} Version: $LATEST` },
      { id: '4', timestamp: 1_800_000_000_200, message: REPORT.replace('101.25', '99.00').replace(ID, ID2) },
    ],
  };

  test('meters each REPORT line with the model: billed ms, GB-seconds, cost, cold starts', () => {
    const { meterings } = meter(payload, BillingModel.FUNCTIONSTAGE_SEED);
    expect(meterings).toEqual([
      {
        functionName: 'shop-api',
        timestamp: 1_800_000_000_100,
        billedMillis: 200,
        gbSeconds: 0.025,
        costUsd: BillingModel.FUNCTIONSTAGE_SEED.invocationUsd(200, 128),
        initMillis: 63.1,
      },
      {
        functionName: 'shop-api',
        timestamp: 1_800_000_000_200,
        billedMillis: 100,
        gbSeconds: 0.0125,
        costUsd: BillingModel.FUNCTIONSTAGE_SEED.invocationUsd(100, 128),
      },
    ]);
  });

  test('publishes each figure per function and for the app, as one statistic set per second', () => {
    const data = metricData(meter(payload, BillingModel.AWS_LAMBDA_X86_64).meterings, 'shop');
    // Both invocations fall in the same second: a cold one (165 ms billed, INIT 63.1 ms) and a warm one (99 ms).
    const usd = (ms: number) => BillingModel.AWS_LAMBDA_X86_64.invocationUsd(ms, 128);
    const line = (d: (typeof data)[number]) => {
      const v = d.StatisticValues!;
      return `${d.MetricName} ${d.Dimensions?.[0].Name}=${d.Dimensions?.[0].Value} n=${v.SampleCount} sum=${+v.Sum!.toPrecision(12)} min=${+v.Minimum!.toPrecision(12)} max=${+v.Maximum!.toPrecision(12)}`;
    };
    expect(data.every(d => d.Timestamp?.getTime() === 1_800_000_000_000)).toBe(true);
    expect(data.map(line)).toEqual([
      'Invocations FunctionName=shop-api n=2 sum=2 min=1 max=1',
      'Invocations App=shop n=2 sum=2 min=1 max=1',
      'BilledDurationMillis FunctionName=shop-api n=2 sum=264 min=99 max=165',
      'BilledDurationMillis App=shop n=2 sum=264 min=99 max=165',
      `GbSeconds FunctionName=shop-api n=2 sum=${+(0.125 * 0.264).toPrecision(12)} min=${0.125 * 0.099} max=${0.125 * 0.165}`,
      `GbSeconds App=shop n=2 sum=${+(0.125 * 0.264).toPrecision(12)} min=${0.125 * 0.099} max=${0.125 * 0.165}`,
      `CostUsd FunctionName=shop-api n=2 sum=${+(usd(165) + usd(99)).toPrecision(12)} min=${+usd(99).toPrecision(12)} max=${+usd(165).toPrecision(12)}`,
      `CostUsd App=shop n=2 sum=${+(usd(165) + usd(99)).toPrecision(12)} min=${+usd(99).toPrecision(12)} max=${+usd(165).toPrecision(12)}`,
      'ColdStarts FunctionName=shop-api n=2 sum=1 min=0 max=1',
      'ColdStarts App=shop n=2 sum=1 min=0 max=1',
      // Only the cold start has an INIT.
      'InitDurationMillis FunctionName=shop-api n=1 sum=63.1 min=63.1 max=63.1',
      'InitDurationMillis App=shop n=1 sum=63.1 min=63.1 max=63.1',
    ]);
  });

  test('a burst is a few statistic sets, not a value per invocation', () => {
    const meterings = Array.from({ length: 500 }, (_, i) => ({
      functionName: 'f',
      timestamp: 1_800_000_000_000 + i * 10,
      billedMillis: 10,
      gbSeconds: 0.00125,
      costUsd: 1e-7,
    }));
    const data = metricData(meterings, 'shop');
    // 5 seconds x 5 metrics (no INIT) x 2 dimensions.
    expect(data).toHaveLength(50);
    expect(
      data
        .filter(d => d.MetricName === 'Invocations' && d.Dimensions?.[0].Name === 'App')
        .reduce((sum, d) => sum + d.StatisticValues!.Sum!, 0),
    ).toBe(500);
  });

  describe("a stack's function log group: the function named by the stream, its configuration read from Lambda", () => {
    const shared = (logStream: string) => ({
      ...payload,
      logGroup: '/aws/lambda/Shop/functions',
      logStream,
      subscriptionFilters: [SHARED_METER_FILTER_NAME],
    });
    const configurations: Record<string, MeteredConfiguration> = {
      'shop-api': { memoryMb: 128, timeoutMillis: 3000, architecture: 'arm64' },
      'shop-big': { memoryMb: 1024, timeoutMillis: 3000, architecture: 'x86_64' },
    };
    const read = jest.fn(async (name: string) => configurations[name]);

    test('meters the lines of the function Lambda named the stream after, checked against its configuration', async () => {
      const target = await sharedTarget(shared('2026/11/25/shop-api[$LATEST]0a1b2c'), read);
      expect(target).toEqual({ functionName: 'shop-api', config: configurations['shop-api'] });
      expect(read).toHaveBeenCalledWith('shop-api', '$LATEST');
      const { meterings, refused } = meter(
        shared('2026/11/25/shop-api[$LATEST]0a1b2c'),
        BillingModel.AWS_LAMBDA_ARM_64,
        new MeterMemory(),
        target,
      );
      expect(meterings.map(m => [m.functionName, m.billedMillis])).toEqual([
        ['shop-api', 165],
        ['shop-api', 99],
      ]);
      expect(refused).toEqual([]);
    });

    test("a report of another function's memory size is refused: a stream is only its function's", async () => {
      const target = await sharedTarget(shared('2026/11/25/shop-big[7]0a1b2c'), read);
      const { meterings, refused } = meter(
        shared('2026/11/25/shop-big[7]0a1b2c'),
        BillingModel.AWS_LAMBDA_X86_64,
        new MeterMemory(),
        target,
      );
      expect(meterings).toEqual([]);
      expect(refused.map(r => r.reason)).toEqual([
        "Memory Size 128 MB is not the function's 1024 MB",
        "Memory Size 128 MB is not the function's 1024 MB",
      ]);
    });

    test('a stream not named as Lambda names them, or of no function, meters nothing, saying why', async () => {
      read.mockClear();
      // What a function's role may create but not put events into: another name, another function's after a slash.
      for (const stream of [
        'fake',
        '2026/11/25/[$LATEST]0a1b2c',
        '2026/11/25/shop-api[/shop-big[$LATEST]0a',
        '2026/11/25/x/shop-api[$LATEST]0a',
      ]) {
        const target = await sharedTarget(shared(stream), read);
        expect(target.config).toBeUndefined();
        const { meterings, refused } = meter(shared(stream), BillingModel.AWS_LAMBDA_X86_64, new MeterMemory(), target);
        expect(meterings).toEqual([]);
        expect(refused.map(r => r.reason)).toEqual([
          `the stream ${JSON.stringify(stream)} is not named after a function`,
          `the stream ${JSON.stringify(stream)} is not named after a function`,
        ]);
      }
      expect(read).not.toHaveBeenCalled();
      const gone = await sharedTarget(shared('2026/11/25/shop-gone[$LATEST]0a'), read);
      expect(gone).toEqual({
        functionName: 'shop-gone',
        unknownReason: 'no function shop-gone that the meter may read',
      });
    });

    test('stream names as Lambda writes them: the version, and the environment id with or without brackets', () => {
      expect(functionOfStream('2026/11/25/shop-api[$LATEST]0a1b2c')).toEqual({
        functionName: 'shop-api',
        version: '$LATEST',
      });
      expect(functionOfStream('2026/11/25/shop-api[3][0a1b2c]')).toEqual({ functionName: 'shop-api', version: '3' });
      for (const name of ['2026/11/25/shop-api[3][0a1b2c', '2026/11/25/shop-api[live]0a', '2026/11/25/[3]0a']) {
        expect(functionOfStream(name)).toBeUndefined();
      }
    });

    test("each function's architecture picks its model, unless the meter has one model for all", () => {
      const models = {
        x86_64: BillingModel.AWS_LAMBDA_X86_64.toJSON(),
        arm64: BillingModel.AWS_LAMBDA_ARM_64.toJSON(),
      };
      expect(modelFor(models, 'arm64').name).toBe(BillingModel.AWS_LAMBDA_ARM_64.name);
      expect(modelFor(models, 'x86_64').name).toBe(BillingModel.AWS_LAMBDA_X86_64.name);
      expect(modelFor({ '*': BillingModel.HUAWEI_FUNCTIONGRAPH.toJSON() }, 'arm64').name).toBe(
        BillingModel.HUAWEI_FUNCTIONGRAPH.name,
      );
    });
  });

  test("a function's own log group: the filter name carries memory, timeout and architecture", () => {
    expect(parseMeterFilterName(meterFilterName('512', '60', 'arm64'))).toEqual({
      memoryMb: 512,
      timeoutMillis: 60_000,
      architecture: 'arm64',
    });
    // Filters made before the architecture was in the name: x86_64.
    expect(parseMeterFilterName('stagegraph-meter-128mb-3s')?.architecture).toBe('x86_64');
    expect(parseMeterFilterName(SHARED_METER_FILTER_NAME)).toBeUndefined();
  });

  test("a shared group's function configuration is read once a minute, and again after 5 s for a report that does not fit", async () => {
    // The SDK clients answer here: what is checked is how often the handler asks Lambda, and what it meters.
    const { LambdaClient } = await import('@aws-sdk/client-lambda');
    const { CloudWatchClient } = await import('@aws-sdk/client-cloudwatch');
    let memoryMb = 128;
    const reads = jest
      .spyOn(LambdaClient.prototype, 'send')
      .mockImplementation(async () => ({ MemorySize: memoryMb, Timeout: 3, Architectures: ['x86_64'] }));
    const puts = jest.spyOn(CloudWatchClient.prototype, 'send').mockImplementation(async () => ({}));
    let clock = 1_800_000_000_000;
    const now = jest.spyOn(Date, 'now').mockImplementation(() => clock);
    const models = process.env.STAGEGRAPH_BILLING_MODELS;
    process.env.STAGEGRAPH_BILLING_MODELS = JSON.stringify({ x86_64: BillingModel.AWS_LAMBDA_X86_64.toJSON() });
    try {
      const { handler } = await import('../../../lib/handlers/meter-handler');
      let request = 0;
      /** One invocation (START, REPORT of `reported` MB) in shop-cache's stream, gzipped and base64 as Logs sends. */
      const delivery = (reported: number) => {
        const id = `${String(++request).padStart(8, '0')}-1d2b-4a5b-9c7d-1234567890ab`;
        const report = REPORT.replace(ID, id).replace('Memory Size: 128 MB', `Memory Size: ${reported} MB`);
        const data = {
          messageType: 'DATA_MESSAGE',
          logGroup: '/aws/lambda/Shop/functions',
          logStream: '2026/11/25/shop-cache[$LATEST]0a1b2c',
          subscriptionFilters: [SHARED_METER_FILTER_NAME],
          logEvents: [
            { id: `${request}a`, timestamp: clock - 200, message: `START RequestId: ${id} Version: $LATEST` },
            { id: `${request}b`, timestamp: clock, message: report },
          ],
        };
        return { awslogs: { data: Buffer.from(gzipSync(JSON.stringify(data))).toString('base64') } };
      };

      await expect(handler(delivery(128))).resolves.toEqual({ metered: 1, refused: 0 });
      expect(reads).toHaveBeenCalledTimes(1);
      clock += 59_000; // within the minute: the read is used
      await expect(handler(delivery(128))).resolves.toEqual({ metered: 1, refused: 0 });
      expect(reads).toHaveBeenCalledTimes(1);

      clock += 2_000; // the read is 61 s old: read again, though the report fits
      await expect(handler(delivery(128))).resolves.toEqual({ metered: 1, refused: 0 });
      expect(reads).toHaveBeenCalledTimes(2);

      memoryMb = 512; // a deploy changes the memory size
      clock += 1_000; // a report that does not fit, 1 s after the read: not read again, refused
      await expect(handler(delivery(512))).resolves.toEqual({ metered: 0, refused: 1 });
      expect(reads).toHaveBeenCalledTimes(2);
      clock += 5_000; // 6 s after the read: read again for it, and metered
      await expect(handler(delivery(512))).resolves.toEqual({ metered: 1, refused: 0 });
      expect(reads).toHaveBeenCalledTimes(3);
      expect(reads.mock.calls.map(([command]) => (command as { input: unknown }).input)).toEqual(
        Array(3).fill({ FunctionName: 'shop-cache', Qualifier: '$LATEST' }),
      );
      expect(puts).toHaveBeenCalledTimes(4);

      // A function the meter may not read (not tagged: not one it meters): its reports are refused, and the payload
      // is not failed to be delivered again.
      reads.mockImplementation(async () => {
        throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
      });
      clock += 61_000;
      await expect(handler(delivery(512))).resolves.toEqual({ metered: 0, refused: 1 });
      expect(reads).toHaveBeenCalledTimes(4);
      // Anything else still fails the delivery: Lambda's throttling, say.
      reads.mockImplementation(async () => {
        throw Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' });
      });
      clock += 61_000;
      await expect(handler(delivery(512))).rejects.toThrow('slow down');
    } finally {
      reads.mockRestore();
      puts.mockRestore();
      now.mockRestore();
      if (models === undefined) delete process.env.STAGEGRAPH_BILLING_MODELS;
      else process.env.STAGEGRAPH_BILLING_MODELS = models;
    }
  });

  test('the handler decodes the gzipped, base64 payload CloudWatch Logs sends', async () => {
    // Only the decoding: the metrics go to CloudWatch in the integration test.
    const data = Buffer.from(gzipSync(JSON.stringify({ ...payload, messageType: 'CONTROL_MESSAGE' }))).toString(
      'base64',
    );
    const { handler } = await import('../../../lib/handlers/meter-handler');
    await expect(handler({ awslogs: { data } })).resolves.toEqual({ metered: 0, refused: 0 });
  });
});
