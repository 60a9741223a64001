import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { App } from 'aws-cdk-lib';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { localClientConfig, localRestApiUrl } from '../../../lib/local/endpoint';
import { sendHttp } from '../../../lib/app/http-request';
import { DeployedApp, LocalCloud, testApp, waitFor } from '../../../lib/testing';
import { triggerTestApp } from './app';
import { logMessages } from '../function-logs';

// Triggers on the local cloud, the app deployed in-process with the testing kit: real S3, SNS, SQS, Kinesis,
// API Gateway and EventBridge deliveries to functions running in their runtime. Effects are read from CloudWatch
// Logs and SQS, polled with deadlines.
jest.setTimeout(240_000);

const config = localClientConfig();
const sns = new SNSClient(config);
const sqs = new SQSClient(config);
const s3 = new S3Client(config);
const kinesis = new KinesisClient(config);
const app = triggerTestApp(testApp({ build: true }));
let cloud: LocalCloud;
let deployed: DeployedApp;
const physical: Record<string, string> = {};

/** Deliveries are asynchronous: wait up to a minute by default, checking every 300 ms. */
const functions: Record<string, string> = {};

async function logLines(functionId: string, contains: string): Promise<string[]> {
  return (await logMessages(functions[functionId])).filter(m => m.includes(contains));
}

beforeAll(async () => {
  cloud = await LocalCloud.start({ projectDir: path.join(__dirname, '..', '..', '..') });
  deployed = await cloud.deploy(app.stack);
  for (const [name, construct] of Object.entries(app.resources)) physical[name] = await deployed.physicalId(construct);
  physical.StageHttpApi = await deployed.physicalId(app.stack.node.findChild('StageHttpApi'));
  physical.StageDeadLetters = await deployed.physicalId(app.stack.node.findChild('StageDeadLetters'));
  for (const [id, fn] of Object.entries(app.functions)) functions[id] = await deployed.physicalId(fn);
});

afterAll(async () => {
  for (const client of [sns, sqs, s3, kinesis]) {
    client.destroy();
  }
  await cloud?.stop();
});

test('an OBS upload that matches the filter invokes its function; other keys do not; a removal invokes the other', async () => {
  const marker = Date.now();
  await s3.send(new PutObjectCommand({ Bucket: physical.Files, Key: `other/${marker}.txt`, Body: 'no' }));
  await s3.send(new PutObjectCommand({ Bucket: physical.Files, Key: `uploads/${marker}.bin`, Body: 'no' }));
  await s3.send(new PutObjectCommand({ Bucket: physical.Files, Key: `uploads/${marker}.txt`, Body: 'yes' }));
  await s3.send(new DeleteObjectCommand({ Bucket: physical.Files, Key: `uploads/${marker}.txt` }));

  const created = await waitFor(
    'the upload in the Uploads log',
    async () => {
      const found = await logLines('Uploads', `${marker}`);
      return found.length > 0 ? found : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 300 },
  );
  expect(created).toHaveLength(1);
  expect(created[0]).toMatch(new RegExp(`probe-s3 ObjectCreated:Put uploads/${marker}\\.txt`));
  const removed = await waitFor(
    'the removal in the Removals log',
    async () => {
      const found = await logLines('Removals', `uploads/${marker}.txt`);
      return found.length > 0 ? found : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 300 },
  );
  expect(removed[0]).toMatch(/probe-s3 ObjectRemoved:Delete/);
  expect(await logLines('Uploads', `other/${marker}`)).toEqual([]);
});

test('an HTTP request reaches the function through the REST API and its answer comes back', async () => {
  const url = (path: string) => `${localRestApiUrl(physical.StageHttpApi)}${path}`;

  const get = await fetch(url('/items/42'));
  expect(get.status).toBe(200);
  expect(await get.json()).toEqual({ method: 'GET', path: '/items/42', id: '42', body: null });
  const post = await fetch(url('/items/7'), {
    method: 'POST',
    body: '{"name":"seven"}',
    headers: { 'Content-Type': 'application/json' },
  });
  expect(await post.json()).toMatchObject({ method: 'POST', id: '7', body: '{"name":"seven"}' });
  const unrouted = await fetch(url('/nothing-here'));
  expect(unrouted.status).toBeGreaterThanOrEqual(400);
  expect(unrouted.status).toBeLessThan(500);
});

