import * as fs from 'fs';
import * as path from 'path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { MessageAttributeValue, SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { cloudFormationSdk, eventBridgeSdk, kinesisSdk, lambdaSdk, s3Sdk, snsSdk, sqsSdk } from '../aws-sdk';
import { LocalCloudError, StageInputError } from '../errors';
import { localClientConfig, localRestApiUrl } from '../local/endpoint';
import { templatesOf } from '../nested-templates';
import { logicalIdPathsOf, namesConstruct } from './assembly';
import { physicalIdAt } from './physical-ids';
import { HttpRequest, HttpResponse, sendHttp } from './http-request';

/** Where `stagegraph send` (and the testing kit's senders) send events: the trigger kinds. */
export enum SendKind {
  /** A bucket: upload an object, its OBS triggers fire. */
  OBS = 'obs',
  /** A topic: publish a message, its SMN triggers fire. */
  SMN = 'smn',
  /** A queue: send a message, its DMS triggers fire. */
  DMS = 'dms',
  /** A stream: put a record, its DIS triggers fire. */
  DIS = 'dis',
  /** A Timer's rule: fire it now. */
  TIMER = 'timer',
  /** A stack's HTTP API: call a route. */
  HTTP = 'http',
}

const KIND_OF_TYPE: Record<string, SendKind> = {
  'AWS::S3::Bucket': SendKind.OBS,
  'AWS::SNS::Topic': SendKind.SMN,
  'AWS::SQS::Queue': SendKind.DMS,
  'AWS::Kinesis::Stream': SendKind.DIS,
  'AWS::Events::Rule': SendKind.TIMER,
  'AWS::ApiGateway::RestApi': SendKind.HTTP,
};

/** Something of the app an event can be sent to, found in its cloud assembly. */
export interface SendTarget {
  /** How the app names it: its construct path without `/Resource`, e.g. `Shop/Uploads`. */
  readonly id: string;
  readonly kind: SendKind;
  readonly stack: string;
  readonly logicalId: string;
  /** The nested stacks down to its template (`stagegraph:nestedFunctionStacks`); empty in a top-level stack. */
  readonly nested?: readonly string[];
}

interface TemplateResource {
  readonly Type?: string;
  readonly Properties?: { readonly ScheduleExpression?: unknown };
  readonly Metadata?: Record<string, unknown>;
}

/** A resource of the synthesized app: its construct path (without `/Resource`), stack, logical id and template. */
export interface AssemblyResource {
  readonly id: string;
  readonly stack: string;
  readonly logicalId: string;
  readonly nested?: readonly string[];
  readonly type: string;
}

/** The resources of the synthesized app of some CloudFormation types, with their construct paths. */
export function assemblyResources(assemblyDir: string, types: readonly string[]): AssemblyResource[] {
  return sendTargetsOf(assemblyDir, types).map(({ resource, ...rest }) => ({ ...rest, type: resource.Type ?? '' }));
}

/**
 * The resource a user names among some: its path (`Shop/Orders`), its path without the stack (`Orders`) or its
 * last part; `what` says what kind of thing is looked for, in the error.
 */
export function findResource<T extends { readonly id: string }>(
  candidates: readonly T[],
  name: string,
  what: string,
): T {
  const match = candidates.filter(t => namesConstruct(t.id, name));
  if (match.length !== 1) {
    const known = candidates.map(t => t.id).join(', ') || 'none';
    throw new StageInputError(
      match.length === 0
        ? `No ${what} named '${name}' (allowed: ${known})`
        : `'${name}' names ${match.length} ${what}s (${match.map(m => m.id).join(', ')}): give more of the path`,
    );
  }
  return match[0];
}

function sendTargetsOf(assemblyDir: string, types: readonly string[]) {
  if (!fs.existsSync(path.join(assemblyDir, 'manifest.json'))) {
    throw new LocalCloudError(`No cloud assembly in ${assemblyDir}: run \`stagegraph local deploy\` first`, 4);
  }
  const found: {
    id: string;
    stack: string;
    logicalId: string;
    nested: readonly string[];
    resource: TemplateResource;
  }[] = [];
  for (const stack of new CloudAssembly(assemblyDir).stacksRecursively) {
    const own = stack.template as { Resources?: Record<string, TemplateResource> };
    // The construct path of each logical id, from the manifest (templates carry paths only under the CDK CLI).
    const pathOf = logicalIdPathsOf(stack);
    // A Stage's stacks and their nested templates are in the Stage's own assembly folder.
    for (const { nested, template } of templatesOf<TemplateResource>(stack.assembly.directory, own)) {
      for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
        if (!types.includes(resource.Type ?? '')) continue;
        // A nested stack's logical ids are its own: found below its nested stack's path.
        const cdkPath = resource.Metadata?.['aws:cdk:path'];
        const named = typeof cdkPath === 'string' ? cdkPath : pathOf(nested, logicalId);
        const id = (named ?? `${stack.hierarchicalId}/${[...nested, logicalId].join('/')}`).replace(/\/Resource$/, '');
        found.push({ id, stack: stack.stackName, logicalId, nested, resource });
      }
    }
  }
  return found;
}

