// The app the flow integration tests deploy: a flow with parallel, loop, choice, subflow, retry and
// catch; a callback resumed through SMN; a flow started by OBS uploads; an Express flow.
import * as path from 'path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import {
  CallbackNotify,
  Condition,
  Flow,
  FlowType,
  FunctionGraph,
  HttpAuth,
  HttpTrigger,
  ObsBucket,
  ObsTrigger,
  StageCode,
  StageFunction,
  WaitTime,
} from '../../../lib';

const fixtures = path.join(__dirname, '..', '..', 'fixtures');

/** The flow test app in `app`: its stack and the constructs the tests send to. */
export function flowTestApp(app: App) {
  const stack = new Stack(app, 'FlowTestStack');

  const steps = new StageFunction(stack, 'Steps', {
    code: StageCode.fromNodejs(path.join(fixtures, 'flow-nodejs')),
    memorySize: 128,
  });
  const square = new StageFunction(stack, 'Square', {
    code: StageCode.fromPython(path.join(fixtures, 'flow-python')),
    memorySize: 128,
  });

  const child = new FunctionGraph(stack, 'Child', {
    flowName: 'stagegraph-test-child',
    definition: Flow.invoke('Describe', steps, { payload: { op: 'describe', 'from.$': '$.from' } }),
  });

  const orchestra = new FunctionGraph(stack, 'Orchestra', {
    flowName: 'stagegraph-test-orchestra',
    definition: Flow.sequence(
      Flow.parallel(
        'Fan out',
        [
          Flow.invoke('Sum', steps, { payload: { op: 'sum', 'items.$': '$.items' } }),
          Flow.forEach('Square each', {
            itemsPath: '$.items',
            maxConcurrency: 2,
            itemSelector: { 'value.$': '$$.Map.Item.Value' },
            body: Flow.invoke('Square', square, { resultSelector: { 'square.$': '$.square' } }),
          }),
        ],
        { resultPath: '$.fanOut' },
      ),
      Flow.choice('Big?')
        .when(
          Condition.numberGreaterThan('$.fanOut[0].sum', 10),
          Flow.pass('Big', { result: { size: 'big' }, resultPath: '$.size' }),
        )
        .otherwise(Flow.pass('Small', { result: { size: 'small' }, resultPath: '$.size' })),
      Flow.invoke('Flaky', steps, {
        payload: { op: 'flaky', 'attempt.$': '$$.State.RetryCount' },
        resultPath: '$.flaky',
      }).retry({ errors: ['FlakyError'], interval: Duration.seconds(1), maxAttempts: 2, backoffRate: 1 }),
      Flow.invoke('Broken', steps, { payload: { op: 'fail' }, resultPath: '$.broken' }).catch(
        Flow.pass('Recovered', { parameters: { 'error.$': '$.caught.Error' }, resultPath: '$.recovered' }),
        { resultPath: '$.caught' },
      ),
      Flow.subflow('Run child', child, { input: { 'from.$': '$$.Execution.Name' }, resultPath: '$.child' }),
      Flow.wait('Settle', WaitTime.duration(Duration.seconds(1))),
      Flow.succeed('Done'),
    ),
  });

  // A callback: the flow publishes its task token to Requests (read from a queue by the test), then
  // waits until an answer arrives on the flow's resume topic.
  const requests = new Topic(stack, 'Requests');
  const requestQueue = new Queue(stack, 'RequestQueue', { removalPolicy: RemovalPolicy.DESTROY });
  requests.addSubscription(new SqsSubscription(requestQueue, { rawMessageDelivery: true }));
  const approval = new FunctionGraph(stack, 'Approval', {
    flowName: 'stagegraph-test-approval',
    definition: Flow.sequence(
      Flow.callback('Wait for approval', {
        notify: CallbackNotify.smn(requests),
        timeout: Duration.minutes(5),
        resultPath: '$.approval',
      }),
      Flow.choice('Approved?')
        .when(Condition.booleanEquals('$.approval.approved', true), Flow.succeed('Approved'))
        .otherwise(Flow.fail('Rejected', { error: 'Rejected' })),
    ),
  });

  // Approvers may also answer over HTTP.
  approval.addResumeTrigger(new HttpTrigger({ path: '/approvals', methods: ['POST'], auth: HttpAuth.NONE }));

  // Started by uploads under incoming/: one execution per object.
  const inbox = new ObsBucket(stack, 'Inbox', { removalPolicy: RemovalPolicy.DESTROY });
  const onUpload = new FunctionGraph(stack, 'OnUpload', {
    flowName: 'stagegraph-test-on-upload',
    definition: Flow.invoke('Describe upload', steps, {
      payload: { op: 'describe', 'key.$': '$.key', 'bucket.$': '$.bucket', 'size.$': '$.size' },
    }),
    triggers: [new ObsTrigger(inbox, { prefix: 'incoming/' })],
  });

  // An Express flow, run synchronously by the test.
  const quick = new FunctionGraph(stack, 'Quick', {
    flowName: 'stagegraph-test-quick',
    type: FlowType.EXPRESS,
    definition: Flow.sequence(
      // Over HTTP the input is the request ({ trigger: 'http', body, ... }): take the numbers from its body.
      Flow.choice('Over HTTP?').when(
        Condition.and(Condition.isPresent('$.trigger'), Condition.stringEquals('$.trigger', 'http')),
        Flow.transform('Unwrap', { 'items.$': '$.body.items' }),
      ),
      Flow.invoke('Sum quickly', steps, { payload: { op: 'sum', 'items.$': '$.items' }, resultPath: '$.total' }),
      Flow.transform('Answer', { 'total.$': '$.total.sum' }),
    ),
  });

  // ...and over HTTP, answering with the flow's output.
  quick.addTrigger(new HttpTrigger({ path: '/quick', methods: ['POST'], auth: HttpAuth.NONE }));

  return { stack, orchestra, approval, requestQueue, inbox, onUpload, quick };
}

// Run by the CDK CLI (cdk.json): synthesize it.
if (require.main === module) {
  const app = new App();
  flowTestApp(app);
  app.synth();
}
