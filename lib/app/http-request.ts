import { createHash, createHmac, Hash, Hmac } from 'crypto';
import type * as SignatureV4Package from '@smithy/signature-v4';
import { LOCAL_REGION } from '../local/endpoint';

/** A request to an HTTP trigger's route. */
export interface HttpRequest {
  /**
   * The method.
   * @default 'GET', or 'POST' when a body is given
   */
  readonly method?: string;
  /**
   * The body: a string as it is, anything else as JSON (with `content-type: application/json`).
   * @default - no body
   */
  readonly body?: unknown;
  /**
   * Headers, e.g. `{ authorization: 'Bearer ...' }` for a route with an authorizer.
   * @default - none
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Sign the request with the local cloud's credentials (SigV4), as a caller allowed to `execute-api:Invoke`
   * does: what a route with `HttpAuth.IAM` (the default) needs. `false` sends it unsigned, as a stranger would.
   * @default true
   */
  readonly signed?: boolean;
}

/** What the route answered. */
export interface HttpResponse {
  readonly status: number;
  /** Headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as text. */
  readonly body: string;
  /** The body parsed as JSON (throws when it is not JSON). */
  json(): unknown;
}

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
}

/** SHA-256 for the SigV4 signer, from node:crypto. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** Sends a request to a URL of the local cloud's API Gateway, signed for `execute-api` unless told not to. */
export async function sendHttp(
  url: URL,
  request: HttpRequest,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<HttpResponse> {
  const body =
    request.body === undefined
      ? undefined
      : typeof request.body === 'string'
        ? request.body
        : JSON.stringify(request.body);
  const method = (request.method ?? (body === undefined ? 'GET' : 'POST')).toUpperCase();
  let headers: Record<string, string> = {
    ...(body !== undefined && typeof request.body !== 'string' ? { 'content-type': 'application/json' } : {}),
    ...Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  if (request.signed !== false) {
    // The signer loads here, for a signed request, not at the CLI's start (about 20 ms).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
    const { SignatureV4 } = require('@smithy/signature-v4') as typeof SignatureV4Package;
    const signer = new SignatureV4({ service: 'execute-api', region: LOCAL_REGION, credentials, sha256: Sha256 });
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...headers, host: url.host },
      body,
    });
    headers = signed.headers;
  }
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  const answered: Record<string, string> = {};
  response.headers.forEach((value, name) => (answered[name] = value));
  return {
    status: response.status,
    headers: answered,
    body: text,
    json: () => JSON.parse(text) as unknown,
  };
}
