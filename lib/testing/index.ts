// stagegraph/testing: what users need in tests of their stagegraph apps. Framework-neutral; the serializer has
// the shape Jest and Vitest share.
export { maskTemplate, stableTemplate, templateSerializer } from './stable-template';
export type { TemplateSerializer } from './stable-template';
export { testApp } from './test-app';
export type { TestAppOptions } from './test-app';
export { DeployedApp } from './deployed-app';
export type { DeployedStack, Invocation, InvocationReport, InvocationWaitOptions } from './deployed-app';
export type { FlowRun, FlowStep } from './flow-runs';
export { LocalCloud } from './local-cloud';
export type { LocalCloudOptions } from './local-cloud';
export { waitFor } from './wait';
export type { WaitOptions } from './wait';
export type { Bill, BillLine } from '../app/bill';
