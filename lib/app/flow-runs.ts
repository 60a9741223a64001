import type { DescribeExecutionCommandOutput, HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { sfnSdk } from '../aws-sdk';
import { LocalCloudError } from '../errors';
import { parseBody } from '../triggers/events/json';
import { waitFor, WaitOptions } from './wait';

/** One state an execution passed through, with what it took and gave. */
export interface FlowStep {
  readonly name: string;
  /** The state's type in the history: `Task`, `Choice`, `Parallel`, `Map`, `Pass`, `Wait`, `Succeed`, `Fail`. */
  readonly type: string;
  readonly input: unknown;
  /** Undefined for a state that did not exit (it failed, or the execution ended inside it). */
  readonly output?: unknown;
}

/** How a flow execution ended. */
export interface FlowRun {
  readonly executionArn: string;
  /** `SUCCEEDED`, `FAILED`, `TIMED_OUT` or `ABORTED`. */
  readonly status: string;
  /** The execution's output, when it succeeded. */
  readonly output?: unknown;
  /** The error and cause, when it failed. */
  readonly error?: string;
  readonly cause?: string;
  /** The states it passed through, in order (inside parallel branches and loops too). */
  readonly steps: FlowStep[];
}

/**
 * The name of the state machine of an execution ARN (`arn:aws:states:<region>:<account>:execution:<machine>:<name>`,
 * `...:express:<machine>:<name>:<id>`) or of a state machine ARN.
 */
export function stateMachineNameOf(arn: string): string {
  return arn.split(':')[6] ?? arn;
}

/** The name of an execution, the part of its ARN after the state machine's name. */
export function executionNameOf(executionArn: string): string {
  return executionArn.split(':').slice(7).join(':') || executionArn;
}

/** A JSON text's value (text that is not JSON as it is); undefined stays undefined. */
function parse(text: string | undefined): unknown {
  return text === undefined ? undefined : parseBody(text);
}

/** Starts an execution of a state machine with an input; answers its ARN. */
export async function startExecution(client: SFNClient, stateMachineArn: string, input: unknown): Promise<string> {
  const { executionArn } = await client.send(
    new (sfnSdk().StartExecutionCommand)({ stateMachineArn, input: JSON.stringify(input ?? {}) }),
  );
  return executionArn ?? '';
}

/** Whether a state machine is an EXPRESS flow's: Step Functions keeps no execution of it to describe or list. */
export async function isExpressFlow(client: SFNClient, stateMachineArn: string): Promise<boolean> {
  const { type } = await client.send(new (sfnSdk().DescribeStateMachineCommand)({ stateMachineArn }));
  return type === 'EXPRESS';
}

/**
 * Runs an EXPRESS flow synchronously (StartSyncExecution, up to its 5 minutes, or `timeoutMs`) and answers its
 * status, output or error. Its steps are empty: Step Functions keeps no history of an EXPRESS execution (its log
 * group has it, at the flow's logging level).
 */
export async function runExpressFlow(
  client: SFNClient,
  stateMachineArn: string,
  input: unknown,
  options: Pick<WaitOptions, 'timeoutMs'> = {},
): Promise<FlowRun> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let execution;
  try {
    execution = await client.send(
      new (sfnSdk().StartSyncExecutionCommand)({ stateMachineArn, input: JSON.stringify(input ?? {}) }),
      { abortSignal: abort.signal },
    );
  } catch (error) {
    if (abort.signal.aborted) {
      throw new LocalCloudError(`the EXPRESS flow ${stateMachineArn} did not end within ${timeoutMs / 1000} s`);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { ...endOf(execution), steps: [] };
}

/**
 * Waits for an execution to end (looking every 50 ms unless told) and reads its history: status, output or error,
 * and the states it passed.
 */
export async function executionEnd(
  client: SFNClient,
  executionArn: string,
  options: WaitOptions = {},
): Promise<FlowRun> {
  const ended = await waitFor(
    `the end of the flow execution ${executionArn}`,
    async () => {
      const execution = await client.send(new (sfnSdk().DescribeExecutionCommand)({ executionArn }));
      return execution.status === 'RUNNING' ? undefined : execution;
    },
    { timeoutMs: 60_000, intervalMs: 50, ...options },
  );
  return runOf(client, ended);
}

/** An execution as it stands, ended or not: its status, output or error, and the states it passed so far. */
export async function readExecution(client: SFNClient, executionArn: string): Promise<FlowRun> {
  return runOf(client, await client.send(new (sfnSdk().DescribeExecutionCommand)({ executionArn })));
}

async function runOf(client: SFNClient, execution: DescribeExecutionCommandOutput): Promise<FlowRun> {
  const end = endOf(execution);
  return { ...end, steps: stepsOf(await history(client, end.executionArn)) };
}

/** What DescribeExecution and StartSyncExecution both answer of an execution: its status, output or error. */
function endOf(execution: {
  readonly executionArn?: string;
  readonly status?: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}): Omit<FlowRun, 'steps'> {
  return {
    executionArn: execution.executionArn ?? '',
    status: execution.status ?? 'UNKNOWN',
    ...(execution.output !== undefined ? { output: parse(execution.output) } : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
  };
}

/** The latest executions of a state machine, newest first. */
export async function latestExecutions(
  client: SFNClient,
  stateMachineArn: string,
  max = 20,
): Promise<{ executionArn: string; status: string; startDate?: Date }[]> {
  const { executions } = await client.send(new (sfnSdk().ListExecutionsCommand)({ stateMachineArn, maxResults: max }));
  return (executions ?? [])
    .map(e => ({ executionArn: e.executionArn ?? '', status: e.status ?? 'UNKNOWN', startDate: e.startDate }))
    .sort((a, b) => (b.startDate?.getTime() ?? 0) - (a.startDate?.getTime() ?? 0));
}

async function history(client: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new (sfnSdk().GetExecutionHistoryCommand)({ executionArn, nextToken, maxResults: 1000 }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** The states of a history, in the order they were entered, each with its input and (once exited) output. */
function stepsOf(events: readonly HistoryEvent[]): FlowStep[] {
  const steps: { name: string; type: string; input: unknown; output?: unknown }[] = [];
  const open = new Map<string, number[]>();
  for (const event of events) {
    const type = event.type ?? '';
    const entered = event.stateEnteredEventDetails;
    const exited = event.stateExitedEventDetails;
    if (entered && type.endsWith('StateEntered')) {
      steps.push({ name: entered.name ?? '', type: type.replace(/StateEntered$/, ''), input: parse(entered.input) });
      open.set(entered.name ?? '', [...(open.get(entered.name ?? '') ?? []), steps.length - 1]);
    } else if (exited && type.endsWith('StateExited')) {
      const index = open.get(exited.name ?? '')?.shift();
      if (index !== undefined) steps[index].output = parse(exited.output);
    }
  }
  return steps;
}