/** Every bucket, topic, queue, stream, Timer rule and HTTP API of the synthesized app. */
export function sendTargets(assemblyDir: string): SendTarget[] {
  return sendTargetsOf(assemblyDir, Object.keys(KIND_OF_TYPE)).flatMap(({ resource, ...found }) =>
    // Only a schedule's rule is a Timer; an event pattern's rule is not fired by hand.
    KIND_OF_TYPE[resource.Type ?? ''] === SendKind.TIMER && resource.Properties?.ScheduleExpression === undefined
      ? []
      : [{ ...found, kind: KIND_OF_TYPE[resource.Type ?? ''] }],
  );
}

/**
 * The target a user names: its path (`Shop/Uploads`), its path without the stack (`Uploads`), its last part, or a
 * function whose one Timer it is (`Ticker` for `Shop/Ticker/TimerTrigger...`).
 */
export function findSendTarget(assemblyDir: string, name: string): SendTarget {
  const targets = sendTargets(assemblyDir);
  let match = targets.filter(t => namesConstruct(t.id, name));
  if (match.length === 0) {
    const owner = (id: string) => id.split('/').slice(0, -1).join('/');
    match = targets.filter(t => t.kind === SendKind.TIMER && namesConstruct(owner(t.id), name));
  }
  if (match.length !== 1) {
    const known = targets.map(t => `${t.id} (${t.kind})`).join(', ') || 'none';
    throw new StageInputError(
      match.length === 0
        ? `Nothing to send to named '${name}' (allowed: a bucket, topic, queue, stream, Timer or HTTP API of the app: ${known})`
        : `'${name}' names ${match.length} targets (${match.map(m => m.id).join(', ')}): give more of the path`,
    );
  }
  return match[0];
}

/** The physical id of a target's resource in the local cloud. */
export async function physicalIdOf(target: Pick<SendTarget, 'id' | 'stack' | 'logicalId' | 'nested'>): Promise<string> {
  const cloudformation = new (cloudFormationSdk().CloudFormationClient)(localClientConfig());
  try {
    const id = await physicalIdAt(cloudformation, target);
    if (!id) throw new LocalCloudError(`${target.id} is not deployed: run \`stagegraph local deploy\``, 4);
    return id;
  } catch (error) {
    if (error instanceof LocalCloudError) throw error;
    throw new LocalCloudError(`${target.id} is not deployed (${(error as Error).message})`, 4);
  } finally {
    cloudformation.destroy();
  }
}

const text = (data: unknown): string => (typeof data === 'string' ? data : JSON.stringify(data));

/** Uploads an object to a bucket. */
export async function uploadObject(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string | Uint8Array,
): Promise<void> {
  await s3.send(new (s3Sdk().PutObjectCommand)({ Bucket: bucket, Key: key, Body: body }));
}

/** Publishes a message with string attributes; answers its id. */
export async function publishMessage(
  sns: SNSClient,
  topicArn: string,
  message: unknown,
  attributes: Readonly<Record<string, string>> = {},
): Promise<string> {
  const { MessageId } = await sns.send(
    new (snsSdk().PublishCommand)({
      TopicArn: topicArn,
      Message: text(message),
      MessageAttributes: Object.fromEntries(
        Object.entries(attributes).map(([name, value]): [string, MessageAttributeValue] => [
          name,
          { DataType: 'String', StringValue: value },
        ]),
      ),
    }),
  );
  return MessageId ?? '';
}

/** Sends a message to a queue; answers its id. */
export async function sendQueueMessage(sqs: SQSClient, queueUrl: string, body: unknown): Promise<string> {
  const { MessageId } = await sqs.send(
    new (sqsSdk().SendMessageCommand)({ QueueUrl: queueUrl, MessageBody: text(body) }),
  );
  return MessageId ?? '';
}

/** Puts a record to a stream; answers its sequence number. */
export async function putStreamRecord(
  kinesis: KinesisClient,
  streamName: string,
  data: unknown,
  partitionKey = 'test',
): Promise<string> {
  const { SequenceNumber } = await kinesis.send(
    new (kinesisSdk().PutRecordCommand)({
      StreamName: streamName,
      PartitionKey: partitionKey,
      Data: data instanceof Uint8Array ? data : Buffer.from(text(data)),
    }),
  );
  return SequenceNumber ?? '';
}

/**
 * Fires a schedule's rule now, as EventBridge does at the scheduled time: every Lambda target of the deployed rule
 * is invoked asynchronously with the rule's input, or EventBridge's scheduled event. Answers the event sent.
 */
