import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { StageCode, StageLibrary } from '../../../lib';
import { FIXTURES, unbuiltStack } from '../../helpers';

describe('StageLibrary', () => {
  test('is a layer for the runtime and architecture it is built for', () => {
    const stack = unbuiltStack();

    const library = new StageLibrary(stack, 'Shared', {
      code: StageCode.fromPython(path.join(FIXTURES, 'hello-python')),
      architecture: Architecture.ARM_64,
      description: 'shared helpers',
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::LayerVersion', {
      CompatibleRuntimes: ['python3.11'],
      CompatibleArchitectures: ['arm64'],
      Description: 'shared helpers',
    });
    expect(library.runtime.name).toBe('python3.11');
  });

  test('defaults to x86_64', () => {
    const stack = unbuiltStack();

    new StageLibrary(stack, 'Shared', {
      code: StageCode.fromJava(path.join(FIXTURES, 'hello-java'), { handler: 'unused' }),
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::LayerVersion', {
      CompatibleRuntimes: ['java21'],
      CompatibleArchitectures: ['x86_64'],
    });
  });
});
