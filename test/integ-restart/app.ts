// The app the restart tests deploy: a function triggered by an SQS queue and a Kinesis stream that
// records every message and record it processes in a bucket, and one resource of each other kind whose
// state must survive a restart.
import * as path from 'path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Stream } from 'aws-cdk-lib/aws-kinesis';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DefinitionBody, Pass, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { DisTrigger, DmsTrigger, HttpAuth, HttpTrigger, StageCode, StageFunction } from '../../lib';

const app = new App();
const stack = new Stack(app, 'RestartTestStack');

const records = new Bucket(stack, 'Records', { removalPolicy: RemovalPolicy.DESTROY });
const readings = new Stream(stack, 'Readings', { shardCount: 1, removalPolicy: RemovalPolicy.DESTROY });
// A visibility timeout shorter than the default, so that a message in flight at a kill comes back soon.
const work = new Queue(stack, 'Work', { visibilityTimeout: Duration.seconds(10) });
const recorder = new StageFunction(stack, 'Recorder', {
  code: StageCode.fromNodejs(path.join(__dirname, '..', 'fixtures', 'record-nodejs')),
  memorySize: 256,
  timeout: Duration.seconds(10),
  environment: { BUCKET: records.bucketName },
  triggers: [
    new DmsTrigger(work, { batchSize: 10 }),
    // From the start of the stream: after a restart it must go on after the last record it processed.
    new DisTrigger(readings, { startingPosition: StartingPosition.TRIM_HORIZON, batchSize: 10 }),
    new HttpTrigger({ path: '/items/{id}', methods: ['GET'], auth: HttpAuth.NONE }),
  ],
});
records.grantWrite(recorder);

const notices = new Topic(stack, 'Notices');
const inbox = new Queue(stack, 'Inbox');
notices.addSubscription(new SqsSubscription(inbox, { rawMessageDelivery: true }));
new StateMachine(stack, 'Flow', { definitionBody: DefinitionBody.fromChainable(new Pass(stack, 'Echo')) });

app.synth();