test('a form body (the default of `curl --data`) reaches the function as it was sent, signed or not', async () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  for (const body of ['{"x":1}', 'a', 'a=1&b=2+3&c=%20&a=4']) {
    const response = await fetch(`${localRestApiUrl(physical.StageHttpApi)}/items/form`, {
      method: 'POST',
      body,
      headers: form,
    });
    expect(await response.json()).toMatchObject({ method: 'POST', id: 'form', body });
  }
  const body = 'signed={"form":true}';
  const signed = await sendHttp(
    new URL(`${localRestApiUrl(physical.StageHttpApi)}/private`),
    { method: 'POST', body, headers: form },
    { accessKeyId: 'test', secretAccessKey: 'test' },
  );
  expect(signed.status).toBe(200);
  expect(await signed.json()).toMatchObject({ method: 'POST', path: '/private', body });
});

test("an HTTP body over API Gateway's 10 MB is refused with 413 before the function runs", async () => {
  const marker = `big-${Date.now()}`;
  const response = await fetch(`${localRestApiUrl(physical.StageHttpApi)}/items/${marker}`, {
    method: 'POST',
    body: 'x'.repeat(11 * 1024 * 1024),
  });

  expect(response.status).toBe(413);
  expect(await response.json()).toEqual({ message: 'Request Too Long' });
  const small = await fetch(`${localRestApiUrl(physical.StageHttpApi)}/items/${marker}`, {
    method: 'POST',
    body: 'x'.repeat(1024),
  });
  expect(small.status).toBe(200);
});

test('a route with IAM auth (the default) refuses unsigned and wrongly signed requests with 403, and runs signed ones', async () => {
  const url = new URL(`${localRestApiUrl(physical.StageHttpApi)}/private`);
  const body = '{"signed":true}';
  // Signed by the testing kit's sender (SigV4 for execute-api), with the right secret and a wrong one.
  const sign = async (secretAccessKey: string) => {
    const answer = await sendHttp(
      url,
      { method: 'POST', body, headers: { 'content-type': 'application/json' } },
      {
        accessKeyId: 'test',
        secretAccessKey,
      },
    );
    return { status: answer.status, json: async () => answer.json() };
  };

  const unsigned = await fetch(url, { method: 'POST', body });
  const wrong = await sign('not-the-secret');
  const good = await sign('test');

  expect(unsigned.status).toBe(403);
  expect(await unsigned.json()).toEqual({ message: 'Missing Authentication Token' });
  expect(wrong.status).toBe(403);
  expect(((await wrong.json()) as { message: string }).message).toMatch(
    /^The request signature we calculated does not match/,
  );
  expect(good.status).toBe(200);
  expect(await good.json()).toMatchObject({ method: 'POST', path: '/private', body });
});

test('a route with a Lambda authorizer: 401 without the header, 403 on a deny, 200 with the context on an allow', async () => {
  const url = `${localRestApiUrl(physical.StageHttpApi)}/guarded/9?via=test`;
  const call = (authorization?: string) =>
    fetch(url, { headers: authorization ? { Authorization: authorization } : {} });

  const missing = await call();
  const refused = await call('someone-else');
  const denied = await call('deny-me');
  const broken = await call('broken');
  const allowed = await call('allow-me');

  expect([missing.status, await missing.json()]).toEqual([401, { message: 'Unauthorized' }]);
  expect([refused.status, await refused.json()]).toEqual([401, { message: 'Unauthorized' }]);
  expect([denied.status, await denied.json()]).toEqual([
    403,
    { Message: 'User is not authorized to access this resource with an explicit deny' },
  ]);
  expect(broken.status).toBe(500);
  expect(allowed.status).toBe(200);
  const seen = (await allowed.json()) as { id: string; authorizer: Record<string, unknown> };
  expect(seen.id).toBe('9');
  // The authorizer got API Gateway's REQUEST event, and the function gets its context as text.
  expect(seen.authorizer).toMatchObject({
    principalId: 'alice',
    tier: '3',
    admin: 'false',
    type: 'REQUEST',
    resource: '/guarded/{id}',
    path: '/guarded/9',
    httpMethod: 'GET',
    id: '9',
    stage: 'live',
    methodArn: `arn:aws:execute-api:us-east-1:000000000000:${physical.StageHttpApi}/live/GET/guarded/9`,
  });
  expect(typeof seen.authorizer.integrationLatency).toBe('number');
  // Without a cache, each request asks the authorizer again.
  const again = (await (await call('allow-me')).json()) as { authorizer: { invocation: string } };
  expect(again.authorizer.invocation).not.toBe(seen.authorizer.invocation);
});

