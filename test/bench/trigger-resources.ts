// Resources of an app whose functions each have three triggers (OBS, SMN, DMS): written with
// stagegraph, and with plain aws-cdk-lib (addEventNotification, addSubscription, SqsEventSource).
// Counted in one run, from synthesized templates (bundling skipped: templates only).
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Bucket, EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as path from 'path';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { DmsTrigger, ObsBucket, ObsTrigger, SmnTrigger, StageCode, StageFunction } from '../../lib';

export interface TriggerResources {
  readonly variant: string;
  readonly functions: number;
  readonly resources: number;
  /**
   * Resources added per triggered function: the shared buckets (the OBS bucket and its access-log
   * bucket) with their policies, the topic and the per-function queues left out.
   */
  readonly perFunction: number;
  readonly customResources: number;
  readonly byType: Record<string, number>;
}

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'hello-nodejs');

function count(stack: Stack, variant: string, functions: number): TriggerResources {
  const app = stack.node.root as App;
  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, { Type: string }>;
  };
  const byType: Record<string, number> = {};
  for (const resource of Object.values(template.Resources)) {
    byType[resource.Type] = (byType[resource.Type] ?? 0) + 1;
  }
  const resources = Object.keys(template.Resources).length;
  // The app's own (its queues among them) and what the stack's functions share: the buckets, the topic, the log group.
  const shared = [
    'AWS::S3::Bucket',
    'AWS::S3::BucketPolicy',
    'AWS::SNS::Topic',
    'AWS::SQS::Queue',
    'AWS::Logs::LogGroup',
  ].reduce((n, type) => n + (byType[type] ?? 0), 0);
  return {
    variant,
    functions,
    resources,
    perFunction: (resources - shared) / functions,
    customResources: Object.entries(byType)
      .filter(([type]) => type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource')
      .reduce((n, [, c]) => n + c, 0),
    byType,
  };
}

export function benchTriggerResources(functions: number): TriggerResources[] {
  const context = { 'aws:cdk:bundling-stacks': [] };
  const oursStack = new Stack(new App({ context }), 'Ours');
  const bucket = new ObsBucket(oursStack, 'Uploads');
  const topic = new Topic(oursStack, 'Events');
  for (let i = 0; i < functions; i++) {
    new StageFunction(oursStack, `Fn${i}`, {
      code: StageCode.fromNodejs(FIXTURE),
      memorySize: 256,
      deadLetterQueueEnabled: false,
      triggers: [
        new ObsTrigger(bucket, { prefix: `fn${i}/` }),
        new SmnTrigger(topic),
        new DmsTrigger(new Queue(oursStack, `Queue${i}`)),
      ],
    });
  }
  const plainStack = new Stack(new App({ context }), 'Plain');
  const plainBucket = new Bucket(plainStack, 'Uploads');
  const plainTopic = new Topic(plainStack, 'Events');
  for (let i = 0; i < functions; i++) {
    const fn = new LambdaFunction(plainStack, `Fn${i}`, {
      code: Code.fromAsset(FIXTURE),
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      memorySize: 256,
      timeout: Duration.seconds(30),
    });
    plainBucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(fn), { prefix: `fn${i}/` });
    plainTopic.addSubscription(new LambdaSubscription(fn));
    fn.addEventSource(new SqsEventSource(new Queue(plainStack, `Queue${i}`)));
  }
  return [count(plainStack, 'plain aws-cdk-lib', functions), count(oursStack, 'stagegraph (DLQ off)', functions)];
}
