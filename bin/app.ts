// The example app (bin/example/app.ts), synthesized for the CDK CLI, `stagegraph` and `npm start`.
import { App } from 'aws-cdk-lib';
import { exampleApp } from './example/app';

const app = new App();
exampleApp(app);
app.synth();
