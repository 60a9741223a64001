import type { TargetRefusal } from '../errors';
import type { FlowFact } from '../model';

// A flow's ASL as the body of FunctionGraph's CreateWorkflow (`POST /v2/{project_id}/fgs/workflows`). The API
// confirms three node types, Operation, Sleep and End (see the reference's fgs-workflow-api.md): a function node is
// an Operation with one action, a parallel node whose branches are each one function node is an Operation with
// `action_mode: parallel` (every branch joined), a wait is a Sleep, the end an End node. Retries become `retries`
// policies, catches `on_errors` transitions. Choice, loop, callback, subflow, pass, notify and fail nodes have no
// confirmed encoding and are refused.

/** One function a workflow calls. */
export interface WorkflowFunction {
  readonly name: string;
  /** The function's URN: a Terraform output name, filled in by the deploy step. */
  readonly operation: string;
}

/** One node of a workflow. */
export interface WorkflowState {
  readonly id: string;
  readonly name: string;
  readonly type: 'Operation' | 'Sleep' | 'End';
  readonly end: boolean;
  readonly transition: string;
  readonly actions: {
    readonly function_ref: {
      readonly ref_name: string;
      readonly arguments: Record<string, unknown>;
      readonly invoke_mode: 'synchronize';
    };
  }[];
  readonly action_mode?: 'sequential' | 'parallel' | '';
  readonly on_errors?: { readonly error?: string; readonly retry_ref?: string; readonly transition?: string }[];
  readonly state_data_filter?: { readonly input?: string; readonly output?: string };
  readonly duration?: number;
}

/** The CreateWorkflow request body. */
export interface WorkflowBody {
  readonly name: string;
  readonly description?: string;
  readonly start: string;
  readonly mode: 'NORMAL' | 'EXPRESS';
  readonly functions: WorkflowFunction[];
  readonly states: WorkflowState[];
  readonly constants: Record<string, unknown>;
  readonly retries: { readonly name: string; readonly delay: number; readonly max_attempts: number }[];
  readonly triggers?: {
    readonly trigger_name: string;
    readonly trigger_type: 'OBS';
    readonly enabled: boolean;
    readonly trigger_config: {
      readonly bucket: string;
      readonly events: string[];
      readonly prefix: string;
      readonly suffix: string;
    };
  }[];
}

/** A workflow body, or what keeps the flow from being one. */
export interface WorkflowRendering {
  readonly body?: WorkflowBody;
  readonly refusals: TargetRefusal[];
}

interface AslState {
  readonly Type: string;
  readonly Resource?: unknown;
  readonly Parameters?: Record<string, unknown>;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Seconds?: number;
  readonly InputPath?: string;
  readonly OutputPath?: string;
  readonly Retry?: {
    readonly ErrorEquals: string[];
    readonly IntervalSeconds?: number;
    readonly MaxAttempts?: number;
  }[];
  readonly Catch?: { readonly ErrorEquals: string[]; readonly Next: string }[];
  readonly Branches?: { readonly StartAt: string; readonly States: Record<string, AslState> }[];
}

/** The Step Functions errors that only the Lambda service raises: FunctionGraph retries its own. */
const LAMBDA_SERVICE_ERRORS = /^Lambda\./;
const END_ID = 'end';

/**
 * Renders a flow as a CreateWorkflow body. `functionOf` maps a Task's `Resource` (a CloudFormation intrinsic naming a
 * Lambda function) to the Terraform name of the function; `name` is the workflow's name.
 */
