// The app that `npm start` synthesizes. Until the example app's four scenarios land, it holds one
// small function per language, built without Docker from the test fixtures.
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { StageCode, StageFunction } from '../lib';

const fixtures = path.join(__dirname, '..', 'test', 'fixtures');
const app = new App();
const stack = new Stack(app, 'HelloStack');

new StageFunction(stack, 'HelloNodejs', { code: StageCode.fromNodejs(path.join(fixtures, 'hello-nodejs')), memorySize: 256 });
new StageFunction(stack, 'HelloPython', { code: StageCode.fromPython(path.join(fixtures, 'hello-python')), memorySize: 256 });
new StageFunction(stack, 'HelloJava', {
  code: StageCode.fromJava(path.join(fixtures, 'hello-java'), { handler: 'hello.Handler' }),
  memorySize: 1024,
});
new StageFunction(stack, 'HelloGo', { code: StageCode.fromGo(path.join(fixtures, 'hello-go')), memorySize: 128 });

app.synth();
