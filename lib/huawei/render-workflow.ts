import type { TargetRefusal } from '../errors';
import type { FlowFact } from '../model';

// A flow's ASL as the body of FunctionGraph's CreateWorkflow (`POST /v2/{project_id}/fgs/workflows`). Huawei's SDK
// models (Go, Java, Node.js, Python; extracted in test/fixtures/huaweicloud/fgs-workflow-states.json) declare one
// state model, OperationState, whose `type` is Operation, Sleep or End, and no field for conditions, branches of
// several nodes, iteration or a completion count. So: a function node is an Operation with one action; a parallel
// node whose branches are each one function node is an Operation with `action_mode: parallel` (at most 10 actions,
// every branch joined); a wait of whole seconds is a Sleep; the end an End node. Retries become `retries` policies,
// catches `on_errors` transitions. Choice, loop, callback, subflow, pass, notify and fail nodes, and what the fields
// cannot carry, are refused, each with the node's name (the refusal carries the flow's construct path).

/** One function a workflow calls. */
export interface WorkflowFunction {
  readonly name: string;
  /** The function's URN: a Terraform output name, filled in by the deploy step. */
  readonly operation: string;
}

/** One node of a workflow (the SDKs' OperationState). */
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
  readonly action_mode?: 'sequential' | 'parallel';
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
  readonly Timestamp?: string;
  readonly InputPath?: string;
  readonly OutputPath?: string;
  readonly ResultPath?: string | null;
  readonly ResultSelector?: unknown;
  readonly TimeoutSeconds?: number;
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
/** The errors an `on_errors` entry without an `error` expression stands for (the expression's form is unconfirmed). */
const ANY_ERROR = new Set(['States.ALL', 'States.TaskFailed']);
const END_ID = 'end';
/** CreateWorkflow's limits (API Explorer definition): actions of a node, nodes, a Sleep's seconds, retry policies. */
const MAX_ACTIONS = 10;
const MAX_STATES = 100;
const SLEEP_SECONDS = { min: 1, max: 86_400 };
const RETRY_DELAY = { min: 1, max: 30 };
const RETRY_ATTEMPTS = { min: 1, max: 8 };
/** The characters names and descriptions may hold (the API's pattern), anything else becomes `_`. */
const NOT_NAME_CHARACTERS = /[^_a-zA-Z0-9().\-\u4e00-\u9fa5]+/g;
const ALLOWED =
  '(allowed: function nodes, parallel nodes of up to 10 single function nodes, waits of 1 to 86400 s, the end; ' +
  "FunctionGraph's workflow nodes are Operation, Sleep and End only)";

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
        `node '${state}' is a ${describe(task)}, which the FunctionGraph workflow API has no confirmed form for ${ALLOWED}`,
      );
      return undefined;
    }
    functions.set(fn, { name: fn, operation: `\${${fn}_urn}` });
    return {
      function_ref: {
        ref_name: fn,
        arguments: argumentsOf(task.Parameters ?? {}, (field, what) =>
          refuse(
            `node '${state}' has ${what} in its payload at '${field}' (allowed: paths '$...', numbers, strings, booleans and objects of them)`,
          ),
        ),
        invoke_mode: 'synchronize' as const,
      },
    };
  };
  const onErrors = (state: string, task: AslState): WorkflowState['on_errors'] => {
    const entries: NonNullable<WorkflowState['on_errors']> = [];
    for (const retry of task.Retry ?? []) {
      if (retry.ErrorEquals.every(e => LAMBDA_SERVICE_ERRORS.test(e))) continue;
      namedErrors(state, 'retry', retry.ErrorEquals);
      const attempts = retry.MaxAttempts ?? 3;
      if (attempts === 0) continue;
      if (attempts > RETRY_ATTEMPTS.max) {
        refuse(`node '${state}' retries ${attempts} times (allowed: ${RETRY_ATTEMPTS.min} to ${RETRY_ATTEMPTS.max})`);
      }
      const policy = {
        name: `retry_${retries.size + 1}`,
        delay: Math.min(RETRY_DELAY.max, Math.max(RETRY_DELAY.min, retry.IntervalSeconds ?? 1)),
        max_attempts: Math.min(RETRY_ATTEMPTS.max, attempts),
      };
      const key = `${policy.delay}/${policy.max_attempts}`;
      const existing = retries.get(key) ?? policy;
      retries.set(key, existing);
      entries.push({ retry_ref: existing.name });
    }
    for (const catcher of task.Catch ?? []) {
      namedErrors(state, 'catch', catcher.ErrorEquals);
      entries.push({ transition: idOf(catcher.Next) });
    }
    return entries.length > 0 ? entries : undefined;
  };
  const namedErrors = (state: string, what: string, errors: readonly string[]) => {
    const named = errors.filter(e => !ANY_ERROR.has(e) && !LAMBDA_SERVICE_ERRORS.test(e));
    if (named.length > 0) {
      refuse(
        `the ${what} of node '${state}' matches ${named.join(', ')}, and the workflow's error expression for a named ` +
          `error is not confirmed (allowed: ${[...ANY_ERROR].join(' or ')})`,
      );
    }
  };
  const unmapped = (state: string, node: AslState, where = '') => {
    if (node.ResultSelector !== undefined) {
      refuse(`node '${state}'${where} has a resultSelector, which a workflow node has no field for (allowed: none)`);
    }
    if (node.TimeoutSeconds !== undefined) {
      refuse(
        `node '${state}'${where} has a timeout of ${node.TimeoutSeconds} s, which a workflow node has no field for ` +
          "(allowed: none; the function's own timeout applies)",
      );
    }
  };

  for (const [stateName, state] of Object.entries(definition.States)) {
    if (state.Type === 'Succeed') ids.set(stateName, END_ID);
  }
  const states: WorkflowState[] = [];
  for (const [stateName, state] of Object.entries(definition.States)) {
    const next = state.End ? END_ID : state.Next ? idOf(state.Next) : END_ID;
    const common = {
      id: idOf(stateName),
      name: stateName.replace(NOT_NAME_CHARACTERS, '_').slice(0, 256),
      end: false,
      transition: next,
    };
    if (state.Type === 'Task') {
      const one = action(stateName, state);
      if (one) {
        unmapped(stateName, state);
        states.push({
          ...common,
          type: 'Operation',
          actions: [one],
          action_mode: 'sequential',
          ...filters(state),
          on_errors: onErrors(stateName, state),
        });
      }
    } else if (state.Type === 'Parallel') {
      unmapped(stateName, state);
      const parallel = parallelActions(stateName, state, refuse, action, unmapped);
      if (parallel) {
        states.push({
          ...common,
          type: 'Operation',
          actions: parallel,
          action_mode: 'parallel',
          ...filters(state),
          on_errors: onErrors(stateName, state),
        });
      }
    } else if (state.Type === 'Wait' && typeof state.Seconds === 'number') {
      if (state.Seconds < SLEEP_SECONDS.min || state.Seconds > SLEEP_SECONDS.max) {
        refuse(
          `wait node '${stateName}' waits ${state.Seconds} s, out of a Sleep node's range ` +
            `(allowed: ${SLEEP_SECONDS.min} to ${SLEEP_SECONDS.max} s)`,
        );
      }
      states.push({ ...common, type: 'Sleep', actions: [], duration: state.Seconds });
    } else if (state.Type !== 'Succeed') {
      refuse(
        `node '${stateName}' is a ${describe(state)}, which the FunctionGraph workflow API has no confirmed form for ${ALLOWED}`,
      );
    }
  }
  states.push({ id: END_ID, name: 'end', type: 'End', end: true, transition: '', actions: [] });
  if (states.length > MAX_STATES) {
    refuse(`the flow has ${states.length} workflow nodes with its end (allowed: up to ${MAX_STATES})`);
  }
  if (refusals.length > 0) return { refusals };
  const description = flow.comment?.replace(NOT_NAME_CHARACTERS, '_').slice(0, 512);
  return {
    refusals,
    body: {
      name,
      ...(description ? { description } : {}),
      start: idOf(definition.StartAt),
      mode: flow.type === 'EXPRESS' ? 'EXPRESS' : 'NORMAL',
      functions: [...functions.values()],
      states,
      constants: {},
      retries: [...retries.values()],
    },
  };
}

