import * as path from 'path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { localClientConfig, localRestApiUrl } from '../../../lib/local/endpoint';
import { DeployedApp, LocalCloud, testApp, waitFor } from '../../../lib/testing';
import { StageFunction } from '../../../lib';
import { exampleApp } from '../../../bin/example/app';
import {
  ExampleCloud,
  ExampleOutputs,
  Inbox,
  runDocuments,
  runFileProcessing,
  runIot,
  runWebBackend,
} from '../../../bin/example/scenarios';

// The example app of bin/example/app.ts on the local cloud, deployed in-process with the testing kit: its four
// scenarios driven with real inputs (an image, device readings, HTTP calls, documents), their outputs checked
// through the AWS SDK, and the bill of each scenario's functions read from the billing meter.
jest.setTimeout(600_000);

const ROOT = path.join(__dirname, '..', '..', '..');
const example = exampleApp(testApp({ build: true }));
const cloud: ExampleCloud = { config: localClientConfig(), apiUrl: localRestApiUrl };
const sqs = new SQSClient(cloud.config);
const run = Date.now().toString(36);
let local: LocalCloud;
let deployed: DeployedApp;
let out: ExampleOutputs;
let inbox: Inbox;
let started: Date;

/** The metered invocations of a function since the suite began, once there are at least `atLeast`. */
async function meteredInvocations(fn: StageFunction, atLeast: number): Promise<number> {
  const bill = await waitFor(
    `${atLeast} metered invocations of ${fn.node.path}`,
    async () => {
      const read = await deployed.bill(started, [fn]);
      return read.total.invocations >= atLeast ? read : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  expect(bill.total.costUsd).toBeGreaterThan(0);
  return bill.total.invocations;
}

const documentFunction = (id: string): StageFunction => {
  const fn = example.documents.functions.find(f => f.node.id === id);
  if (!fn) throw new Error(`no document function ${id}`);
  return fn;
};

beforeAll(async () => {
  local = await LocalCloud.start({ projectDir: ROOT });
  deployed = await local.deploy(example.stack);
  out = deployed.outputs as unknown as ExampleOutputs;
  inbox = new Inbox(sqs, out.InboxQueueUrl);
  started = new Date();
});

afterAll(async () => {
  sqs.destroy();
  await local?.stop();
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
  expect(await meteredInvocations(example.thumbnail, 1)).toBeGreaterThanOrEqual(1);
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
  // Only the furnace passed 30 °C, and only through the queue: one alert per batch that held a reading over it (the
  // readings may come in more than one batch), the hottest 36.
  expect(result.alerts.length).toBeGreaterThanOrEqual(1);
  for (const alert of result.alerts) {
    expect(alert).toEqual(expect.objectContaining({ device: furnace, source: 'dms', threshold: 30 }));
  }
  expect(Math.max(...result.alerts.map(alert => Number(alert.max)))).toBe(36);
  expect(await meteredInvocations(example.aggregator, 2)).toBeGreaterThanOrEqual(2);
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
  expect(await meteredInvocations(example.items, 10)).toBeGreaterThanOrEqual(10);
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
  for (const id of ['ExtractText', 'ClassifySentiment', 'ExtractKeywords']) {
    expect(await meteredInvocations(documentFunction(id), 2)).toBeGreaterThanOrEqual(2);
  }
  expect(await meteredInvocations(documentFunction('ArchiveResult'), 1)).toBeGreaterThanOrEqual(1);
});
