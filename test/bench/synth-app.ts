// One synth of a generated app, run in its own process by synth.ts so that every run starts from the same state
// (stagegraph's variants load stagegraph, within the time; the plain ones do not). Prints one JSON line: synth
// milliseconds, resources, template bytes, peak memory, or the error that stopped the synth.
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, NestedStack, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Subscription, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Chain, DefinitionBody, IChainable, LogLevel, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type * as Stagegraph from '../../lib';

// stagegraph as a user's app gets it from `npm i stagegraph`: the packed package's compiled JavaScript below
// node_modules (synth.ts installs it and names it in STAGEGRAPH_BENCH_PACKAGE), as plain aws-cdk-lib is. Without it,
// the repository's TypeScript through tsx, whose source maps CDK's creation stack traces then read for every
// construct of the library.
// The time counts from before it is loaded, as a user's `cdk synth` pays for loading it; the plain variants, like a
// plain app, do not load it (aws-cdk-lib's modules, imported above for both, load their parts when first used).
const [variant, countText, workDir, outdir] = process.argv.slice(2);
const count = Number(countText);
const started = process.hrtime.bigint();
const startedCpu = process.cpuUsage();
const stagegraph = variant.startsWith('stagegraph')
  ? // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require(process.env.STAGEGRAPH_BENCH_PACKAGE ?? '../../lib') as typeof Stagegraph)
  : ({} as typeof Stagegraph);
const { DmsTrigger, Flow, FunctionGraph, ObsBucket, ObsTrigger, SmnTrigger, StageCode, StageFunction } = stagegraph;
type ObsBucket = Stagegraph.ObsBucket;
type StageFunction = Stagegraph.StageFunction;
// stagegraph-nested: the triggers app with the one opt-in past 500 resources (functions in nested stacks, about 35
// functions each).
// stagegraph-nested-2: the same with an OBS and an SMN trigger only, no queue per function (a queue per function is
// a resource of the app's own stack, which the setting does not move: 1,000 of them pass 500 by themselves).
const nested = variant === 'stagegraph-nested' || variant === 'stagegraph-nested-2';
// BENCH_CDK_CLI_CONTEXT=1: the context that `cdk synth` gives an app unless cdk.json says otherwise (the toolkit's
// defaults): path and asset metadata, version reporting (a CDKMetadata resource per stack, whose condition over the
// regions loads CDK's facts of every region, in every variant), every stack bundled, validation reported, not thrown.
// (synth.ts runs these with CDK's CloudFormation validation on, as `cdk synth` does: CDK_VALIDATION=true.)
const cliContext =
  process.env.BENCH_CDK_CLI_CONTEXT === '1'
    ? {
        'aws:cdk:enable-path-metadata': true,
        'aws:cdk:enable-asset-metadata': true,
        'aws:cdk:version-reporting': true,
        'aws:cdk:bundling-stacks': ['**'],
        '@aws-cdk/core:failSynthOnValidationErrors': false,
      }
    : {};
const app = new App({
  outdir,
  context: {
    ...cliContext,
    ...(nested ? { 'stagegraph:nestedFunctionStacks': Math.max(1, Math.ceil(count / 35)) } : {}),
  },
});
const stack = new Stack(app, 'Bench');
// plain-nested: the plain triggers app split by hand past 500 resources, as a user of aws-cdk-lib would: 35 functions
// per nested stack (their roles, permissions, subscriptions and mappings go with them), the rest in the app's stack.
const plainNested = variant === 'plain-nested' || variant === 'plain-features-nested';
const plainStacks: NestedStack[] = [];
const plainScope = (i: number): Stack =>
  plainNested ? (plainStacks[Math.floor(i / 35)] ??= new NestedStack(stack, `Functions${Math.floor(i / 35)}`)) : stack;
// plain-features and plain-features-nested: the same apps with what stagegraph's defaults add, written with plain
// aws-cdk-lib: each function's log group with a retention and a dead-letter queue (one, encrypted, TLS only); the
// bucket encrypted, TLS only, not public, with server access logs to a second such bucket.
const plainFeatures = variant === 'plain-features' || variant === 'plain-features-nested';
const plainTriggers = variant === 'plain-triggers' || plainNested || plainFeatures;
const secureBucket = {
  enforceSSL: true,
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
  encryption: BucketEncryption.S3_MANAGED,
};
const plainBucket = plainTriggers
  ? new Bucket(stack, 'Uploads', {
      ...(plainFeatures
        ? {
            ...secureBucket,
            serverAccessLogsBucket: new Bucket(stack, 'AccessLogs', {
              ...secureBucket,
              lifecycleRules: [{ expiration: Duration.days(90) }],
            }),
            serverAccessLogsPrefix: 'uploads/',
          }
        : {}),
    })
  : undefined;