/**
 * The actions of a parallel node whose branches are each one function node without handling of its own (an action is
 * a bare function call: retries, catches and filters belong to the parallel node), or undefined when refused.
 */
function parallelActions(
  stateName: string,
  state: AslState,
  refuse: (message: string) => void,
  action: (state: string, task: AslState) => WorkflowState['actions'][number] | undefined,
  unmapped: (state: string, node: AslState, where: string) => void,
): WorkflowState['actions'] | undefined {
  const branches = (state.Branches ?? []).map(branch => Object.entries(branch.States));
  if (branches.some(b => b.length !== 1 || b[0][1].Type !== 'Task')) {
    refuse(
      `parallel node '${stateName}' has a branch of more than one function node, which an Operation's parallel ` +
        'actions cannot hold (allowed: one function node per branch)',
    );
    return undefined;
  }
  if (branches.length > MAX_ACTIONS) {
    refuse(`parallel node '${stateName}' has ${branches.length} branches (allowed: 1 to ${MAX_ACTIONS})`);
    return undefined;
  }
  const actions: WorkflowState['actions'] = [];
  for (const [[name, task]] of branches) {
    const one = action(name, task);
    if (!one) continue;
    actions.push(one);
    const where = ` in parallel node '${stateName}'`;
    unmapped(name, task, where);
    const own = [
      (task.Retry ?? []).some(r => !r.ErrorEquals.every(e => LAMBDA_SERVICE_ERRORS.test(e))) && 'a retry',
      (task.Catch ?? []).length > 0 && 'a catch',
      (task.InputPath !== undefined || task.OutputPath !== undefined) && 'an input or output path',
    ].filter((x): x is string => typeof x === 'string');
    if (own.length > 0) {
      refuse(
        `node '${name}'${where} has ${own.join(' and ')} of its own, which an action of a parallel Operation cannot ` +
          'carry (allowed: retry, catch and paths on the parallel node)',
      );
    }
  }
  return actions.length === branches.length ? actions : undefined;
}

