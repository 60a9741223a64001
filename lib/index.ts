export * from './errors';
export { StageLanguage } from './function/builders/builder';
export * from './function/native-architecture';
export * from './function/stage-code';
export * from './function/stage-function-base';
export * from './function/stage-function';
export * from './function/stage-library';
