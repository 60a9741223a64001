import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Stream, StreamEncryption } from 'aws-cdk-lib/aws-kinesis';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { findSendTarget, SendKind, sendTargets } from '../../../lib/app/send';
import { HttpAuth, HttpTrigger, ObsBucket, ObsTrigger, StageCode, StageFunction, TimerTrigger } from '../../../lib';
import { FIXTURES } from '../../helpers';

// What `stagegraph send` finds in a synthesized app, by the names a user gives.
describe('send targets', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-send-'));
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Shop');
    const uploads = new ObsBucket(stack, 'Uploads');
    new Topic(stack, 'Orders', { enforceSSL: true });
    new Queue(stack, 'Jobs', { enforceSSL: true });
    new Stream(stack, 'Readings', { encryption: StreamEncryption.MANAGED });
    const code = StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs'));
    new StageFunction(stack, 'Ticker', { code, memorySize: 128, triggers: [TimerTrigger.rate(Duration.hours(1))] });
    new StageFunction(stack, 'Api', {
      code,
      memorySize: 128,
      triggers: [
        new ObsTrigger(uploads),
        new HttpTrigger({ path: '/items', auth: HttpAuth.NONE }),
        TimerTrigger.rate(Duration.days(1)),
        TimerTrigger.rate(Duration.days(2)),
      ],
    });
    app.synth();
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('buckets, topics, queues, streams, Timers and the HTTP API, by construct path and kind', () => {
    const targets = sendTargets(outdir).map(t => [t.id.replace(/[0-9a-f]{8}$/, ''), t.kind]);
    expect(targets).toEqual(
      expect.arrayContaining([
        ['Shop/Uploads', SendKind.OBS],
        ['Shop/Orders', SendKind.SMN],
        ['Shop/Jobs', SendKind.DMS],
        ['Shop/Readings', SendKind.DIS],
        ['Shop/StageHttpApi', SendKind.HTTP],
        [expect.stringMatching(/^Shop\/Ticker\/TimerTrigger/), SendKind.TIMER],
      ]),
    );
    // The meter-less app has no other rule; the StageDeadLetters queue is a target too.
    expect(targets.filter(([, kind]) => kind === SendKind.TIMER)).toHaveLength(3);
  });

  test('a name is its path, its path without the stack, its last part, or a function with one Timer', () => {
    expect(findSendTarget(outdir, 'Shop/Uploads').kind).toBe(SendKind.OBS);
    expect(findSendTarget(outdir, 'Orders').id).toBe('Shop/Orders');
    expect(findSendTarget(outdir, 'Ticker').kind).toBe(SendKind.TIMER);
    expect(() => findSendTarget(outdir, 'Api')).toThrow(
      /'Api' names 2 targets \(Shop\/Api\/TimerTrigger.*\): give more/,
    );
    expect(() => findSendTarget(outdir, 'Nowhere')).toThrow(
      /Nothing to send to named 'Nowhere' \(allowed: a bucket, topic, queue, stream, Timer or HTTP API of the app: .*Shop\/Uploads \(obs\)/,
    );
    expect(() => sendTargets(path.join(outdir, 'missing'))).toThrow(/No cloud assembly in .*missing/);
  });
});