export async function fireRule(events: EventBridgeClient, lambda: LambdaClient, ruleName: string): Promise<unknown> {
  const rule = await events.send(new (eventBridgeSdk().DescribeRuleCommand)({ Name: ruleName }));
  const { Targets } = await events.send(new (eventBridgeSdk().ListTargetsByRuleCommand)({ Rule: ruleName }));
  const arn = rule.Arn ?? '';
  const scheduled = {
    version: '0',
    id: globalThis.crypto.randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: arn.split(':')[4] ?? '',
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: arn.split(':')[3] ?? '',
    resources: [arn],
    detail: {},
  };
  let sent: unknown = scheduled;
  const functions = (Targets ?? []).filter(target => target.Arn?.includes(':lambda:'));
  if (functions.length === 0) {
    throw new LocalCloudError(
      `the rule ${ruleName} has no function target to fire (its targets: ${(Targets ?? []).map(t => t.Arn).join(', ') || 'none'})`,
    );
  }
  for (const target of Targets ?? []) {
    if (!target.Arn?.includes(':lambda:')) continue;
    sent = target.Input !== undefined ? (JSON.parse(target.Input) as unknown) : scheduled;
    await lambda.send(
      new (lambdaSdk().InvokeCommand)({
        FunctionName: target.Arn,
        InvocationType: 'Event',
        Payload: JSON.stringify(sent),
      }),
    );
  }
  return sent;
}

/** Calls a route of a REST API at its local URL, signed with the local cloud's credentials unless told not to. */
export async function callRoute(apiId: string, route: string, request: HttpRequest = {}): Promise<HttpResponse> {
  if (!route.startsWith('/')) {
    throw new StageInputError(`the route must start with / (given '${route}')`);
  }
  return sendHttp(new URL(`${localRestApiUrl(apiId)}${route}`), request, localClientConfig().credentials);
}

/** What `stagegraph send` sends: the body, and where the kind needs it a key, attributes or a route. */
export interface SendInput {
  readonly body: Buffer;
  /** OBS: the object's key. */
  readonly key?: string;
  /** SMN: string message attributes. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** DIS: the partition key. */
  readonly partitionKey?: string;
  /** HTTP: method and route. */
  readonly method?: string;
  readonly route?: string;
  /** HTTP: send unsigned. */
  readonly unsigned?: boolean;
}

/** What was sent, for the CLI to print. */
export interface SendResult {
  readonly target: SendTarget;
  /** One line: what happened (a message id, a key, an HTTP status). */
  readonly summary: string;
  /** HTTP: the response body; Timer: the event sent. */
  readonly detail?: string;
}

/** Runs `work` with an SDK client for the local cloud, and closes it after. */
async function withClient<C extends { destroy(): void }, T>(
  kind: new (config: ReturnType<typeof localClientConfig>) => C,
  work: (client: C) => Promise<T>,
): Promise<T> {
  const client = new kind(localClientConfig());
  try {
    return await work(client);
  } finally {
    client.destroy();
  }
}

/** Sends a real event to a deployed target of the app, through the service its triggers listen to. */
export async function sendToTarget(target: SendTarget, input: SendInput): Promise<SendResult> {
  const key = input.key;
  if (target.kind === SendKind.OBS && !key) {
    throw new StageInputError(`sending to the bucket ${target.id} needs --key <object key>`);
  }
  const physical = await physicalIdOf(target);
  const body = input.body.toString('utf-8');
  switch (target.kind) {
    case SendKind.OBS:
      await withClient(s3Sdk().S3Client, s3 => uploadObject(s3, physical, key ?? '', input.body));
      return { target, summary: `uploaded ${input.body.length} bytes to ${physical}/${key}` };
    case SendKind.SMN: {
      const id = await withClient(snsSdk().SNSClient, sns => publishMessage(sns, physical, body, input.attributes));
      return { target, summary: `published message ${id}` };
    }
    case SendKind.DMS: {
      const id = await withClient(sqsSdk().SQSClient, sqs => sendQueueMessage(sqs, physical, body));
      return { target, summary: `sent message ${id}` };
    }
    case SendKind.DIS: {
      const sequence = await withClient(kinesisSdk().KinesisClient, kinesis =>
        putStreamRecord(kinesis, physical, new Uint8Array(input.body), input.partitionKey),
      );
      return { target, summary: `put record ${sequence}` };
    }
    case SendKind.TIMER: {
      const sent = await withClient(eventBridgeSdk().EventBridgeClient, events =>
        withClient(lambdaSdk().LambdaClient, lambda => fireRule(events, lambda, physical)),
      );
      return { target, summary: `fired ${physical}`, detail: JSON.stringify(sent) };
    }
    case SendKind.HTTP: {
      const response = await callRoute(physical, input.route ?? '/', {
        method: input.method,
        ...(input.body.length > 0 ? { body } : {}),
        signed: !input.unsigned,
      });
      return { target, summary: `HTTP ${response.status}`, detail: response.body };
    }
  }
}
