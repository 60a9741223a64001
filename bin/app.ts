// The app that `npm start` synthesizes. Until the example app's four scenarios land, it holds one
// small function per language, built without Docker from the test fixtures.
import { App, Stack } from 'aws-cdk-lib';
import { addHelloFunctions } from '../test/hello-functions';

const app = new App();
addHelloFunctions(new Stack(app, 'HelloStack'));
app.synth();
