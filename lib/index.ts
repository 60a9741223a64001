export * from './errors';
export { StageLanguage } from './function/builders/builder';
export type { GoBuildOptions } from './function/builders/go';
export type { NodejsBuildOptions } from './function/builders/nodejs';
export * from './function/native-architecture';
export * from './function/stage-code';
export * from './function/stage-function-base';
export * from './function/stage-function';
export * from './function/stage-library';
