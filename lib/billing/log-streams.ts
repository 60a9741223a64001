// Stream names of a stack's function log group (function/function-logs.ts), read by the billing meter,
// `stagegraph logs` and the testing kit. No CDK here: the meter's bundle imports it.

/**
 * The function name in a stream of a stack's function log group, `YYYY/MM/DD/<name>[<version>]<id>`; undefined for
 * any other name (a stream a function's role may make, but not put events into: see `FunctionLogs.statementsFor`).
 */
export function functionOfStream(
  streamName: string,
): { readonly functionName: string; readonly version: string } | undefined {
  // The environment id with or without brackets: AWS's documentation writes `[<execution_environment_GUID>]`.
  const match =
    /^\d{4}\/\d{2}\/\d{2}\/([A-Za-z0-9_-]{1,64})\[(\$LATEST|\d+)\](?:[0-9A-Za-z-]+|\[[0-9A-Za-z-]+\])$/.exec(
      streamName,
    );
  return match ? { functionName: match[1], version: match[2] } : undefined;
}

/** Lambda's default log group of a function, its own: `/aws/lambda/<name>`. */
export function ownLogGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** Whether a log group is a function's own, `/aws/lambda/<name>`, rather than a group that functions share. */
export function isOwnLogGroup(logGroupName: string, functionName: string): boolean {
  return logGroupName === ownLogGroupName(functionName);
}
