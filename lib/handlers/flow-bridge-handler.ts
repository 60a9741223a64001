/**
 * The bridge between triggers and flows, deployed as a small Node.js function with each flow that
 * needs it. `STAGEGRAPH_BRIDGE=start`: turns each event record (OBS, SMN, DMS, DIS, HTTP, Timer) into
 * one execution of the flow. `STAGEGRAPH_BRIDGE=resume`: sends a callback's task token back with
 * its answer, from SMN messages or HTTP calls.
 */
import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import { flowInputs, httpFlowInput, isHttpEvent, Json, parseBody as parse } from '../triggers/events';

// StartSyncExecution's `sync-` host prefix does not resolve on local endpoints; AWS accepts both.
const sfn = new SFNClient({ disableHostPrefix: true });

interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export async function handler(event: Json): Promise<unknown> {
  const mode = process.env.STAGEGRAPH_BRIDGE;
  if (mode === 'resume') {
    return isHttpEvent(event) ? respondResume(event) : resumeRecords(event);
  }
  if (mode === 'start') {
    return isHttpEvent(event) ? respondStart(event) : startRecords(event);
  }
  throw new Error(`STAGEGRAPH_BRIDGE must be 'start' or 'resume' (given '${mode}')`);
}

async function startRecords(event: Json): Promise<{ executionArns: string[] }> {
  const executionArns: string[] = [];
  for (const input of flowInputs(event)) {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: flowArn(), input: JSON.stringify(input) }),
    );
    executionArns.push(started.executionArn!);
  }
  return { executionArns };
}

/** HTTP: a STANDARD flow answers 202 with the execution; an EXPRESS flow runs and answers with its output. */
async function respondStart(event: Json): Promise<HttpResponse> {
  const input = httpFlowInput(event);
  if (process.env.STAGEGRAPH_FLOW_TYPE === 'EXPRESS') {
    const result = await sfn.send(
      new StartSyncExecutionCommand({ stateMachineArn: flowArn(), input: JSON.stringify(input) }),
    );
    if (result.status === 'SUCCEEDED') return json(200, parse(result.output));
    return json(result.status === 'TIMED_OUT' ? 504 : 500, {
      status: result.status,
      error: result.error,
      cause: result.cause,
    });
  }
  const started = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: flowArn(), input: JSON.stringify(input) }),
  );
  return json(202, { executionArn: started.executionArn, startDate: started.startDate });
}

/** An answer to a callback: `{ taskToken, output }`, or `{ taskToken, error, cause }` to fail the node. */
interface Answer {
  readonly taskToken: string;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

function answerOf(value: unknown): Answer {
  const answer = value as Partial<Answer> | null;
  if (
    answer === null ||
    typeof answer !== 'object' ||
    typeof answer.taskToken !== 'string' ||
    answer.taskToken.length === 0
  ) {
    throw new BadAnswer('an answer must be a JSON object with a "taskToken" string, and "output" or "error"');
  }
  if (answer.error !== undefined && typeof answer.error !== 'string') {
    throw new BadAnswer('"error" must be a string');
  }
  return answer as Answer;
}

class BadAnswer extends Error {}

async function sendAnswer(answer: Answer): Promise<void> {
  if (answer.error !== undefined) {
    await sfn.send(
      new SendTaskFailureCommand({ taskToken: answer.taskToken, error: answer.error, cause: answer.cause }),
    );
  } else {
    await sfn.send(
      new SendTaskSuccessCommand({ taskToken: answer.taskToken, output: JSON.stringify(answer.output ?? {}) }),
    );
  }
}

async function resumeRecords(event: Json): Promise<{ resumed: number }> {
  const records = Array.isArray(event.Records) ? (event.Records as Json[]) : [event];
  for (const record of records) {
    const message = record.Sns ? parse((record.Sns as Json).Message) : record;
    // A malformed message fails the invocation: the function's retries and dead-letter queue keep it.
    await sendAnswer(answerOf(message));
  }
  return { resumed: records.length };
}

async function respondResume(event: Json): Promise<HttpResponse> {
  try {
    await sendAnswer(answerOf(parse(event.body)));
    return json(200, { resumed: true });
  } catch (error) {
    if (error instanceof BadAnswer) return json(400, { message: error.message });
    if (
      error instanceof SFNServiceException &&
      ['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken', 'InvalidOutput'].includes(error.name)
    ) {
      return json(error.name === 'InvalidOutput' || error.name === 'InvalidToken' ? 400 : 410, {
        message: error.message,
        error: error.name,
      });
    }
    throw error;
  }
}

function flowArn(): string {
  const arn = process.env.STAGEGRAPH_FLOW_ARN;
  if (!arn) throw new Error('STAGEGRAPH_FLOW_ARN is not set');
  return arn;
}

function json(statusCode: number, value: unknown): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}
