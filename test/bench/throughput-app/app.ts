// The event throughput benchmark's app: a DMS trigger and an OBS trigger on a StageFunction, and
// the same queue consumer written with plain aws-cdk-lib (SqsEventSource), side by side.
import * as path from 'path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { DmsTrigger, ObsBucket, ObsTrigger, StageCode, StageFunction } from '../../../lib';

const app = new App();
const stack = new Stack(app, 'ThroughputBenchStack');
const code = StageCode.fromNodejs(path.join(__dirname, '..', '..', 'fixtures', 'count-nodejs'));

const queue = new Queue(stack, 'Messages', {
  visibilityTimeout: Duration.seconds(60),
  removalPolicy: RemovalPolicy.DESTROY,
});
new StageFunction(stack, 'QueueCounter', {
  code,
  memorySize: 256,
  functionName: 'bench-queue-counter',
  triggers: [new DmsTrigger(queue, { batchSize: 10 })],
});

const bucket = new ObsBucket(stack, 'Uploads', { removalPolicy: RemovalPolicy.DESTROY });
new StageFunction(stack, 'UploadCounter', {
  code,
  memorySize: 256,
  functionName: 'bench-upload-counter',
  triggers: [new ObsTrigger(bucket, { prefix: 'bench/' })],
});

// Plain aws-cdk-lib: the same handler, inline, with an SQS event source of batch 10.
const plainQueue = new Queue(stack, 'PlainMessages', {
  visibilityTimeout: Duration.seconds(60),
  removalPolicy: RemovalPolicy.DESTROY,
});
const plain = new LambdaFunction(stack, 'PlainQueueCounter', {
  functionName: 'bench-plain-queue-counter',
  runtime: Runtime.NODEJS_22_X,
  handler: 'index.handler',
  memorySize: 256,
  timeout: Duration.seconds(30),
  code: Code.fromInline(`exports.handler = async (event) => {
  for (const record of event.Records || []) console.log('processed ' + JSON.parse(record.body).id);
  return { processed: (event.Records || []).length };
};`),
});
plain.addEventSource(new SqsEventSource(plainQueue, { batchSize: 10 }));
app.synth();
