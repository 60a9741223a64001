// One synth of a generated app, run in its own process by synth.ts so that every run pays the
// same module loading. Prints one JSON line: synth milliseconds, resources, template bytes, peak
// memory, or the error that stopped the synth.
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket, EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { DmsTrigger, ObsBucket, ObsTrigger, SmnTrigger, StageCode, StageFunction } from '../../lib';

const [variant, countText, workDir, outdir] = process.argv.slice(2);
const count = Number(countText);
const started = process.hrtime.bigint();
const app = new App({ outdir });
const stack = new Stack(app, 'Bench');
// The trigger variants share one bucket and one topic; each function has its own queue.
const plainBucket = variant === 'plain-triggers' ? new Bucket(stack, 'Uploads') : undefined;
const obsBucket = variant === 'stagegraph-triggers' ? new ObsBucket(stack, 'Uploads') : undefined;
const topic = variant.endsWith('-triggers') ? new Topic(stack, 'Events') : undefined;

for (let i = 0; i < count; i++) {
  const source = path.join(workDir, 'src', `fn${i}`);
  const prebuilt = path.join(workDir, 'prebuilt', `fn${i}`);
  switch (variant) {
    case 'plain':
      new LambdaFunction(stack, `Fn${i}`, {
        code: Code.fromAsset(prebuilt), runtime: Runtime.NODEJS_22_X, handler: 'index.handler', memorySize: 256, timeout: Duration.seconds(30),
      });
      break;
    case 'plain-same-features': {
      const fn = new LambdaFunction(stack, `Fn${i}`, {
        code: Code.fromAsset(prebuilt), runtime: Runtime.NODEJS_22_X, handler: 'index.handler', memorySize: 256, timeout: Duration.seconds(30),
        deadLetterQueueEnabled: true,
      });
      new LogGroup(stack, `Fn${i}Logs`, { logGroupName: `/aws/lambda/${fn.functionName}`, retention: RetentionDays.ONE_MONTH });
      break;
    }
    case 'stagegraph':
      new StageFunction(stack, `Fn${i}`, { code: StageCode.fromNodejs(source), memorySize: 256 });
      break;
    case 'plain-triggers': {
      const fn = new LambdaFunction(stack, `Fn${i}`, {
        code: Code.fromAsset(prebuilt), runtime: Runtime.NODEJS_22_X, handler: 'index.handler', memorySize: 256, timeout: Duration.seconds(30),
      });
      plainBucket?.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(fn), { prefix: `fn${i}/` });
      topic?.addSubscription(new LambdaSubscription(fn));
      fn.addEventSource(new SqsEventSource(new Queue(stack, `Queue${i}`)));
      break;
    }
    case 'stagegraph-triggers':
      new StageFunction(stack, `Fn${i}`, {
        code: StageCode.fromNodejs(source),
        memorySize: 256,
        triggers: [new ObsTrigger(obsBucket as ObsBucket, { prefix: `fn${i}/` }), new SmnTrigger(topic as Topic), new DmsTrigger(new Queue(stack, `Queue${i}`))],
      });
      break;
    default:
      throw new Error(`unknown variant ${variant}`);
  }
}
let assembly;
try {
  assembly = app.synth();
} catch (error) {
  // For example CloudFormation's 500 resources per stack limit, which CDK checks at synth time.
  process.stdout.write(JSON.stringify({ error: (error as Error).message.split('\n')[0] }) + '\n');
  process.exit(0);
}
const millis = Number(process.hrtime.bigint() - started) / 1e6;
const templateFile = path.join(assembly.directory, 'Bench.template.json');
const template = JSON.parse(fs.readFileSync(templateFile, 'utf-8')) as { Resources: Record<string, { Type: string }> };
process.stdout.write(JSON.stringify({
  millis,
  resources: Object.keys(template.Resources).length,
  customResources: Object.values(template.Resources).filter(r => r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource').length,
  templateBytes: fs.statSync(templateFile).size,
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
}) + '\n');
