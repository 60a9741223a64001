// The app the local cloud's integration tests deploy: one hello function per language, and a probe.
import * as path from 'path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Stream } from 'aws-cdk-lib/aws-kinesis';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { StageCode, StageFunction } from '../../../lib';
import { addHelloFunctions } from '../../hello-functions';

const fixtures = path.join(__dirname, '..', '..', 'fixtures');
const app = new App();
const stack = new Stack(app, 'LocalTestStack');

addHelloFunctions(stack);

const bucket = new Bucket(stack, 'Uploads', { removalPolicy: RemovalPolicy.DESTROY });
const probe = new StageFunction(stack, 'Probe', {
  code: StageCode.fromNodejs(path.join(fixtures, 'probe-nodejs')),
  memorySize: 256,
  timeout: Duration.seconds(2),
  environment: { GREETING: 'hello from the environment', BUCKET: bucket.bucketName },
});
bucket.grantWrite(probe);
// Invoked by the metrics test only: its AWS/Lambda counts are that test's alone.
new StageFunction(stack, 'Counted', {
  code: StageCode.fromNodejs(path.join(fixtures, 'probe-nodejs')),
  memorySize: 128,
  timeout: Duration.seconds(2),
});
new StageFunction(stack, 'ProbePython', {
  code: StageCode.fromPython(path.join(fixtures, 'probe-python')),
  memorySize: 256,
  timeout: Duration.seconds(20),
});
// Node.js functions run on their own major: 24 is fetched at deploy; 18 has no build, so it must fail clearly.
new StageFunction(stack, 'HelloNode24', {
  code: StageCode.fromNodejs(path.join(fixtures, 'hello-nodejs'), { runtime: Runtime.NODEJS_24_X }),
  memorySize: 128,
});
new StageFunction(stack, 'HelloNode18', {
  code: StageCode.fromNodejs(path.join(fixtures, 'hello-nodejs'), { runtime: Runtime.NODEJS_18_X }),
  memorySize: 128,
});
// A stream, so that LocalStack runs its Kinesis server while the tests look at what listens where.
new Stream(stack, 'Readings', { shardCount: 1, removalPolicy: RemovalPolicy.DESTROY });

app.synth();
