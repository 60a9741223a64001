import { CfnElement, CfnResource, Stack } from 'aws-cdk-lib';
import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MessageAttributeValue, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { parseReport, parseStart } from '../billing/report-line';
import { LocalCloudError } from '../errors';
import { localClientConfig } from '../local/endpoint';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Bill, readBill, totalOf } from '../app/bill';
import { executionEnd, FlowRun, startExecution } from './flow-runs';
import { waitFor, WaitOptions } from './wait';

/** A stack of the deployed app. */
export interface DeployedStack {
  readonly stackName: string;
  /** The stack's outputs, by output name. */
  readonly outputs: Record<string, string>;
}

/** The platform's REPORT figures of one invocation. */
export interface InvocationReport {
  readonly requestId: string;
  readonly durationMillis: number;
  readonly billedDurationMillis: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  /** Only on a cold start. */
  readonly initDurationMillis?: number;
}

/** One invocation of a deployed function, read from its log group. */
export interface Invocation {
  readonly requestId: string;
  /** What the function printed, one entry per log event, the platform's START, END and REPORT lines left out. */
  readonly logs: string[];
  /** The figures of the platform's REPORT line: duration, billed duration, memory, INIT on a cold start. */
  readonly report: InvocationReport;
}

/** Options of {@link DeployedApp.nextInvocation}. */
export interface InvocationWaitOptions extends WaitOptions {
  /**
   * Only invocations that started at or after this time.
   * @default - since the wait began
   */
  readonly since?: Date;
  /**
   * Only invocations this accepts (e.g. one whose logs name a key).
   * @default - the first one
   */
  readonly where?: (invocation: Invocation) => boolean;
}

/**
 * An app deployed to the local cloud by {@link LocalCloud.deploy}: send events to its constructs (not to physical
 * names) and wait for what its functions did.
 */
export class DeployedApp {
  private readonly config = localClientConfig();

  /** @param stacks the stacks the deploy reported, with their outputs */
  constructor(public readonly stacks: readonly DeployedStack[]) {}

  /** The outputs of all deployed stacks, by output name. */
  public get outputs(): Record<string, string> {
    return Object.assign({}, ...this.stacks.map(s => s.outputs)) as Record<string, string>;
  }

  /**
   * The physical id CloudFormation gave a construct's resource: a function's name, a bucket's name, a topic's
   * ARN, a queue's URL, a stream's name.
   */
  public async physicalId(construct: IConstruct): Promise<string> {
    const resource = cfnResourceOf(construct);
    const stack = Stack.of(resource);
    const logicalId = stack.resolve(stack.getLogicalId(resource as CfnElement)) as string;
    const client = new CloudFormationClient(this.config);
    try {
      const { StackResourceDetail } = await client.send(
        new DescribeStackResourceCommand({ StackName: stack.stackName, LogicalResourceId: logicalId }),
      );
      const id = StackResourceDetail?.PhysicalResourceId;
      if (id) return id;
      throw new LocalCloudError(
        `${construct.node.path} has no physical id yet in stack ${stack.stackName} (${logicalId})`,
      );
    } catch (error) {
      if (error instanceof LocalCloudError) throw error;
      throw new LocalCloudError(
        `${construct.node.path} is not deployed in stack ${stack.stackName} (${logicalId}): ${(error as Error).message}`,
      );
    } finally {
      client.destroy();
    }
  }

  /**
   * Invokes a function (a `StageFunction` or any Lambda function of the app) synchronously with an event and
   * returns its result; a function error is thrown.
   */
  public async invoke(fn: IConstruct, event: unknown = {}): Promise<unknown> {
    const client = new LambdaClient(this.config);
    try {
      const response = await client.send(
        new InvokeCommand({ FunctionName: await this.physicalId(fn), Payload: JSON.stringify(event) }),
      );
      const text = Buffer.from(response.Payload ?? new Uint8Array()).toString('utf-8');
      if (response.FunctionError) {
        throw new LocalCloudError(`${fn.node.path} failed (${response.FunctionError}): ${text}`);
      }
      return text ? (JSON.parse(text) as unknown) : undefined;
    } finally {
      client.destroy();
    }
  }

  /** Uploads an object to a bucket (an `ObsBucket` or any bucket of the app): its OBS triggers fire. */
  public async upload(bucket: IBucket, key: string, body: string | Uint8Array): Promise<void> {
    const client = new S3Client({ ...this.config, forcePathStyle: true });
    try {
      await client.send(new PutObjectCommand({ Bucket: await this.physicalId(bucket), Key: key, Body: body }));
    } finally {
      client.destroy();
    }
  }

  /** Publishes a message to a topic, with string attributes for filter policies: its SMN triggers fire. */
  public async publish(topic: ITopic, message: unknown, attributes: Record<string, string> = {}): Promise<string> {
    const client = new SNSClient(this.config);
    try {
      const { MessageId } = await client.send(
        new PublishCommand({
          TopicArn: await this.physicalId(topic),
          Message: typeof message === 'string' ? message : JSON.stringify(message),
          MessageAttributes: Object.fromEntries(
            Object.entries(attributes).map(([name, value]): [string, MessageAttributeValue] => [
              name,
              { DataType: 'String', StringValue: value },
            ]),
          ),
        }),
      );
      return MessageId ?? '';
    } finally {
      client.destroy();
    }
  }

