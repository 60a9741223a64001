import { CfnElement, CfnResource, Stack } from 'aws-cdk-lib';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { Bill, readBill, totalOf } from '../app/bill';
import { functionLogEvents, FunctionLogSource, functionLogSource } from '../local/function-log-events';
import { physicalIdAt } from '../app/physical-ids';
import { parseReport, parseStart, ReportLine } from '../billing/report-line';
import { parseBody } from '../triggers/events/json';
import { LocalCloudError } from '../errors';
import { localClientConfig, localEndpoint } from '../local/endpoint';
import { SHARED_HTTP_API_ID } from '../triggers/stage-http-api';
import type { TimerTrigger } from '../triggers/timer-trigger';
import { addMockTestCase, FlowMocks, mockTestCase } from './flow-mocks';
import { executionEnd, FlowRun, isExpressFlow, runExpressFlow, startExecution } from '../app/flow-runs';
import { HttpRequest, HttpResponse } from '../app/http-request';
import { callRoute, fireRule, publishMessage, putStreamRecord, sendQueueMessage, uploadObject } from '../app/send';
import { waitFor, WaitOptions } from '../app/wait';

/** A stack of the deployed app. */
export interface DeployedStack {
  readonly stackName: string;
  /** The stack's outputs, by output name. */
  readonly outputs: Record<string, string>;
}

/** The platform's REPORT figures of one invocation: the same line the billing meter reads. */
export type InvocationReport = ReportLine;

/** One invocation of a deployed function. */
export interface Invocation {
  readonly requestId: string;
  /**
   * The event the function received, parsed from JSON (text when it is not JSON); undefined on a LocalStack
   * without stagegraph's extension (`LOCALSTACK_ENDPOINT`). Events past 256 KB are cut (`truncated`).
   */
  readonly event?: unknown;
  /** What the function answered (its return value, or its error's JSON when `failed`), as `event` is read. */
  readonly result?: unknown;
  /** True when the function failed (it threw, timed out or ran out of memory). */
  readonly failed?: boolean;
  /** True when the event or result was longer than the local cloud keeps, 256 KB, and was cut. */
  readonly truncated?: boolean;
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
   * Only invocations this accepts (e.g. one whose event names a key).
   * @default - the first one
   */
  readonly where?: (invocation: Invocation) => boolean;
}

/** Options of {@link DeployedApp.runFlow}. */
export interface RunFlowOptions extends WaitOptions {
  /**
   * Give up after this many milliseconds.
   * @default 60000
   */
  readonly timeoutMs?: number;
  /**
   * Steps answered by mocks instead of their functions or services, by state name, on the real Step Functions
   * interpreter (its mocked service integrations): test each branch, retry and catch without the functions.
   * @default - no step is mocked
   */
  readonly mocks?: FlowMocks;
}

/** Options of a {@link DeployedApp}. */
export interface DeployedAppOptions {
  /**
   * The file the local cloud reads Step Functions' mocked responses from (its `SFN_MOCK_CONFIG`).
   * @default - runFlow refuses mocks
   */
  readonly flowMockFile?: string;
}

type Client = { destroy(): void };

/**
 * An app deployed to the local cloud by {@link LocalCloud.deploy}: send events to its constructs (not to physical
 * names) and wait for what its functions and flows did.
 */
export class DeployedApp {
  private readonly config = localClientConfig();
  private readonly clients = new Map<string, Client>();
  private readonly physicalIds = new Map<IConstruct, Promise<string>>();

  /**
   * @param stacks the stacks the deploy reported, with their outputs
   * @param options where the local cloud reads flow mocks from
   */
  constructor(
    public readonly stacks: readonly DeployedStack[],
    private readonly options: DeployedAppOptions = {},
  ) {}

  /** The outputs of all deployed stacks, by output name. */
  public get outputs(): Record<string, string> {
    return Object.assign({}, ...this.stacks.map(s => s.outputs)) as Record<string, string>;
  }

  /** One client per service for the life of this object; `close()` ends them. */
  private client<T extends Client>(kind: new (config: ReturnType<typeof localClientConfig>) => T): T {
    let client = this.clients.get(kind.name) as T | undefined;
    if (!client) {
      client = new kind(this.config);
      this.clients.set(kind.name, client);
    }
    return client;
  }