export function renderWorkflow(
  flow: FlowFact,
  name: string,
  functionOf: (resource: unknown) => string | undefined,
): WorkflowRendering {
  const refusals: TargetRefusal[] = [];
  const refuse = (message: string) => refusals.push({ constructPath: flow.path, message });
  const definition = flow.definition as { StartAt: string; States: Record<string, AslState> };
  const functions = new Map<string, WorkflowFunction>();
  const retries = new Map<string, { name: string; delay: number; max_attempts: number }>();
  const ids = new Map<string, string>();
  const idOf = (state: string) => {
    let id = ids.get(state);
    if (!id) {
      id = `s${ids.size + 1}_${state.replace(/[^A-Za-z0-9]+/g, '_').toLowerCase()}`.slice(0, 64);
      ids.set(state, id);
    }
    return id;
  };
  const action = (state: string, task: AslState) => {
    const fn = task.Type === 'Task' ? functionOf(task.Resource) : undefined;
    if (!fn) {
      refuse(
        `node '${state}' is a ${describe(task)}, which the FunctionGraph workflow API has no confirmed form for ` +
          '(allowed: function nodes, parallel nodes of single function nodes, waits, the end)',
      );
      return undefined;
    }
    functions.set(fn, { name: fn, operation: `\${${fn}_urn}` });
    return {
      function_ref: {
        ref_name: fn,
        arguments: argumentsOf(task.Parameters ?? {}),
        invoke_mode: 'synchronize' as const,
      },
    };
  };
  const onErrors = (state: string, task: AslState): WorkflowState['on_errors'] => {
    const entries: NonNullable<WorkflowState['on_errors']> = [];
    for (const retry of task.Retry ?? []) {
      if (retry.ErrorEquals.every(e => LAMBDA_SERVICE_ERRORS.test(e))) continue;
      const policy = {
        name: `retry_${retries.size + 1}`,
        delay: Math.min(30, Math.max(1, retry.IntervalSeconds ?? 1)),
        max_attempts: Math.min(8, Math.max(1, retry.MaxAttempts ?? 3)),
      };
      if ((retry.MaxAttempts ?? 3) > 8) {
        refuse(`node '${state}' retries ${retry.MaxAttempts} times (allowed: 1 to 8)`);
      }
      const key = `${policy.delay}/${policy.max_attempts}`;
      const existing = retries.get(key) ?? policy;
      retries.set(key, existing);
      entries.push({ retry_ref: existing.name });
    }
    for (const catcher of task.Catch ?? []) entries.push({ transition: idOf(catcher.Next) });
    return entries.length > 0 ? entries : undefined;
  };

  for (const [stateName, state] of Object.entries(definition.States)) {
    if (state.Type === 'Succeed') ids.set(stateName, END_ID);
  }
  const states: WorkflowState[] = [];
  for (const [stateName, state] of Object.entries(definition.States)) {
    const next = state.End ? END_ID : state.Next ? idOf(state.Next) : END_ID;
    const common = {
      id: idOf(stateName),
      name: stateName.replace(/[^_a-zA-Z0-9().-]/g, '_').slice(0, 64),
      end: false,
      transition: next,
    };
    if (state.Type === 'Task') {
      const one = action(stateName, state);
      if (one)
        states.push({
          ...common,
          type: 'Operation',
          actions: [one],
          action_mode: 'sequential',
          ...filters(state),
          on_errors: onErrors(stateName, state),
        });
    } else if (state.Type === 'Parallel') {
      const branches = state.Branches ?? [];
      const single = branches.map(branch => Object.entries(branch.States));
      if (single.some(b => b.length !== 1 || b[0][1].Type !== 'Task')) {
        refuse(
          `parallel node '${stateName}' has a branch of more than one function node (allowed: one function node per branch)`,
        );
        continue;
      }
      const actions = single.map(([[name, task]]) => action(name, task));
      if (actions.every(a => a !== undefined)) {
        states.push({
          ...common,
          type: 'Operation',
          actions: actions as WorkflowState['actions'],
          action_mode: 'parallel',
          on_errors: onErrors(stateName, state),
        });
      }
    } else if (state.Type === 'Wait' && typeof state.Seconds === 'number') {
      states.push({ ...common, type: 'Sleep', actions: [], duration: state.Seconds });
    } else if (state.Type !== 'Succeed') {
      refuse(
        `node '${stateName}' is a ${describe(state)}, which the FunctionGraph workflow API has no confirmed form for ` +
          '(allowed: function nodes, parallel nodes of single function nodes, waits, the end)',
      );
    }
  }
  states.push({ id: END_ID, name: 'end', type: 'End', end: true, transition: '', actions: [], action_mode: '' });
  if (refusals.length > 0) return { refusals };
  return {
    refusals,
    body: {
      name,
      ...(flow.comment ? { description: flow.comment.slice(0, 512) } : {}),
      start: idOf(definition.StartAt),
      mode: flow.type === 'EXPRESS' ? 'EXPRESS' : 'NORMAL',
      functions: [...functions.values()],
      states,
      constants: {},
      retries: [...retries.values()],
    },
  };
}

/** ASL parameters (`"key.$": "$.path"`, `"key": value`) as FunctionGraph arguments (paths, or constant values). */
function argumentsOf(parameters: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(parameters).map(([key, value]) =>
      key.endsWith('.$') ? [key.slice(0, -2), value] : [key, typeof value === 'string' ? `'${value}'` : value],
    ),
  );
}

function filters(state: AslState): Pick<WorkflowState, 'state_data_filter'> {
  return state.InputPath || state.OutputPath
    ? { state_data_filter: { input: state.InputPath ?? '$', output: state.OutputPath ?? '$' } }
    : {};
}

function describe(state: AslState): string {
  if (state.Type === 'Task') {
    const resource = JSON.stringify(state.Resource ?? '');
    if (resource.includes('sns:publish')) return 'notify node (SMN publish)';
    if (resource.includes('waitForTaskToken')) return 'callback node';
    if (resource.includes('states:startExecution')) return 'subflow node';
    return `task (${resource})`;
  }
  return (
    { Choice: 'choice node', Map: 'loop node', Pass: 'pass node', Fail: 'fail node', Wait: 'wait node with a path' }[
      state.Type
    ] ?? state.Type
  );
}
