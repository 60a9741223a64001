// The example app: the four FunctionStage scenarios, built from stagegraph's public API only, with
// its functions in functions/ and its flow in workflows/. bin/app.ts synthesizes it (`npm start` deploys it to
// the local cloud and drives each scenario; `cdk deploy` deploys it to AWS); its integration test deploys it
// in-process with stagegraph/testing.
import * as path from 'path';
import { App, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Stream, StreamEncryption } from 'aws-cdk-lib/aws-kinesis';
import { Runtime, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import {
  acceptNagFindings,
  BillingMeter,
  DeployTarget,
  deployTargetOf,
  DisTrigger,
  DmsTrigger,
  HttpAuth,
  HttpTrigger,
  ObsBucket,
  ObsTrigger,
  StageCode,
  StageFunction,
  StageHttpApi,
} from '../../lib';
import { DocumentFlow } from '../../workflows/document-flow';

const FUNCTIONS = path.join(__dirname, '..', '..', 'functions');

/** The example app's stack and the constructs its scenarios and tests use. */
export interface ExampleApp {
  readonly stack: Stack;
  readonly files: ObsBucket;
  readonly thumbnail: StageFunction;
  readonly aggregator: StageFunction;
  readonly items: StageFunction;
  readonly documents: DocumentFlow;
}

/** Adds the example app's stack to `app`. */
export function exampleApp(app: App): ExampleApp {
  const stack = new Stack(app, 'StagegraphExample');
  // `stagegraph synth --target huawei` also renders the app for Huawei Cloud, whose FunctionGraph documents older
  // runtimes: there the functions use Java 11 and Node.js 18 (and Python 3.10 in workflows/document-flow.ts).
  const huawei = deployTargetOf(app) === DeployTarget.HUAWEI;

  // Shared: one bucket (uploads/, thumbnails/, items/, documents/, archive/), an alert topic, and an
  // inbox queue that receives every notification, where a person or a test can read them.
  const files = new ObsBucket(stack, 'Files', { removalPolicy: RemovalPolicy.DESTROY });
  const alerts = new Topic(stack, 'Alerts', { enforceSSL: true });
  const inbox = new Queue(stack, 'Inbox', { enforceSSL: true, removalPolicy: RemovalPolicy.DESTROY });

  // 1. File processing: images uploaded under uploads/ get a thumbnail under thumbnails/ (Go).
  const thumbnailEvents = new Topic(stack, 'ThumbnailEvents', { enforceSSL: true });
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
  // A reading that fails three times is kept in a dead-letter queue instead of coming back until it expires.
  const failedReadings = new Queue(stack, 'FailedReadings', {
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const readings = new Queue(stack, 'Readings', {
    visibilityTimeout: Duration.seconds(60),
    enforceSSL: true,
    deadLetterQueue: { queue: failedReadings, maxReceiveCount: 3 },
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const telemetry = new Stream(stack, 'Telemetry', {
    shardCount: 1,
    encryption: StreamEncryption.MANAGED,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const aggregates = new Topic(stack, 'DeviceAggregates', { enforceSSL: true });
  const aggregator = new StageFunction(stack, 'IotAggregator', {
    // Java 17: the local cloud runs each Java runtime on a JDK of its own version, and JDK 17 is the one
    // most machines have (Lambda's default for stagegraph is java21).
    code: StageCode.fromJava(path.join(FUNCTIONS, 'iot-aggregator'), {
      handler: 'stagegraph.iot.Aggregator::handleRequest',
      runtime: huawei ? Runtime.JAVA_11 : Runtime.JAVA_17,
    }),
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
    code: StageCode.fromNodejs(path.join(FUNCTIONS, 'items-api'), huawei ? { runtime: Runtime.NODEJS_18_X } : {}),
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
  new BillingMeter(stack, 'Billing', {
    appName: 'stagegraph-example',
    budget: { limitUsd: 1, period: Duration.days(1), topic: alerts },
  });

  // cdk-nag's AwsSolutions findings that are the example's own choices, accepted with the reason (as cdk-nag
  // metadata: nothing of cdk-nag is loaded here). test/unit/template-review.test.ts checks there is no other.
  const bucketGrants =
    "CDK's bucket grants (grantRead, grantPut, grantReadWrite): their action groups (s3:GetObject*, s3:List*, ...) on the example bucket's own prefixes, whose objects are named at run time";
  for (const fn of [thumbnail, items, ...documents.functions]) {
    acceptNagFindings(fn, [
      {
        id: 'AwsSolutions-IAM5',
        reason: bucketGrants,
        appliesTo: [
          { regex: '/^Action::s3:[A-Za-z]+\\*$/' },
          {
            regex:
              '/^Resource::arn:<AWS::Partition>:s3:::files-[0-9a-f-]+<AWS::AccountId>-<AWS::Region>\\/([a-z]+\\/)?\\*$/',
          },
        ],
      },
    ]);
  }
  const nodeRuntime = "nodejs22.x, StageCode.fromNodejs's default and a supported LTS: the example keeps the defaults";
  const pythonRuntime =
    "python3.11, StageCode.fromPython's default: the Python of the local sandbox, which most machines have";
  acceptNagFindings(items, [{ id: 'AwsSolutions-L1', reason: nodeRuntime }]);
  for (const fn of documents.functions) {
    acceptNagFindings(fn, [
      { id: 'AwsSolutions-L1', reason: fn.runtime === Runtime.PYTHON_3_11 ? pythonRuntime : nodeRuntime },
    ]);
  }
  acceptNagFindings(aggregator, [
    {
      id: 'AwsSolutions-L1',
      reason:
        'java17: the local cloud runs each Java runtime on a JDK of its own version, and JDK 17 is the one most machines have',
    },
  ]);
  const api = StageHttpApi.of(stack);
  const publicApi =
    'The items API is public on purpose (HttpAuth.NONE), so that npm start, curl and a browser can call it';
  acceptNagFindings(api.root.resourceForPath('/items'), [
    { id: 'AwsSolutions-APIG4', reason: publicApi },
    { id: 'AwsSolutions-COG4', reason: publicApi },
  ]);
  acceptNagFindings(api.deploymentStage, [
    {
      id: 'AwsSolutions-APIG3',
      reason:
        'A demo API: a WAF web ACL costs $5 a month plus $1 per rule; put one in front of a real public API (StageHttpApi webAclArn)',
    },
  ]);
  acceptNagFindings(inbox, [
    {
      id: 'AwsSolutions-SQS3',
      reason:
        'The inbox is read by people and tests, never processed automatically: nothing fails, so nothing is redriven',
    },
  ]);

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
  return { stack, files, thumbnail, aggregator, items, documents };
}