test('a cached Lambda authorizer answers the same identity from its cache', async () => {
  const url = `${localRestApiUrl(physical.StageHttpApi)}/cached`;
  const call = async () =>
    (await fetch(url, { headers: { Authorization: 'allow-me' } })).json() as Promise<{
      authorizer: { invocation: string };
    }>;

  const first = await call();
  const second = await call();

  expect(second.authorizer.invocation).toBe(first.authorizer.invocation);
  expect((await fetch(url, { headers: { Authorization: 'deny-me' } })).status).toBe(403);
});

test('a route with the JWT authorizer takes valid RS256 and ES256 tokens of the issuer, and refuses the others with 401', async () => {
  // GIVEN the issuer's key set where the authorizer reads it, and tokens signed with jose
  const signed = JSON.parse(
    execFileSync(
      process.execPath,
      [path.join(__dirname, 'sign-tokens.mjs'), 'https://issuer.stagegraph.test/', 'orders'],
      { encoding: 'utf-8' },
    ),
  ) as {
    jwks: unknown;
    tokens: Record<
      'valid' | 'validEs256' | 'wrongAudience' | 'wrongIssuer' | 'expired' | 'notYetValid' | 'badSignature',
      string
    >;
  };
  await s3.send(
    new PutObjectCommand({
      Bucket: physical.IssuerKeys,
      Key: 'jwks.json',
      Body: JSON.stringify(signed.jwks),
      ContentType: 'application/json',
    }),
  );
  const url = `${localRestApiUrl(physical.StageHttpApi)}/claims`;
  const call = (token?: string) => fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });

  // WHEN / THEN
  const valid = await call(signed.tokens.valid);
  expect(valid.status).toBe(200);
  const { authorizer } = (await valid.json()) as { authorizer: Record<string, unknown> };
  expect(authorizer).toMatchObject({
    principalId: 'user-1',
    sub: 'user-1',
    iss: 'https://issuer.stagegraph.test/',
    aud: 'orders',
    scope: 'orders:read orders:write',
    groups: '["buyers","beta"]',
    email_verified: 'true',
  });
  expect(Number(authorizer.exp)).toBeGreaterThan(Date.now() / 1000);
  expect((await call(signed.tokens.validEs256)).status).toBe(200);
  for (const refused of ['wrongAudience', 'wrongIssuer', 'expired', 'notYetValid', 'badSignature'] as const) {
    const response = await call(signed.tokens[refused]);
    expect([refused, response.status, await response.json()]).toEqual([refused, 401, { message: 'Unauthorized' }]);
  }
  const missing = await call();
  expect([missing.status, await missing.json()]).toEqual([401, { message: 'Unauthorized' }]);
});

test('DIS records reach the function in order', async () => {
  const marker = Date.now();
  const streamName = physical.Telemetry;
  await kinesis.send(
    new PutRecordsCommand({
      StreamName: streamName,
      Records: [1, 2, 3].map(i => ({ PartitionKey: 'device-1', Data: Buffer.from(`reading-${marker}-${i}`) })),
    }),
  );

  const lines = await waitFor(
    'three records in the stream reader log',
    async () => {
      const found = await logLines('StreamReader', `reading-${marker}`);
      return found.length >= 3 ? found : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 300 },
  );
  expect(lines.map(l => /reading-\d+-(\d)/.exec(l)?.[1])).toEqual(['1', '2', '3']);
});

test('an SMN message passes the filter policy; one that does not match never reaches the function', async () => {
  const marker = Date.now();
  const publish = (color: string) =>
    sns.send(
      new PublishCommand({
        TopicArn: physical.Colors,
        Message: JSON.stringify({ action: 'log', body: `${color}-${marker}` }),
        MessageAttributes: { color: { DataType: 'String', StringValue: color } },
      }),
    );
  await publish('red');
  await publish('blue');

  await waitFor(
    'the blue message in the consumer log',
    async () => ((await logLines('Consumer', `blue-${marker}`)).length > 0 ? true : undefined),
    { timeoutMs: 60_000, intervalMs: 300 },
  );
  expect(await logLines('Consumer', `red-${marker}`)).toEqual([]);
});

