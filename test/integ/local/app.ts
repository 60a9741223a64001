// The app the local cloud's integration tests deploy: one hello function per language, and a probe.
import * as path from 'path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
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

app.synth();
