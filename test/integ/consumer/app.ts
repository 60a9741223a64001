// A user's own CDK app, importing stagegraph from the packed tarball.
import { App, Stack } from 'aws-cdk-lib';
import { StageCode, StageFunction } from 'stagegraph';

const app = new App();
const stack = new Stack(app, 'ConsumerStack');
const fn = new StageFunction(stack, 'Greeter', {
  code: StageCode.fromNodejs('functions/greeter'),
  memorySize: 192,
});
fn.metricErrors();
app.synth();
