// Items API (scenario 3, web/mobile backend): a JSON CRUD API behind the HTTP trigger, each item an
// object in OBS under items/. Bad input gets a 4xx with a message, never a 5xx.
import { randomUUID } from 'crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';

const s3 = new S3Client({ forcePathStyle: true });
const PREFIX = 'items/';
const ID = /^[0-9a-f-]{36}$/;
/**
 * Items per page of GET /items: a page of the largest items (about 1 KB each) stays far below API Gateway's 6 MB
 * response limit.
 */
const PAGE_DEFAULT = 50;
const PAGE_MAX = 100;

interface ProxyEvent {
  readonly httpMethod: string;
  readonly path: string;
  readonly pathParameters?: Record<string, string> | null;
  readonly queryStringParameters?: Record<string, string> | null;
  readonly body?: string | null;
}

interface Response {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface Item {
  readonly id: string;
  readonly name: string;
  readonly price: number;
  readonly tags: string[];
  readonly updatedAt: string;
}

class BadRequest extends Error {
  constructor(
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

const json = (statusCode: number, value: unknown): Response => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: value === undefined ? '' : JSON.stringify(value),
});

/**
 * Checks an item's fields: name 1 to 100 characters, price a number from 0, tags up to 10 strings of 1 to 50
 * characters.
 */
export function validate(body: string | null | undefined): Omit<Item, 'id' | 'updatedAt'> {
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch {
    throw new BadRequest('the body must be a JSON object');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new BadRequest('the body must be a JSON object');
  const { name, price, tags = [] } = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 100)
    problems.push('name must be a string of 1 to 100 characters');
  if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) problems.push('price must be a number from 0');
  if (
    !Array.isArray(tags) ||
    tags.length > 10 ||
    tags.some(tag => typeof tag !== 'string' || tag.length === 0 || tag.length > 50)
  ) {
    problems.push('tags must be at most 10 strings of 1 to 50 characters');
  }
  if (problems.length > 0) throw new BadRequest(problems.join('; '));
  return { name: (name as string).trim(), price: price as number, tags: tags as string[] };
}

async function read(id: string): Promise<Item | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: process.env.BUCKET, Key: `${PREFIX}${id}.json` }));
    return JSON.parse(await object.Body!.transformToString()) as Item;
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

async function write(item: Item): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: process.env.BUCKET,
      Key: `${PREFIX}${item.id}.json`,
      Body: JSON.stringify(item),
      ContentType: 'application/json',
    }),
  );
}

async function route(event: ProxyEvent): Promise<Response> {
  const id = event.pathParameters?.id;
  if (id !== undefined && !ID.test(id)) throw new BadRequest(`no item ${id}: ids are UUIDs`, 404);
  switch (`${event.httpMethod} ${id === undefined ? 'collection' : 'item'}`) {
    case 'GET collection': {
      // One page at a time: `limit` items (default 50, at most 100) and a `next` token for the following page.
      const limitText = event.queryStringParameters?.limit ?? String(PAGE_DEFAULT);
      const limit = Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_MAX)
        throw new BadRequest(`limit must be a whole number from 1 to ${PAGE_MAX} (given '${limitText}')`);
      const listed = await s3.send(
        new ListObjectsV2Command({
          Bucket: process.env.BUCKET,
          Prefix: PREFIX,
          MaxKeys: limit,
          ContinuationToken: event.queryStringParameters?.next || undefined,
        }),
      );
      const items = await Promise.all(
        (listed.Contents ?? []).map(o => read(o.Key!.slice(PREFIX.length, -'.json'.length))),
      );
      return json(200, {
        items: items.filter(Boolean),
        ...(listed.NextContinuationToken ? { next: listed.NextContinuationToken } : {}),
      });
    }
    case 'POST collection': {
      const item: Item = { id: randomUUID(), ...validate(event.body), updatedAt: new Date().toISOString() };
      await write(item);
      return json(201, item);
    }
    case 'GET item': {
      const item = await read(id!);
      return item ? json(200, item) : json(404, { message: `no item ${id}` });
    }
    case 'PUT item': {
      const fields = validate(event.body);
      if (!(await read(id!))) return json(404, { message: `no item ${id}` });
      const item: Item = { id: id!, ...fields, updatedAt: new Date().toISOString() };
      await write(item);
      return json(200, item);
    }
    case 'DELETE item': {
      if (!(await read(id!))) return json(404, { message: `no item ${id}` });
      await s3.send(new DeleteObjectCommand({ Bucket: process.env.BUCKET, Key: `${PREFIX}${id}.json` }));
      return json(204, undefined);
    }
    default:
      return json(405, { message: `${event.httpMethod} is not allowed on ${event.path}` });
  }
}

export async function handler(event: ProxyEvent): Promise<Response> {
  try {
    return await route(event);
  } catch (error) {
    if (error instanceof BadRequest) return json(error.statusCode, { message: error.message });
    throw error;
  }
}
