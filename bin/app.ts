// The example app: the four FunctionStage scenarios, built from stagegraph's public API only, with
// its functions in functions/ and its flow in workflows/. `npm start` deploys it to the local cloud
// and drives each scenario; `cdk deploy` deploys it to AWS.
import * as path from 'path';
import { App, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Stream } from 'aws-cdk-lib/aws-kinesis';
import { Runtime, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import {
  BillingMeter, DisTrigger, DmsTrigger, HttpAuth, HttpTrigger, ObsBucket, ObsTrigger, StageCode, StageFunction,
} from '../lib';
import { DocumentFlow } from '../workflows/document-flow';

const FUNCTIONS = path.join(__dirname, '..', 'functions');
const app = new App();
const stack = new Stack(app, 'StagegraphExample');

// Shared: one bucket (uploads/, thumbnails/, items/, documents/, archive/), an alert topic, and an
// inbox queue that receives every notification, where a person or a test can read them.
const files = new ObsBucket(stack, 'Files', { removalPolicy: RemovalPolicy.DESTROY });
const alerts = new Topic(stack, 'Alerts');
const inbox = new Queue(stack, 'Inbox', { removalPolicy: RemovalPolicy.DESTROY });

// 1. File processing: images uploaded under uploads/ get a thumbnail under thumbnails/ (Go).
const thumbnailEvents = new Topic(stack, 'ThumbnailEvents');
const thumbnail = new StageFunction(stack, 'Thumbnail', {
  code: StageCode.fromGo(path.join(FUNCTIONS, 'thumbnail')),
  memorySize: 256,
  environment: { TOPIC_ARN: thumbnailEvents.topicArn },
  triggers: [new ObsTrigger(files, { prefix: 'uploads/' })],
  traffic: { invocationsPerMonth: 200_000, averageDuration: Duration.millis(180) },
});
files.grantRead(thumbnail, 'uploads/*');
files.grantPut(thumbnail, 'thumbnails/*');
thumbnailEvents.grantPublish(thumbnail);

// 2. IoT real-time data: device readings from a DMS queue and a DIS stream, aggregated per device (Java).
const readings = new Queue(stack, 'Readings', { visibilityTimeout: Duration.seconds(60), removalPolicy: RemovalPolicy.DESTROY });
const telemetry = new Stream(stack, 'Telemetry', { shardCount: 1, removalPolicy: RemovalPolicy.DESTROY });
const aggregates = new Topic(stack, 'DeviceAggregates');
const aggregator = new StageFunction(stack, 'IotAggregator', {
  // Java 17: the local cloud runs each Java runtime on a JDK of its own version, and JDK 17 is the one
  // most machines have (Lambda's default for stagegraph is java21).
  code: StageCode.fromJava(path.join(FUNCTIONS, 'iot-aggregator'), { handler: 'stagegraph.iot.Aggregator::handleRequest', runtime: Runtime.JAVA_17 }),
  memorySize: 1024,
  timeout: Duration.seconds(30),
  environment: { TELEMETRY_TOPIC_ARN: aggregates.topicArn, ALERT_TOPIC_ARN: alerts.topicArn, THRESHOLD: '30' },
  triggers: [
    new DmsTrigger(readings, { batchSize: 100, maxBatchingWindow: Duration.seconds(2) }),
    new DisTrigger(telemetry, { startingPosition: StartingPosition.TRIM_HORIZON, batchSize: 100 }),
  ],
  traffic: { invocationsPerMonth: 500_000, averageDuration: Duration.millis(60) },
});
aggregates.grantPublish(aggregator);
alerts.grantPublish(aggregator);

// 3. Web/mobile backend: a JSON CRUD API over HTTP, items stored in OBS (Node.js, TypeScript).
const items = new StageFunction(stack, 'ItemsApi', {
  code: StageCode.fromNodejs(path.join(FUNCTIONS, 'items-api')),
  memorySize: 256,
  environment: { BUCKET: files.bucketName },
  triggers: [
    new HttpTrigger({ path: '/items', methods: ['GET', 'POST'], auth: HttpAuth.NONE }),
    new HttpTrigger({ path: '/items/{id}', methods: ['GET', 'PUT', 'DELETE'], auth: HttpAuth.NONE }),
  ],
  traffic: { invocationsPerMonth: 3_000_000, averageDuration: Duration.millis(40) },
});
files.grantReadWrite(items, 'items/*');
files.grantRead(items);

// 4. Serverless + AI: documents under documents/ start the analysis flow (workflows/document-flow.ts).
const documents = new DocumentFlow(stack, 'Documents', { bucket: files, alerts });

for (const topic of [alerts, thumbnailEvents, aggregates]) {
  topic.addSubscription(new SqsSubscription(inbox, { rawMessageDelivery: false }));
}

// Every function is metered; a budget alarm notifies the alert topic.
new BillingMeter(stack, 'Billing', { appName: 'stagegraph-example', budget: { limitUsd: 1, period: Duration.days(1), topic: alerts } });

const outputs: Record<string, string> = {
  BucketName: files.bucketName,
  InboxQueueUrl: inbox.queueUrl,
  ReadingsQueueUrl: readings.queueUrl,
  TelemetryStreamName: telemetry.streamName,
  DocumentFlowArn: documents.flow.stateMachineArn,
  AlertsTopicArn: alerts.topicArn,
  ThumbnailTopicArn: thumbnailEvents.topicArn,
  AggregatesTopicArn: aggregates.topicArn,
};
for (const [name, value] of Object.entries(outputs)) new CfnOutput(stack, name, { value });
app.synth();
