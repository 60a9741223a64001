import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { SQSClient } from '@aws-sdk/client-sqs';
import { deployLocal } from '../../../lib/app/deploy';
import { localClientConfig, localRestApiUrl } from '../../../lib/local/endpoint';
import { findDeployedFunction } from '../../../lib/app/deployed';
import {
  ExampleCloud,
  ExampleOutputs,
  exampleOutputs,
  Inbox,
  runDocuments,
  runFileProcessing,
  runIot,
  runWebBackend,
} from '../../../bin/example/scenarios';
import { waitFor } from '../../../lib/testing';

// The example app of bin/app.ts on the local cloud: its four scenarios driven with real inputs (an
// image, device readings, HTTP calls, documents), their outputs checked through the AWS SDK, and the
// billing meter's metrics of each scenario's functions.
jest.setTimeout(600_000);

const ROOT = path.join(__dirname, '..', '..', '..');
const cloud: ExampleCloud = { config: localClientConfig(), apiUrl: localRestApiUrl };
const sqs = new SQSClient(cloud.config);
const cloudwatch = new CloudWatchClient(cloud.config);
const run = Date.now().toString(36);
let outdir: string;
let out: ExampleOutputs;
let inbox: Inbox;
let started: number;

async function meteredInvocations(functionId: string, atLeast: number): Promise<number> {
  const { functionName } = await findDeployedFunction(outdir, functionId);
  return waitFor(
    `${atLeast} metered invocations of ${functionId}`,
    async () => {
      const result = await cloudwatch.send(
        new GetMetricStatisticsCommand({
          Namespace: 'Stagegraph/Billing',
          MetricName: 'Invocations',
          Dimensions: [{ Name: 'FunctionName', Value: functionName }],
          StartTime: new Date(started - 60_000),
          EndTime: new Date(Date.now() + 60_000),
          Period: 3600,
          Statistics: ['Sum'],
        }),
      );
      const sum = (result.Datapoints ?? []).reduce((total, point) => total + (point.Sum ?? 0), 0);
      return sum >= atLeast ? sum : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
}

beforeAll(async () => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-example-'));
  await deployLocal({ projectDir: ROOT, outdir });
  out = await exampleOutputs(cloud);
  inbox = new Inbox(sqs, out.InboxQueueUrl);
  started = Date.now();
});

afterAll(() => {
  sqs.destroy();
  cloudwatch.destroy();
  fs.rmSync(outdir, { recursive: true, force: true });
});

test('1. an image uploaded under uploads/ gets a real thumbnail under thumbnails/ and an SMN message', async () => {
  const result = await runFileProcessing(cloud, out, inbox, run);

  expect(result.upload).toMatchObject({ width: 640, height: 426 });
  expect(result.thumbnail).toMatchObject({ key: `thumbnails/landscape-${run}.png`, width: 128, height: 85 });
  expect(result.thumbnail.bytes).toBeGreaterThan(500);
  expect(result.notification).toEqual({
    bucket: out.BucketName,
    source: `uploads/landscape-${run}.png`,
    thumbnail: `thumbnails/landscape-${run}.png`,
    sourceWidth: 640,
    sourceHeight: 426,
    width: 128,
    height: 85,
    format: 'png',
  });
  expect(await meteredInvocations('Thumbnail', 1)).toBeGreaterThanOrEqual(1);
});

test('2. readings through DMS and DIS are aggregated per device, and the hot device raises an alert', async () => {
  const result = await runIot(cloud, out, inbox, run);
  const [cooler, office, furnace] = result.devices;

  expect(result.perDevice[cooler]).toEqual({ count: 10, min: 4.5, max: 5.3, mean: expect.closeTo(4.91, 10) });
  expect(result.perDevice[office]).toEqual({ count: 10, min: 21, max: 22.3, mean: expect.closeTo(21.68, 10) });
  expect(result.perDevice[furnace]).toEqual({ count: 10, min: 28, max: 36, mean: expect.closeTo(31.25, 10) });
  expect(result.streamAggregates.map(a => [a.device, a.count, a.max]).sort()).toEqual(
    [
      [cooler, 1, 20],
      [furnace, 1, 20],
      [office, 1, 20],
    ].sort(),
  );
  // Only the furnace passed 30 °C, and only through the queue.
  expect(result.alerts).toEqual([expect.objectContaining({ device: furnace, source: 'dms', max: 36, threshold: 30 })]);
  expect(await meteredInvocations('IotAggregator', 2)).toBeGreaterThanOrEqual(2);
});

test('3. the items API does a CRUD round trip and answers bad input with 4xx, never 5xx', async () => {
  const result = await runWebBackend(cloud, out);

  expect(result.created).toMatchObject({
    status: 201,
    body: { name: 'Espresso machine', price: 249.9, tags: ['kitchen'] },
  });
  const id = (result.created.body as { id: string }).id;
  expect(result.read).toEqual({ status: 200, body: result.created.body });
  expect(result.updated).toMatchObject({ status: 200, body: { id, price: 199, tags: ['kitchen', 'sale'] } });
  expect(result.listedCount).toBeGreaterThanOrEqual(1);
  expect(result.pageSizes.every(size => size === 1)).toBe(true); // pages of one item, followed to the end
  expect(result.pageIds).toEqual(expect.arrayContaining([id, result.secondId]));
  expect(new Set(result.pageIds).size).toBe(result.pageIds.length);
  expect(result.bad.pageTooLarge).toEqual({
    status: 400,
    body: { message: "limit must be a whole number from 1 to 100 (given '500')" },
  });
  expect(result.deleted.status).toBe(204);
  expect(result.gone).toEqual({ status: 404, body: { message: `no item ${id}` } });
  expect(result.bad.notJson).toEqual({ status: 400, body: { message: 'the body must be a JSON object' } });
  expect(result.bad.missingName).toEqual({
    status: 400,
    body: { message: 'name must be a string of 1 to 100 characters' },
  });
  expect(result.bad.negativePrice).toEqual({ status: 400, body: { message: 'price must be a number from 0' } });
  expect(result.bad.unknownId.status).toBe(404);
  for (const response of Object.values(result.bad)) expect(response.status).toBeLessThan(500);
  expect(await meteredInvocations('ItemsApi', 10)).toBeGreaterThanOrEqual(10);
});

test('4. documents start the flow: the positive one is archived, the negative one raises an SMN alert', async () => {
  const result = await runDocuments(cloud, out, inbox, run);
  const praise = result.results['customer-praise'];
  const complaint = result.results['customer-complaint'];

  expect(praise.status).toBe('SUCCEEDED');
  expect(praise.output).toMatchObject({
    trigger: 'obs',
    key: `documents/customer-praise-${run}.txt`,
    document: {
      words: expect.any(Number),
      sentences: expect.any(Number),
      runtime: expect.stringMatching(/^python 3\./),
    },
    analysis: {
      sentiment: { label: 'positive' },
      keywords: expect.arrayContaining([expect.objectContaining({ word: expect.any(String) })]),
    },
    archived: { key: `archive/customer-praise-${run}.json` },
  });
  expect(result.archived).toMatchObject({ source: praise.key, analysis: { sentiment: { label: 'positive' } } });
  expect(complaint.status).toBe('SUCCEEDED');
  expect(complaint.output).toMatchObject({
    analysis: { sentiment: { label: 'negative' } },
    alert: { MessageId: expect.any(String) },
  });
  expect(complaint.output.archived).toBeUndefined();
  expect(result.alert).toMatchObject({
    key: complaint.key,
    sentiment: { label: 'negative' },
    keywords: expect.any(Array),
  });
  for (const fn of ['Documents/ExtractText', 'Documents/ClassifySentiment', 'Documents/ExtractKeywords']) {
    expect(await meteredInvocations(fn, 2)).toBeGreaterThanOrEqual(2);
  }
  expect(await meteredInvocations('Documents/ArchiveResult', 1)).toBeGreaterThanOrEqual(1);
});
