import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Stream } from 'aws-cdk-lib/aws-kinesis';
import { Runtime, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import {
  DisTrigger,
  DmsTrigger,
  Flow,
  FunctionGraph,
  HttpAuth,
  HttpTrigger,
  ObsBucket,
  ObsTrigger,
  SmnTrigger,
  StageCode,
  StageFunction,
  TimerTrigger,
  WaitTime,
} from '../../../lib';
import { AppModel, readAppModel } from '../../../lib/huawei/app-model';
import { FIXTURES } from '../../helpers';

/** A cloud assembly of `build(stack)`'s app in a fresh folder, code never built, and its model. */
export function synthesized(build: (stack: Stack) => void, context: Record<string, unknown> = {}): AppModel {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-huawei-'));
  // Path metadata as the CDK CLI and toolkit write it, so resources carry their construct paths.
  const app = new App({
    outdir,
    context: {
      'aws:cdk:bundling-stacks': [],
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:enable-asset-metadata': true,
      ...context,
    },
  });
  build(new Stack(app, 'Shop'));
  app.synth();
  return readAppModel(outdir);
}

const python = () => StageCode.fromPython(path.join(FIXTURES, 'hello-python'), { runtime: Runtime.PYTHON_3_10 });

/** An app with every trigger FunctionGraph maps and a flow of function nodes, a parallel node and a wait. */
export function everyTriggerApp(stack: Stack): void {
  const uploads = new ObsBucket(stack, 'Uploads');
  const orders = new Topic(stack, 'Orders');
  const clicks = new Stream(stack, 'Clicks', { shardCount: 2 });
  const jobs = new Queue(stack, 'Jobs', { visibilityTimeout: Duration.minutes(2) });
  new StageFunction(stack, 'Resize', {
    code: StageCode.fromGo(path.join(FIXTURES, 'hello-go')),
    memorySize: 512,
    environment: { ORDERS: orders.topicArn, BUCKET: uploads.bucketName, MODE: 'fast' },
    reservedInstances: 2,
    retryAttempts: 1,
    maxEventAge: Duration.hours(1),
    triggers: [
      new ObsTrigger(uploads, { prefix: 'images/', suffix: '.png' }),
      new SmnTrigger(orders),
      TimerTrigger.cron('0/15 8-17 ? * MON-FRI *'),
      TimerTrigger.rate(Duration.hours(2), { input: { report: 'daily' } }),
    ],
  });
  new StageFunction(stack, 'Ingest', {
    code: StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs'), { runtime: Runtime.NODEJS_18_X }),
    memorySize: 256,
    deadLetterQueueEnabled: false,
    triggers: [
      new DisTrigger(clicks, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        maxBatchingWindow: Duration.seconds(5),
      }),
      new DmsTrigger(jobs, { batchSize: 50, maxBatchingWindow: Duration.seconds(1) }),
      new HttpTrigger({ path: '/clicks/{proxy+}', methods: ['GET', 'POST'], auth: HttpAuth.NONE }),
    ],
  });
  const score = new StageFunction(stack, 'Score', { code: python(), memorySize: 1024 });
  const tag = new StageFunction(stack, 'Tag', { code: python(), memorySize: 256 });
  new FunctionGraph(stack, 'Review', {
    comment: 'Score and tag an upload',
    definition: Flow.sequence(
      Flow.invoke('Score', score, { payload: { 'key.$': '$.key', model: 'small' } }).retry({ maxAttempts: 3 }),
      Flow.parallel('Enrich', [Flow.invoke('Tag it', tag), Flow.invoke('Score again', score)]),
      Flow.wait('Cool down', WaitTime.duration(Duration.seconds(30))),
      Flow.invoke('Tag finally', tag),
    ),
    triggers: [new ObsTrigger(uploads, { prefix: 'review/', suffix: '.json' })],
  });
}
