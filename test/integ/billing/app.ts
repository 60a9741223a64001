// The app the billing integration test deploys: two functions that sleep known durations, metered
// with the seed's 100 ms model, and a budget so low that a few invocations pass it.
import * as path from 'path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { LoggingFormat } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { BillingMeter, BillingModel, StageCode, StageFunction } from '../../../lib';

// Each test run deploys functions of its own, so that figures of an earlier run cannot mix in.
const run = process.env.STAGEGRAPH_BILLING_RUN ?? 'manual';
const app = new App();
const stack = new Stack(app, 'BillingTestStack');
const code = StageCode.fromNodejs(path.join(__dirname, '..', '..', 'fixtures', 'probe-nodejs'));
new StageFunction(stack, 'Small', { code, memorySize: 128, functionName: `stagegraph-billing-small-${run}` });
new StageFunction(stack, 'Large', { code, memorySize: 1024, functionName: `stagegraph-billing-large-${run}` });
// Functions that print REPORT lines of their own, in Node.js and in Python, and one that logs in the JSON
// format: their bills must be their real invocations. A timeout of 10 s: the forged lines' 2.9 s durations
// and 9 s INIT are within it, so only the lines' place in the log tells them from the platform's.
const timeout = Duration.seconds(10);
new StageFunction(stack, 'ForgeNode', {
  code,
  memorySize: 128,
  timeout,
  functionName: `stagegraph-billing-forge-node-${run}`,
});
new StageFunction(stack, 'ForgePython', {
  code: StageCode.fromPython(path.join(__dirname, '..', '..', 'fixtures', 'probe-python')),
  memorySize: 128,
  timeout,
  functionName: `stagegraph-billing-forge-python-${run}`,
});
new StageFunction(stack, 'Json', {
  code,
  memorySize: 256,
  timeout,
  loggingFormat: LoggingFormat.JSON,
  functionName: `stagegraph-billing-json-${run}`,
});

// The budget alarm's notifications land in a queue the test reads.
const budgetTopic = new Topic(stack, 'Budget');
const alarms = new Queue(stack, 'BudgetNotifications', { removalPolicy: RemovalPolicy.DESTROY });
budgetTopic.addSubscription(new SqsSubscription(alarms, { rawMessageDelivery: true }));
// A meter (and so a budget alarm) of its own per run: LocalStack cannot update an alarm in place.
new BillingMeter(stack, `Billing${run.replace(/[^A-Za-z0-9]/g, '')}`, {
  appName: `billing-test-${run}`,
  model: BillingModel.FUNCTIONSTAGE_SEED,
  budget: { limitUsd: 0.000001, period: Duration.minutes(1), topic: budgetTopic },
});
app.synth();
