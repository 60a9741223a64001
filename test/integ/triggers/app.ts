// The app the trigger integration tests deploy: probes behind SMN and DMS triggers, and a failing
// asynchronous event for the dead-letter queue.
import * as path from 'path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Stream } from 'aws-cdk-lib/aws-kinesis';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DisTrigger, DmsTrigger, HttpAuth, HttpTrigger, ObsBucket, ObsEvent, ObsTrigger, SmnTrigger, StageCode, StageFunction, TimerTrigger } from '../../../lib';

const probeCode = StageCode.fromNodejs(path.join(__dirname, '..', '..', 'fixtures', 'probe-nodejs'));
const app = new App();
const stack = new Stack(app, 'TriggerTestStack');

// SMN: only messages whose `color` attribute is blue reach the function.
const colors = new Topic(stack, 'Colors');
// DMS: readings in batches; failed items come back after the visibility timeout, three times at most.
const readings = new Queue(stack, 'Readings', {
  visibilityTimeout: Duration.seconds(2),
  deadLetterQueue: { queue: new Queue(stack, 'ReadingsRedrive'), maxReceiveCount: 3 },
});
new StageFunction(stack, 'Consumer', {
  code: probeCode,
  memorySize: 256,
  timeout: Duration.seconds(2),
  triggers: [
    new SmnTrigger(colors, { filterPolicy: { color: SubscriptionFilter.stringFilter({ allowlist: ['blue'] }) } }),
    new DmsTrigger(readings, { batchSize: 10, maxBatchingWindow: Duration.seconds(1) }),
  ],
});

// A failing asynchronous event, without retries, lands in the stack's dead-letter queue.
const failures = new Topic(stack, 'Failures');
new StageFunction(stack, 'Failer', { code: probeCode, memorySize: 128, retryAttempts: 0, triggers: [new SmnTrigger(failures)] });

// OBS: text files created under uploads/, and any object removed, each invoke a function; the
// function that reacts to uploads also reads and writes the bucket (no dependency cycle).
const files = new ObsBucket(stack, 'Files', { removalPolicy: RemovalPolicy.DESTROY });
const uploads = new StageFunction(stack, 'Uploads', {
  code: probeCode,
  memorySize: 128,
  environment: { BUCKET: files.bucketName },
  triggers: [new ObsTrigger(files, { prefix: 'uploads/', suffix: '.txt' })],
});
files.grantReadWrite(uploads);
new StageFunction(stack, 'Removals', { code: probeCode, memorySize: 128, triggers: [new ObsTrigger(files, { events: [ObsEvent.OBJECT_REMOVED] })] });

// HTTP: a public route of the stack's REST API.
new StageFunction(stack, 'Api', {
  code: probeCode,
  memorySize: 128,
  triggers: [
    new HttpTrigger({ path: '/items/{id}', methods: ['GET', 'POST'], auth: HttpAuth.NONE }),
    // IAM, the default: callers sign with SigV4.
    new HttpTrigger({ path: '/private', methods: ['POST'] }),
  ],
});

// DIS: records of a stream, from its start.
const telemetry = new Stream(stack, 'Telemetry', { shardCount: 1 });
new StageFunction(stack, 'StreamReader', {
  code: probeCode,
  memorySize: 128,
  triggers: [new DisTrigger(telemetry, { startingPosition: StartingPosition.TRIM_HORIZON, batchSize: 10 })],
});

// Timer: every minute, with a fixed input.
new StageFunction(stack, 'Ticker', {
  code: probeCode,
  memorySize: 128,
  triggers: [TimerTrigger.rate(Duration.minutes(1), { input: { action: 'log', body: 'tick' } })],
});

app.synth();