const plainDeadLetters = plainFeatures
  ? new Queue(stack, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    })
  : undefined;
const obsBucket = variant === 'stagegraph-triggers' || nested ? new ObsBucket(stack, 'Uploads') : undefined;
const topic = variant.endsWith('-triggers') || nested || plainTriggers ? new Topic(stack, 'Events') : undefined;

// The flow variants: `count` nodes invoking 10 functions in turn, one state machine.
const FLOW_FUNCTIONS = 10;
if (variant === 'plain-flow') {
  const fns = Array.from(
    { length: FLOW_FUNCTIONS },
    (_, i) =>
      new LambdaFunction(stack, `Fn${i}`, {
        code: Code.fromAsset(path.join(workDir, 'prebuilt', `fn${i}`)),
        runtime: Runtime.NODEJS_22_X,
        handler: 'index.handler',
        memorySize: 256,
        timeout: Duration.seconds(30),
      }),
  );
  const tasks = Array.from(
    { length: count },
    (_, i) =>
      new LambdaInvoke(stack, `Step ${i}`, {
        lambdaFunction: fns[i % FLOW_FUNCTIONS],
        payloadResponseOnly: true,
        retryOnServiceExceptions: true,
      }),
  );
  const chain = tasks
    .slice(1)
    .reduce<IChainable & { next(n: IChainable): Chain }>((acc, task) => acc.next(task), Chain.start(tasks[0]));
  new StateMachine(stack, 'Flow', { definitionBody: DefinitionBody.fromChainable(chain) });
} else if (variant === 'stagegraph-flow') {
  const fns = Array.from(
    { length: FLOW_FUNCTIONS },
    (_, i) =>
      new StageFunction(stack, `Fn${i}`, {
        code: StageCode.fromNodejs(path.join(workDir, 'src', `fn${i}`)),
        memorySize: 256,
      }),
  );
  const nodes = Array.from({ length: count }, (_, i) => Flow.invoke(`Step ${i}`, fns[i % FLOW_FUNCTIONS]));
  new FunctionGraph(stack, 'Flow', { definition: Flow.sequence(nodes[0], ...nodes.slice(1)) });
}

