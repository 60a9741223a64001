import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { StageCode, StageFunction, StageFunctionProps } from '../../../lib';
import { FIXTURES } from '../../helpers';

/** The one tiny function the trigger tests wire their triggers to. */
export function fixtureFunction(stack: Stack, id = 'Fn', props: Partial<StageFunctionProps> = {}): StageFunction {
  return new StageFunction(stack, id, {
    code: StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs')),
    memorySize: 128,
    ...props,
  });
}