test('a DMS batch with one failing record: only that record comes back', async () => {
  const marker = Date.now();
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: physical.Readings,
      Entries: [
        { Id: 'ok1', MessageBody: JSON.stringify({ marker: `ok1-${marker}` }) },
        { Id: 'bad', MessageBody: JSON.stringify({ marker: `bad-${marker}`, fail: true }) },
        { Id: 'ok2', MessageBody: JSON.stringify({ marker: `ok2-${marker}` }) },
      ],
    }),
  );

  // The failed item is received again after the 2 s visibility timeout, three times in all, then redriven.
  await waitFor(
    'the failing record retried three times',
    async () => ((await logLines('Consumer', `bad-${marker}`)).length >= 3 ? true : undefined),
    { timeoutMs: 60_000, intervalMs: 300 },
  );
  expect(await logLines('Consumer', `ok1-${marker}`)).toHaveLength(1);
  expect(await logLines('Consumer', `ok2-${marker}`)).toHaveLength(1);
  // Each message read is deleted: one left there comes back to the next run once its visibility timeout is over
  // (the local cloud keeps its state between runs), and only this run's are compared.
  const redriven: Array<{ marker?: string }> = [];
  const receive = async () => {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: physical.ReadingsRedrive, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const message of Messages ?? []) {
      redriven.push(JSON.parse(message.Body ?? '{}') as { marker?: string });
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: physical.ReadingsRedrive, ReceiptHandle: message.ReceiptHandle }),
      );
    }
  };
  await waitFor(
    'the failing record in the redrive queue',
    async () => {
      await receive();
      return redriven.some(body => body.marker === `bad-${marker}`) ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 300 },
  );
  await receive(); // one more read: a second copy must not follow
  expect(redriven.filter(body => String(body.marker).endsWith(`-${marker}`))).toEqual([
    { marker: `bad-${marker}`, fail: true },
  ]);
});

test('an asynchronous event that keeps failing is kept in the dead-letter queue', async () => {
  const marker = `fail-${Date.now()}`;
  await sns.send(
    new PublishCommand({ TopicArn: physical.Failures, Message: JSON.stringify({ action: 'fail', body: marker }) }),
  );

  const kept = await waitFor(
    'the failed event in StageDeadLetters',
    async () => {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: physical.StageDeadLetters,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
        }),
      );
      const found = (Messages ?? []).find(m => (m.Body ?? '').includes(marker));
      return found;
    },
    { timeoutMs: 90_000, intervalMs: 300 },
  );
  expect(kept.Body).toContain(marker);
});

test('a Timer rule invokes the function on its schedule, with its input', async () => {
  // rate(1 minute): the first run comes within a minute of the deploy.
  const lines = await waitFor(
    'a scheduled run in the ticker log',
    async () => {
      const found = await logLines('Ticker', 'probe says tick');
      return found.length > 0 ? found : undefined;
    },
    { timeoutMs: 100_000, intervalMs: 300 },
  );
  expect(lines[0]).toMatch(/INFO\tprobe says tick\n?$/);
});

test('stagegraph send: an upload, a published message, a queue message, a stream record and an HTTP call, each through the deployed trigger', async () => {
  const marker = Date.now();
  const assembly = (app.stack.node.root as App).outdir;
  const body = path.join(os.tmpdir(), `send-${marker}.json`);
  fs.writeFileSync(body, JSON.stringify({ action: 'log', body: `sent-${marker}`, marker: `sent-${marker}` }));
  const send = (...args: string[]) =>
    promisify(execFile)(path.join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'tsx'), [
      path.join(__dirname, '..', '..', '..', 'bin', 'stagegraph.ts'),
      'send',
      ...args,
      '--out',
      assembly,
    ]);
  try {
    const uploaded = await send('Files', body, '--key', `uploads/sent-${marker}.txt`);
    expect(uploaded.stderr).toMatch(/TriggerTestStack\/Files \(obs\): uploaded \d+ bytes to .*\/uploads\/sent-/);
    await send('TriggerTestStack/Colors', body, '--attribute', 'color=blue');
    await send('Readings', body);
    await send('Telemetry', body, '--partition-key', 'device-9');
    const http = await send('StageHttpApi', '--route', `/items/${marker}`, '--unsigned');
    expect(JSON.parse(http.stdout)).toEqual({ method: 'GET', path: `/items/${marker}`, id: `${marker}`, body: null });

    for (const [fn, line] of [
      ['Uploads', `probe-s3 ObjectCreated:Put uploads/sent-${marker}.txt`],
      ['Consumer', `probe-sns {"action":"log","body":"sent-${marker}"`],
      ['Consumer', `probe-sqs sent-${marker}`],
      ['StreamReader', `probe-dis {"action":"log","body":"sent-${marker}"`],
    ]) {
      await waitFor(
        `'${line}' in the ${fn} log`,
        async () => ((await logLines(fn, line)).length > 0 ? true : undefined),
        {
          timeoutMs: 60_000,
          intervalMs: 300,
        },
      );
    }
    await expect(send('Nowhere', body)).rejects.toThrow(
      /Nothing to send to named 'Nowhere' \(allowed: .*Files \(obs\)/,
    );
  } finally {
    fs.rmSync(body, { force: true });
  }
});