// The trigger variants also have one flow over their first 10 functions.
// plain-same-features: one dead-letter queue for every function, as StageFunction's.
let sameFeaturesDeadLetters: Queue | undefined;
const plainFns: LambdaFunction[] = [];
const stageFns: StageFunction[] = [];
for (let i = 0; i < (variant.endsWith('-flow') ? 0 : count); i++) {
  const source = path.join(workDir, 'src', `fn${i}`);
  const prebuilt = path.join(workDir, 'prebuilt', `fn${i}`);
  switch (variant) {
    case 'plain':
      new LambdaFunction(stack, `Fn${i}`, {
        code: Code.fromAsset(prebuilt),
        runtime: Runtime.NODEJS_22_X,
        handler: 'index.handler',
        memorySize: 256,
        timeout: Duration.seconds(30),
      });
      break;
    case 'plain-same-features': {
      const fn = new LambdaFunction(stack, `Fn${i}`, {
        code: Code.fromAsset(prebuilt),
        runtime: Runtime.NODEJS_22_X,
        handler: 'index.handler',
        memorySize: 256,
        timeout: Duration.seconds(30),
        deadLetterQueue: (sameFeaturesDeadLetters ??= new Queue(stack, 'DeadLetters', {
          retentionPeriod: Duration.days(14),
          encryption: QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
        })),
      });
      new LogGroup(stack, `Fn${i}Logs`, {
        logGroupName: `/aws/lambda/${fn.functionName}`,
        retention: RetentionDays.ONE_MONTH,
      });
      break;
    }
    case 'stagegraph':
      new StageFunction(stack, `Fn${i}`, { code: StageCode.fromNodejs(source), memorySize: 256 });
      break;
    case 'plain-triggers':
    case 'plain-nested':
    case 'plain-features':
    case 'plain-features-nested': {
      const fn = new LambdaFunction(plainScope(i), `Fn${i}`, {
        code: Code.fromAsset(prebuilt),
        runtime: Runtime.NODEJS_22_X,
        handler: 'index.handler',
        memorySize: 256,
        timeout: Duration.seconds(30),
        ...(plainFeatures
          ? {
              logGroup: new LogGroup(plainScope(i), `Fn${i}Logs`, {
                retention: RetentionDays.ONE_MONTH,
                removalPolicy: RemovalPolicy.DESTROY,
              }),
              deadLetterQueue: plainDeadLetters,
            }
          : {}),
      });
      plainFns.push(fn);
      plainBucket?.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(fn), { prefix: `fn${i}/` });
      if (plainNested && topic) {
        // LambdaSubscription makes the function's stack depend on the topic's, which a nested stack cannot do with
        // its parent: the subscription and permission by hand.
        new Subscription(fn, 'Events', { topic, endpoint: fn.functionArn, protocol: SubscriptionProtocol.LAMBDA });
        fn.addPermission('AllowInvokeEvents', {
          principal: new ServicePrincipal('sns.amazonaws.com'),
          sourceArn: topic.topicArn,
        });
      } else {
        topic?.addSubscription(new LambdaSubscription(fn));
      }
      fn.addEventSource(new SqsEventSource(new Queue(stack, `Queue${i}`)));
      break;
    }
    case 'stagegraph-nested-2':
      stageFns[i] = new StageFunction(stack, `Fn${i}`, {
        code: StageCode.fromNodejs(source),
        memorySize: 256,
        triggers: [new ObsTrigger(obsBucket as ObsBucket, { prefix: `fn${i}/` }), new SmnTrigger(topic as Topic)],
      });
      break;
    case 'stagegraph-triggers':
    case 'stagegraph-nested':
      stageFns[i] = new StageFunction(stack, `Fn${i}`, {
        code: StageCode.fromNodejs(source),
        memorySize: 256,
        triggers: [
          new ObsTrigger(obsBucket as ObsBucket, { prefix: `fn${i}/` }),
          new SmnTrigger(topic as Topic),
          new DmsTrigger(new Queue(stack, `Queue${i}`)),
        ],
      });
      break;
    default:
      throw new Error(`unknown variant ${variant}`);
  }
}
if (plainFns.length > 0) {
  const tasks = plainFns.slice(0, 10).map(
    (fn, i) =>
      new LambdaInvoke(stack, `Flow step ${i}`, {
        lambdaFunction: fn,
        payloadResponseOnly: true,
        retryOnServiceExceptions: true,
      }),
  );
  const chain = tasks
    .slice(1)
    .reduce<IChainable & { next(n: IChainable): Chain }>((acc, task) => acc.next(task), Chain.start(tasks[0]));
  new StateMachine(stack, 'Flow', {
    definitionBody: DefinitionBody.fromChainable(chain),
    // What a FunctionGraph has by default: its executions logged at level ALL to a group of its own, and traced.
    ...(plainFeatures
      ? {
          logs: {
            destination: new LogGroup(stack, 'FlowLogs', {
              retention: RetentionDays.ONE_MONTH,
              removalPolicy: RemovalPolicy.DESTROY,
            }),
            level: LogLevel.ALL,
          },
          tracingEnabled: true,
        }
      : {}),
  });
}
if (stageFns.length > 0) {
  const nodes = stageFns.slice(0, 10).map((fn, i) => Flow.invoke(`Flow step ${i}`, fn));
  new FunctionGraph(stack, 'Flow', { definition: Flow.sequence(nodes[0], ...nodes.slice(1)) });
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
const cpu = process.cpuUsage(startedCpu);
// The stack's template and its nested stacks' (stagegraph-nested), together.
const templateFiles = fs
  .readdirSync(assembly.directory)
  .filter(f => f === 'Bench.template.json' || f.endsWith('.nested.template.json'))
  .map(f => path.join(assembly.directory, f));
const resources = templateFiles.flatMap(file =>
  Object.values(
    (JSON.parse(fs.readFileSync(file, 'utf-8')) as { Resources: Record<string, { Type: string }> }).Resources,
  ),
);
process.stdout.write(
  JSON.stringify({
    millis,
    cpuMillis: (cpu.user + cpu.system) / 1000,
    resources: resources.length,
    customResources: resources.filter(
      r => r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource',
    ).length,
    templateBytes: templateFiles.reduce((sum, file) => sum + fs.statSync(file).size, 0),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }) + '\n',
);
