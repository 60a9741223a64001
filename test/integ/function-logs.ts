// A function's log lines as CloudWatch Logs has them, wherever Lambda writes them (its stack's function log group, or
// its own), read through the AWS APIs as the CLI and the testing kit read them. The integration tests and the
// benchmarks read logs through these.
import { CloudWatchLogsClient, FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { functionLogEvents, functionLogSource } from '../../lib/local/function-log-events';
import { localClientConfig } from '../../lib/local/endpoint';

/** The log events of a function since `since` (ms since the epoch), oldest first. */
export async function logEvents(functionName: string, since = 0): Promise<FilteredLogEvent[]> {
  const logs = new CloudWatchLogsClient(localClientConfig());
  const lambda = new LambdaClient(localClientConfig());
  try {
    return await functionLogEvents(logs, await functionLogSource(lambda, functionName), since);
  } finally {
    logs.destroy();
    lambda.destroy();
  }
}

/** The messages of a function's log events since `since` (ms since the epoch), oldest first. */
export async function logMessages(functionName: string, since = 0): Promise<string[]> {
  return (await logEvents(functionName, since)).map(e => e.message ?? '');
}