/**
 * ASL parameters (`"key.$": "$.path"`, `"key": value`, nested objects) as FunctionGraph arguments: paths, or constant
 * values (numbers, booleans, single-quoted strings). Intrinsic functions, arrays and nulls have no confirmed form.
 */
function argumentsOf(
  parameters: Record<string, unknown>,
  refuse: (field: string, what: string) => void,
  prefix = '',
): Record<string, unknown> {
  const entries: [string, unknown][] = [];
  for (const [key, value] of Object.entries(parameters)) {
    const field = `${prefix}${key}`;
    if (key.endsWith('.$')) {
      if (typeof value === 'string' && value.startsWith('$')) entries.push([key.slice(0, -2), value]);
      else refuse(field, `an intrinsic function ${JSON.stringify(value)}`);
    } else if (typeof value === 'string') {
      entries.push([key, `'${value}'`]);
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      entries.push([key, value]);
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      entries.push([key, argumentsOf(value as Record<string, unknown>, refuse, `${field}.`)]);
    } else {
      refuse(field, Array.isArray(value) ? 'a constant array' : `the constant ${JSON.stringify(value)}`);
    }
  }
  return Object.fromEntries(entries);
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
  if (state.Type === 'Wait')
    return state.Timestamp !== undefined ? 'wait node until a timestamp' : 'wait node with a path';
  return { Choice: 'choice node', Map: 'loop node', Pass: 'pass node', Fail: 'fail node' }[state.Type] ?? state.Type;
}
