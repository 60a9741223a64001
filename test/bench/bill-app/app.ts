// The bill benchmark's app: one metered function, invoked in a burst.
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { BillingMeter, StageCode, StageFunction } from '../../../lib';

const app = new App();
const stack = new Stack(app, 'BillBenchStack');
new StageFunction(stack, 'Burst', {
  code: StageCode.fromNodejs(path.join(__dirname, '..', '..', 'fixtures', 'count-nodejs')), memorySize: 128, functionName: 'bench-bill-burst',
});
new BillingMeter(stack, 'Billing', { appName: 'bench-bill', dashboard: false });
app.synth();
