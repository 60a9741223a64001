import { lambdaSdk } from '../aws-sdk';
import { localClientConfig } from './endpoint';

/** What one invocation returned. */
export interface InvokeResult {
  readonly payload: string;
  /** `Unhandled` or `Handled` when the function failed. */
  readonly functionError?: string;
  /** The last 4 KB of the invocation's log: START, the function's output, END, REPORT. */
  readonly logs: string;
  readonly statusCode?: number;
}

/** Invokes a function of the local cloud synchronously through the Lambda Invoke API. */
export async function invokeLocal(functionName: string, event: string): Promise<InvokeResult> {
  const lambda = new (lambdaSdk().LambdaClient)(localClientConfig());
  try {
    const response = await lambda.send(
      new (lambdaSdk().InvokeCommand)({
        FunctionName: functionName,
        Payload: Buffer.from(event),
        LogType: 'Tail',
      }),
    );
    return {
      payload: Buffer.from(response.Payload ?? new Uint8Array()).toString('utf-8'),
      functionError: response.FunctionError,
      logs: response.LogResult ? Buffer.from(response.LogResult, 'base64').toString('utf-8') : '',
      statusCode: response.StatusCode,
    };
  } finally {
    lambda.destroy();
  }
}
