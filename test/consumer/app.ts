// A user's own CDK app, importing stagegraph from the packed tarball: an HTTP function, a Python function
// on uploads to a bucket, and the billing meter.
import { App, Stack } from 'aws-cdk-lib';
import { BillingMeter, HttpAuth, HttpTrigger, ObsBucket, ObsTrigger, StageCode, StageFunction } from 'stagegraph';

const app = new App();
const stack = new Stack(app, 'ConsumerStack');
const greeter = new StageFunction(stack, 'Greeter', {
  code: StageCode.fromNodejs('functions/greeter'),
  memorySize: 192,
  triggers: [new HttpTrigger({ path: '/greet', methods: ['GET'], auth: HttpAuth.NONE })],
});
greeter.metricErrors();
const uploads = new ObsBucket(stack, 'Uploads');
new StageFunction(stack, 'OnUpload', {
  code: StageCode.fromPython('functions/on-upload'),
  memorySize: 128,
  triggers: [new ObsTrigger(uploads, { prefix: 'in/' })],
});
new BillingMeter(stack, 'Billing', { appName: 'consumer' });
app.synth();