  /** Sends a message to a queue: its DMS triggers fire. */
  public async sendMessage(queue: IQueue, body: unknown): Promise<string> {
    const client = new SQSClient(this.config);
    try {
      const { MessageId } = await client.send(
        new SendMessageCommand({
          QueueUrl: await this.physicalId(queue),
          MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
        }),
      );
      return MessageId ?? '';
    } finally {
      client.destroy();
    }
  }

  /** Puts a record to a stream: its DIS triggers fire. */
  public async putRecord(stream: IStream, data: unknown, partitionKey = 'test'): Promise<string> {
    const client = new KinesisClient(this.config);
    try {
      const { SequenceNumber } = await client.send(
        new PutRecordCommand({
          StreamName: await this.physicalId(stream),
          PartitionKey: partitionKey,
          Data: Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)),
        }),
      );
      return SequenceNumber ?? '';
    } finally {
      client.destroy();
    }
  }

  /**
   * Runs a flow (a `FunctionGraph`) with an input on the real Step Functions interpreter and waits for its end:
   * status, output or error, and each state it passed through with its input and output.
   */
  public async runFlow(flow: IConstruct, input: unknown = {}, options: WaitOptions = {}): Promise<FlowRun> {
    const client = new SFNClient(this.config);
    try {
      const executionArn = await startExecution(client, await this.physicalId(flow), input);
      return await executionEnd(client, executionArn, options);
    } finally {
      client.destroy();
    }
  }

  /** Waits for an execution started by a trigger (or anyone) to end, and reads it as `runFlow` does. */
  public async flowExecution(executionArn: string, options: WaitOptions = {}): Promise<FlowRun> {
    const client = new SFNClient(this.config);
    try {
      return await executionEnd(client, executionArn, options);
    } finally {
      client.destroy();
    }
  }

  /**
   * The bill of the app's metered functions since a time, as `stagegraph bill` reads it from the meter's metrics
   * (the app needs a `BillingMeter`); with `functions`, only theirs. Metering is asynchronous: wait for the
   * figures you expect, e.g. `waitFor('3 invocations', async () => { ... })`.
   */
  public async bill(since: Date, functions?: readonly IConstruct[]): Promise<Bill> {
    const client = new CloudWatchClient(this.config);
    try {
      const bill = await readBill(client, Math.max(1, Date.now() - since.getTime()));
      if (!functions) return bill;
      const names = await Promise.all(functions.map(fn => this.physicalId(fn)));
      const lines = bill.functions.filter(line => names.includes(line.name));
      return { ...bill, functions: lines, total: totalOf(lines) };
    } finally {
      client.destroy();
    }
  }

  /**
   * Waits for a function's next invocation (the first after `since` that `where` accepts) to end, and returns
   * what it printed and its REPORT figures. Functions in the text log format (the default).
   */
  public async nextInvocation(fn: IConstruct, options: InvocationWaitOptions = {}): Promise<Invocation> {
    const since = (options.since ?? new Date()).getTime();
    const logGroupName = `/aws/lambda/${await this.physicalId(fn)}`;
    const client = new CloudWatchLogsClient(this.config);
    try {
      return await waitFor(
        `an invocation of ${fn.node.path}`,
        async () => {
          const events = await readLogEvents(client, logGroupName, since);
          return invocationsOf(events).find(invocation => options.where?.(invocation) ?? true);
        },
        options,
      );
    } finally {
      client.destroy();
    }
  }
}

/** The CloudFormation resource behind a construct: itself, a function's Lambda function, or the default child. */
function cfnResourceOf(construct: IConstruct): CfnResource {
  // A StageFunction's Lambda function, a FunctionGraph's state machine, or the construct itself.
  const inner =
    (construct as { lambda?: unknown; stateMachine?: unknown }).lambda ??
    (construct as { stateMachine?: unknown }).stateMachine;
  let current: IConstruct | undefined = typeof inner === 'object' && inner !== null ? (inner as IConstruct) : construct;
  while (current && !CfnResource.isCfnResource(current)) current = current.node.defaultChild;
  if (!current) {
    throw new LocalCloudError(
      `${construct.node.path} has no CloudFormation resource to find (allowed: a construct with one)`,
    );
  }
  return current;
}

interface LogEvent {
  readonly stream: string;
  readonly message: string;
}

async function readLogEvents(client: CloudWatchLogsClient, logGroupName: string, since: number): Promise<LogEvent[]> {
  const events: LogEvent[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await client.send(new FilterLogEventsCommand({ logGroupName, startTime: since, nextToken }));
      for (const e of page.events ?? []) events.push({ stream: e.logStreamName ?? '', message: e.message ?? '' });
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    // The group appears with the function's first invocation.
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return [];
    throw error;
  }
  return events;
}

/** The ended invocations in log events: each START..REPORT of a stream. */
function invocationsOf(events: readonly LogEvent[]): Invocation[] {
  const open = new Map<string, { requestId: string; logs: string[] }>();
  const ended: Invocation[] = [];
  for (const event of events) {
    const started = parseStart(event.message);
    if (started) {
      open.set(event.stream, { requestId: started, logs: [] });
      continue;
    }
    const current = open.get(event.stream);
    if (!current) continue;
    const report = parseReport(event.message);
    if (report && report.requestId === current.requestId) {
      ended.push({ requestId: current.requestId, logs: current.logs, report });
      open.delete(event.stream);
    } else if (!event.message.startsWith(`END RequestId: ${current.requestId}`)) {
      current.logs.push(event.message.replace(/\n$/, ''));
    }
  }
  return ended;
}
