import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { StageCode, StageFunction, StageLibrary } from '../../lib';
import { FIXTURES } from '../helpers';

// One small stack, as a user would snapshot theirs. Code is not built (bundling is skipped by
// context) and asset hashes are masked by the serializer, so this holds on any machine.
test('a small stack of StageFunctions', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Snapshot', { env: { account: '111111111111', region: 'us-east-1' } });
  const library = new StageLibrary(stack, 'Shared', {
    code: StageCode.fromPython(path.join(FIXTURES, 'hello-python')),
  });
  new StageFunction(stack, 'Extract', {
    code: StageCode.fromPython(path.join(FIXTURES, 'hello-python')),
    memorySize: 512,
    libraries: [library],
    environment: { STAGE: 'snapshot' },
  });
  new StageFunction(stack, 'Thumbnail', {
    code: StageCode.fromGo(path.join(FIXTURES, 'hello-go')),
    memorySize: 256,
    timeout: Duration.seconds(10),
    retryAttempts: 1,
    reservedInstances: 1,
  });

  expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
});
