// stagegraph/testing: what users need in tests of their stagegraph apps. Framework-neutral; the serializer has
// the shape Jest and Vitest share.
export { maskTemplate, stableTemplate, templateSerializer } from './stable-template';
export type { TemplateSerializer } from './stable-template';
export { testApp } from './test-app';
export type { TestAppOptions } from './test-app';
export { DeployedApp } from './deployed-app';
export type {
  DeployedAppOptions,
  DeployedStack,
  Invocation,
  InvocationReport,
  InvocationWaitOptions,
  RunFlowOptions,
} from './deployed-app';
export { StepMock } from './flow-mocks';
export type { FlowMocks } from './flow-mocks';
export type { HttpRequest, HttpResponse } from '../app/http-request';
export type { FlowRun, FlowStep } from '../app/flow-runs';
export { LocalCloud } from './local-cloud';
export type { LocalCloudOptions } from './local-cloud';
export { waitFor } from '../app/wait';
export type { WaitOptions } from '../app/wait';
export type { Bill, BillLine } from '../app/bill';
export type { ReportLine } from '../billing/report-line';