  /** Closes the SDK clients this object opened (idle connections do not keep a test process alive anyway). */
  public close(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  /**
   * The physical id CloudFormation gave a construct's resource: a function's name, a bucket's name, a topic's
   * ARN, a queue's URL, a stream's name, a flow's state machine ARN. Read once per construct.
   */
  public physicalId(construct: IConstruct): Promise<string> {
    let id = this.physicalIds.get(construct);
    if (!id) {
      id = this.readPhysicalId(construct);
      id.catch(() => this.physicalIds.delete(construct));
      this.physicalIds.set(construct, id);
    }
    return id;
  }

  private async readPhysicalId(construct: IConstruct): Promise<string> {
    const resource = cfnResourceOf(construct);
    const own = Stack.of(resource);
    const logicalId = own.resolve(own.getLogicalId(resource as CfnElement)) as string;
    // A resource in a nested stack (`stagegraph:nestedFunctionStacks`) is found through its nested stacks.
    let stack = own;
    const nested: string[] = [];
    while (stack.nestedStackParent && stack.nestedStackResource) {
      const parent = stack.nestedStackParent;
      nested.unshift(parent.resolve(parent.getLogicalId(stack.nestedStackResource as CfnElement)) as string);
      stack = parent;
    }
    try {
      const id = await physicalIdAt(this.client(CloudFormationClient), { stack: stack.stackName, nested, logicalId });
      if (id) return id;
      throw new LocalCloudError(
        `${construct.node.path} has no physical id yet in stack ${stack.stackName} (${logicalId})`,
      );
    } catch (error) {
      if (error instanceof LocalCloudError) throw error;
      throw new LocalCloudError(
        `${construct.node.path} is not deployed in stack ${stack.stackName} (${logicalId}): ${(error as Error).message}`,
      );
    }
  }

  /**
   * Invokes a function (a `StageFunction` or any Lambda function of the app) synchronously with an event and
   * returns its result; a function error is thrown.
   */
  public async invoke(fn: IConstruct, event: unknown = {}): Promise<unknown> {
    const response = await this.client(LambdaClient).send(
      new InvokeCommand({ FunctionName: await this.physicalId(fn), Payload: JSON.stringify(event) }),
    );
    const text = Buffer.from(response.Payload ?? new Uint8Array()).toString('utf-8');
    if (response.FunctionError) {
      throw new LocalCloudError(`${fn.node.path} failed (${response.FunctionError}): ${text}`);
    }
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  /** Uploads an object to a bucket (an `ObsBucket` or any bucket of the app): its OBS triggers fire. */
  public async upload(bucket: IBucket, key: string, body: string | Uint8Array): Promise<void> {
    await uploadObject(this.client(S3Client), await this.physicalId(bucket), key, body);
  }

  /** Publishes a message to a topic, with string attributes for filter policies: its SMN triggers fire. */
  public async publish(topic: ITopic, message: unknown, attributes: Record<string, string> = {}): Promise<string> {
    return publishMessage(this.client(SNSClient), await this.physicalId(topic), message, attributes);
  }

  /** Sends a message to a queue: its DMS triggers fire. */
  public async sendMessage(queue: IQueue, body: unknown): Promise<string> {
    return sendQueueMessage(this.client(SQSClient), await this.physicalId(queue), body);
  }

  /** Puts a record to a stream: its DIS triggers fire. */
  public async putRecord(stream: IStream, data: unknown, partitionKey = 'test'): Promise<string> {
    return putStreamRecord(this.client(KinesisClient), await this.physicalId(stream), data, partitionKey);
  }

  /**
   * Calls a route of the HTTP API of a construct's stack (the API its `HttpTrigger`s add routes to) at its working
   * local URL, signed with SigV4 unless `signed: false`.
   * @param target a function with an HTTP trigger, or anything else in its stack
   * @param path the route's path with its parameters filled in, and a query if any, e.g. `/items/7?full=1`
   */
  public async request(target: IConstruct, path: string, request: HttpRequest = {}): Promise<HttpResponse> {
    if (!path.startsWith('/')) {
      throw new LocalCloudError(`request to ${target.node.path}: the path must start with / (given '${path}')`);
    }
    const stack = Stack.of(target);
    const api = stack.node.tryFindChild(SHARED_HTTP_API_ID);
    if (!api) {
      throw new LocalCloudError(
        `stack ${stack.stackName} of ${target.node.path} has no HTTP API: no function has an HttpTrigger`,
      );
    }
    return callRoute(await this.physicalId(api), path, request);
  }

  /**
   * Fires a function's Timer now, as EventBridge does at the scheduled time: every target of the deployed rule is
   * invoked asynchronously with the rule's input (or EventBridge's scheduled event). Returns the event sent.
   * @param fn the function the Timer is on
   * @param timer which of its Timers, when it has several
   */
  public async fireTimer(fn: IConstruct, timer?: TimerTrigger): Promise<unknown> {
    const rules = fn.node
      .findAll()
      .filter(
        (c): c is CfnResource =>
          CfnResource.isCfnResource(c) &&
          c.cfnResourceType === 'AWS::Events::Rule' &&
          typeof (c as unknown as { scheduleExpression?: unknown }).scheduleExpression === 'string',
      );
    const expressionOf = (rule: CfnResource) => (rule as unknown as { scheduleExpression: string }).scheduleExpression;
    const chosen = timer ? rules.filter(rule => expressionOf(rule) === timer.expression) : rules;
    if (chosen.length !== 1) {
      const have = rules.map(expressionOf).join(', ') || 'none';
      throw new LocalCloudError(
        `${fn.node.path}: ${timer ? `no Timer ${timer.expression}` : `${rules.length} Timers, name one`} (its Timers: ${have})`,
      );
    }
    return fireRule(this.client(EventBridgeClient), this.client(LambdaClient), await this.physicalId(chosen[0]));
  }

  /**
   * Runs a flow (a `FunctionGraph`) with an input on the real Step Functions interpreter and waits for its end:
   * status, output or error, and each state it passed through with its input and output. With `mocks`, the
   * steps named answer as told instead of calling their functions. An EXPRESS flow runs synchronously, has no
   * steps (Step Functions keeps no history of its executions) and takes no mocks.
   */
  public async runFlow(flow: IConstruct, input: unknown = {}, options: RunFlowOptions = {}): Promise<FlowRun> {
    const client = this.client(SFNClient);
    const arn = await this.physicalId(flow);
    if (await isExpressFlow(client, arn)) {
      if (hasMocks(options)) {
        throw new LocalCloudError(
          `runFlow of ${flow.node.path} with mocks: an EXPRESS flow runs synchronously, without the execution ` +
            'mocked responses are kept in; mock its steps in a STANDARD flow',
        );
      }
      // Synchronously: Step Functions keeps no execution of an EXPRESS flow to wait for, and no steps.
      return runExpressFlow(client, arn, input, options);
    }
    return this.flowExecution(await this.startFlow(flow, input, options), options);
  }

  /**
   * Starts a flow and answers its execution's ARN without waiting: for a flow that waits for something the test
   * then does (a callback's answer); `flowExecution(arn)` waits for its end.
   */
  public async startFlow(
    flow: IConstruct,
    input: unknown = {},
    options: Pick<RunFlowOptions, 'mocks'> = {},
  ): Promise<string> {
    const client = this.client(SFNClient);
    const arn = await this.physicalId(flow);
    let started = arn;
    if (hasMocks(options)) {
      const file = this.options.flowMockFile;
      if (!file) {
        throw new LocalCloudError(
          `runFlow of ${flow.node.path} with mocks needs the file the local cloud reads mocks from: on your own ` +
            'LocalStack (LOCALSTACK_ENDPOINT), start it with SFN_MOCK_CONFIG=<file> and set SFN_MOCK_CONFIG to the same file here',
        );
      }
      const { definition } = await client.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
      const testCase = mockTestCase(flow.node.path, definition ?? '{}', options.mocks);
      await addMockTestCase(file, arn.split(':').pop() ?? '', testCase);
      started = `${arn}#${testCase.name}`;
    }
    try {
      return await startExecution(client, started, input);
    } catch (error) {
      if (started !== arn) {
        throw new LocalCloudError(
          `the local cloud did not load the mocks of ${flow.node.path} from ${this.options.flowMockFile}: a local ` +
            'cloud started before stagegraph wrote mocks does not read them (restart it: stagegraph local down && ' +
            `stagegraph local up), and a file LocalStack cannot read is in its log (${(error as Error).message})`,
        );
      }
      throw error;
    }
  }

  /** Waits for an execution started by a trigger (or anyone) to end, and reads it as `runFlow` does. */
  public async flowExecution(executionArn: string, options: WaitOptions = {}): Promise<FlowRun> {
    return executionEnd(this.client(SFNClient), executionArn, options);
  }

  /**
   * The bill of the app's metered functions since a time, as `stagegraph bill` reads it from the meter's metrics
   * (the app needs a `BillingMeter`); with `functions`, only theirs. Metering is asynchronous: wait for the
   * figures you expect, e.g. `waitFor('3 invocations', async () => { ... })`.
   */
  public async bill(since: Date, functions?: readonly IConstruct[]): Promise<Bill> {
    const bill = await readBill(this.client(CloudWatchClient), Math.max(1, Date.now() - since.getTime()));
    if (!functions) return bill;
    const names = await Promise.all(functions.map(fn => this.physicalId(fn)));
    const lines = bill.functions.filter(line => names.includes(line.name));
    return { ...bill, functions: lines, total: totalOf(lines) };
  }

  /**
   * Waits for a function's next invocation (the first after `since` that `where` accepts) to end, and returns
   * its event, its result, what it printed and its REPORT figures. Functions in the text log format (the default).
   * Looks every 100 ms unless `intervalMs` says otherwise.
   */
  public async nextInvocation(fn: IConstruct, options: InvocationWaitOptions = {}): Promise<Invocation> {
    const since = (options.since ?? new Date()).getTime();
    const name = await this.physicalId(fn);
    const logs = this.client(CloudWatchLogsClient);
    const source = await functionLogSource(this.client(LambdaClient), name);
    return waitFor(
      `an invocation of ${fn.node.path}`,
      async () => {
        const ended = invocationsOf(await readLogEvents(logs, source, since));
        if (ended.length === 0) return undefined;
        // Matched by request id: an invocation that started a little before `since` may have logged after it.
        const records = await invocationRecords(name);
        const invocations = ended.map(invocation => withRecord(invocation, records?.get(invocation.requestId)));
        return invocations.find(invocation => options.where?.(invocation) ?? true);
      },
      { intervalMs: 100, ...options },
    );
  }
}

interface InvocationRecord {
  readonly requestId: string;
  readonly event: string;
  readonly result: string;
  readonly error: boolean;
  readonly truncated: boolean;
}

/** What the local cloud's executor kept of a function's last invocations, by request id; undefined without it. */
async function invocationRecords(functionName: string): Promise<Map<string, InvocationRecord> | undefined> {
  const url = `${localEndpoint()}/_stagegraph/invocations?function=${encodeURIComponent(functionName)}`;
  const response = await fetch(url);
  if (!response.ok) return undefined;
  const { invocations } = (await response.json()) as { invocations: InvocationRecord[] };
  return new Map(invocations.map(record => [record.requestId, record]));
}

function parsed(text: string): unknown {
  return text === '' ? undefined : parseBody(text);
}

function withRecord(invocation: Invocation, record: InvocationRecord | undefined): Invocation {
  if (!record) return invocation;
  return {
    ...invocation,
    event: parsed(record.event),
    result: parsed(record.result),
    failed: record.error,
    truncated: record.truncated,
  };
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

async function readLogEvents(
  client: CloudWatchLogsClient,
  source: FunctionLogSource,
  since: number,
): Promise<LogEvent[]> {
  const events = await functionLogEvents(client, source, since);
  return events.map(e => ({ stream: e.logStreamName ?? '', message: e.message ?? '' }));
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

/** Whether a run names steps to mock (an empty `mocks` is none). */
function hasMocks(
  options: Pick<RunFlowOptions, 'mocks'>,
): options is { readonly mocks: NonNullable<RunFlowOptions['mocks']> } {
  return options.mocks !== undefined && Object.keys(options.mocks).length > 0;
}
