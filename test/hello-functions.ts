// The four hello functions, one per language, as the interim app of bin/app.ts and the local
// cloud's test app both deploy them.
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { StageCode, StageFunction } from '../lib';

const fixtures = path.join(__dirname, 'fixtures');

export function addHelloFunctions(stack: Stack): StageFunction[] {
  return [
    new StageFunction(stack, 'HelloNodejs', {
      code: StageCode.fromNodejs(path.join(fixtures, 'hello-nodejs')),
      memorySize: 256,
    }),
    new StageFunction(stack, 'HelloPython', {
      code: StageCode.fromPython(path.join(fixtures, 'hello-python')),
      memorySize: 256,
    }),
    new StageFunction(stack, 'HelloJava', {
      // java17: the local cloud runs it on a JDK 17 exactly, which the machines have
      code: StageCode.fromJava(path.join(fixtures, 'hello-java'), {
        handler: 'hello.Handler',
        runtime: Runtime.JAVA_17,
      }),
      memorySize: 1024,
    }),
    new StageFunction(stack, 'HelloGo', { code: StageCode.fromGo(path.join(fixtures, 'hello-go')), memorySize: 128 }),
  ];
}
