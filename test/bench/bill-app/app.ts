// The bill benchmark's app: one metered function, invoked in a burst.
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { BillingMeter, StageCode, StageFunction } from '../../../lib';

const app = new App();
const stack = new Stack(app, 'BillBenchStack');
// One function per delivery mode and run: the bill's figures of one mode or run cannot mix into another's
// (CloudWatch sums a function's metric over whole periods).
const run = process.env.STAGEGRAPH_BENCH_RUN ?? 'manual';
for (const mode of ['async', 'sync']) {
  new StageFunction(stack, `Burst${mode}`, {
    code: StageCode.fromNodejs(path.join(__dirname, '..', '..', 'fixtures', 'count-nodejs')),
    memorySize: 128,
    functionName: `bench-bill-${run}-${mode}`,
  });
}
new BillingMeter(stack, 'Billing', { appName: 'bench-bill', dashboard: false });
app.synth();
