// The public API of stagegraph, by name. A name not listed here is internal, however it is exported from its
// module; api/stagegraph.api.md is the reviewed report of this surface (`npm run api` updates it).

// Errors
export {
  FlowValidationError,
  LocalCloudError,
  StageBuildError,
  StageInputError,
  StageValidationError,
  StagegraphError,
  StagegraphErrorKind,
  TargetMappingError,
  TriggerValidationError,
  UsageError,
} from './errors';
export type { TargetRefusal } from './errors';

// Targets
export { DeployTarget, deployTargetOf, TARGET_CONTEXT } from './target';

// Functions
export type { GoBuildOptions } from './function/languages/go';
export type { JavaCodeOptions } from './function/languages/java';
export type { NodejsBuildOptions, NodejsCodeOptions } from './function/languages/nodejs';
export type { PythonCodeOptions } from './function/languages/python';
export { StageLanguage } from './function/languages/registry';
export { assertRunsOnThisMachine } from './function/native-architecture';
export { StageCode } from './function/stage-code';
export type { ObsCodeOptions, StageCodeBindOptions, StageCodeConfig } from './function/stage-code';
export { FunctionLogs } from './function/function-logs';
export type { FunctionLogsProps } from './function/function-logs';
export { StageFunction } from './function/stage-function';
export type { StageFunctionProps } from './function/stage-function-props';
export { StageFunctionBase } from './function/stage-function-base';
export type { IStageFunction } from './function/stage-function-base';
export { StageLibrary } from './function/stage-library';
export type { StageLibraryProps } from './function/stage-library';
export type { ITrigger, ITriggerTarget } from './function/trigger';
export type { FlowTraffic, FunctionTraffic } from './usage';

// Triggers
export type { BatchingProps } from './triggers/batching';
export { DisTrigger } from './triggers/dis-trigger';
export type { DisTriggerProps } from './triggers/dis-trigger';
export { DmsTrigger } from './triggers/dms-trigger';
export type { DmsTriggerProps } from './triggers/dms-trigger';
export { HttpAuthorizer } from './triggers/http-authorizer';
export type { JwtAuthorizerOptions, LambdaAuthorizerOptions } from './triggers/http-authorizer';
export { HttpAuth, HttpTrigger } from './triggers/http-trigger';
export type { HttpCors, HttpTriggerProps } from './triggers/http-trigger';
export { ObsBucket } from './triggers/obs-bucket';
export type { ObsBucketProps } from './triggers/obs-bucket';
export { ObsEvent, ObsTrigger } from './triggers/obs-trigger';
export type { ObsTriggerProps } from './triggers/obs-trigger';
export { SmnTrigger } from './triggers/smn-trigger';
export type { SmnTriggerProps } from './triggers/smn-trigger';
export { StageHttpApi } from './triggers/stage-http-api';
export type { StageHttpApiProps } from './triggers/stage-http-api';
export { TimerTrigger } from './triggers/timer-trigger';
export type { TimerTriggerOptions } from './triggers/timer-trigger';

// Workflows
export { FlowErrors } from './workflow/asl';
export type { AslCatcher, AslChoiceRule, AslDefinition, AslRetrier, AslState, AslStates } from './workflow/asl';
export { CallbackNode, CallbackNotify } from './workflow/callback-node';
export type { CallbackNodeOptions } from './workflow/callback-node';
export { ChoiceNode } from './workflow/choice-node';
export { Condition } from './workflow/condition';
export { FailNode, GotoNode, SucceedNode } from './workflow/end-nodes';
export { Flow } from './workflow/flow';
export type { FlowLogging } from './workflow/flow-logging';
export { FlowNode, FlowNodeKind, SequenceNode, TaskNode } from './workflow/flow-node';
export type { CatchOptions, ErrorHandlingFields, Fragment, RenderContext, RetryOptions } from './workflow/flow-node';
export type { FailNodeOptions } from './workflow/end-nodes';
export { FunctionGraph } from './workflow/function-graph';
export { FlowType } from './workflow/function-graph-props';
export type { FunctionGraphProps } from './workflow/function-graph-props';
export { FunctionNode } from './workflow/function-node';
export type { FunctionNodeOptions } from './workflow/function-node';
export { DISCARD_RESULT } from './workflow/io';
export type { FlowInputOptions, FlowResultOptions } from './workflow/io';
export { LoopNode } from './workflow/loop-node';
export type { LoopNodeOptions } from './workflow/loop-node';
export { NotifyNode } from './workflow/notify-node';
export type { NotifyNodeOptions } from './workflow/notify-node';
export { ParallelNode } from './workflow/parallel-node';
export type { ParallelNodeOptions } from './workflow/parallel-node';
export { PassNode } from './workflow/pass-node';
export type { PassNodeOptions } from './workflow/pass-node';
export type {
  DiagramCluster,
  DiagramEdge,
  DiagramNode,
  DiagramNodeKind,
  FlowDiagram,
} from './workflow/pictures/diagram';
export { SubflowNode } from './workflow/subflow-node';
export type { ISubflowTarget, SubflowNodeOptions } from './workflow/subflow-node';
export type { StateDescription } from './workflow/render';
export { WaitNode, WaitTime } from './workflow/wait-node';

// Billing: models and prices (pure), metering constructs, estimates
export { APP_DIMENSION, BILLING_NAMESPACE, BillingMetric, FUNCTION_DIMENSION } from './billing/billing-metrics';
export { BillingModel } from './billing/billing-model';
export type { BillingModelProps, UsageCost } from './billing/billing-model';
export type { CostEstimate, FlowCostEstimate, FunctionCostEstimate } from './billing/cost-estimate';
export { StepFunctionsPricing } from './billing/step-functions-pricing';
export { AppDashboard } from './metering/app-dashboard';
export type { AppDashboardProps } from './metering/app-dashboard';
export { BillingMeter } from './metering/billing-meter';
export type { BillingMeterProps } from './metering/billing-meter';
export { BillingMetrics } from './metering/billing-metrics';
export type { BillingMetricOptions } from './metering/billing-metrics';
export { BudgetAlarm } from './metering/budget-alarm';
export type { BudgetAlarmProps, BudgetOptions } from './metering/budget-alarm';
export { estimateCost } from './metering/estimate';
export type { EstimateCostOptions } from './metering/estimate';

// Security review
export { acceptNagFindings } from './nag-metadata';
export type { NagAcceptance } from './nag-metadata';
