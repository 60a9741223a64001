// The app the billing integration test deploys: two functions that sleep known durations, metered
// with the seed's 100 ms model, and a budget so low that a few invocations pass it.
import * as path from 'path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
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
