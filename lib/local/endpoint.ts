import { LocalCloudError, StageInputError } from '../errors';

/** The port the embedded LocalStack listens on by default, on 127.0.0.1 only. */
export const LOCAL_PORT = 4566;

/** The port of the embedded LocalStack: `STAGEGRAPH_LOCAL_PORT`, else {@link LOCAL_PORT}. */
export function localPort(): number {
  const fromEnv = process.env.STAGEGRAPH_LOCAL_PORT;
  if (fromEnv === undefined || fromEnv === '') {
    return LOCAL_PORT;
  }
  const port = Number(fromEnv);
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    throw new StageInputError(`STAGEGRAPH_LOCAL_PORT must be a port number from 1024 to 65535 (given '${fromEnv}')`);
  }
  return port;
}
/** The account and region of everything deployed locally. */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

/** The LocalStack to talk to: `LOCALSTACK_ENDPOINT` (a user's own, e.g. the official image), else the embedded one. */
export function localEndpoint(): string {
  return (process.env.LOCALSTACK_ENDPOINT ?? `http://127.0.0.1:${localPort()}`).replace(/\/+$/, '');
}

/**
 * The base URL of a REST API stage on the local cloud, e.g. `${base}/items`: LocalStack's path form
 * `http://127.0.0.1:4566/_aws/execute-api/<api id>/<stage>`, which needs no DNS and works offline.
 */
export function localRestApiUrl(apiId: string, stage = 'live'): string {
  return `${localEndpoint()}/_aws/execute-api/${apiId}/${stage}`;
}

/**
 * The local URLs of the HTTP APIs of a deployed stack, by name, from its outputs: the output
 * `StageHttpApiId` that every stack with HTTP triggers has.
 */
export function localHttpUrls(outputs: Readonly<Record<string, string>>): Record<string, string> {
  const id = outputs.StageHttpApiId;
  return id ? { StageHttpApi: `${localRestApiUrl(id)}/` } : {};
}

/** True when the user points stagegraph at a LocalStack of their own. */
export function usesExternalLocalStack(): boolean {
  return Boolean(process.env.LOCALSTACK_ENDPOINT);
}

/**
 * {@link localEndpoint}, checked to be an http or https URL before a client uses it: a `LOCALSTACK_ENDPOINT` that is
 * not one is named as the problem, not taken for an app that is not deployed.
 */
export function checkedLocalEndpoint(): string {
  const protocol = localEndpointUrl()?.protocol;
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new LocalCloudError(
      `LOCALSTACK_ENDPOINT is '${process.env.LOCALSTACK_ENDPOINT}', which is not an http or https URL: set it to a LocalStack's URL such as http://127.0.0.1:4566, or unset it to use the embedded local cloud`,
      3,
    );
  }
  return localEndpoint();
}

/**
 * Settings for AWS SDK v3 clients talking to the local cloud. Without host prefixes: an operation that puts one
 * before the endpoint's host (Step Functions' StartSyncExecution: `sync-127.0.0.1`) would name a host that does not
 * resolve.
 */
export function localClientConfig(): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle: boolean;
  disableHostPrefix: boolean;
} {
  return {
    endpoint: checkedLocalEndpoint(),
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    forcePathStyle: true,
    disableHostPrefix: true,
  };
}

/**
 * Environment variables that point the AWS SDK (and so the CDK toolkit library) at the local
 * cloud, with dummy credentials, so nothing reaches AWS or a public DNS name.
 */
export function localAwsEnvironment(): Record<string, string> {
  const endpoint = checkedLocalEndpoint();
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_S3_FORCE_PATH_STYLE: '1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
  };
}

/** What `/_localstack/health` answers. */
export interface LocalStackHealth {
  readonly version?: string;
  readonly services?: Record<string, string>;
}

/** The health of the LocalStack at `endpoint`, or undefined when nothing answers as LocalStack. */
export async function localStackHealth(
  endpoint = checkedLocalEndpoint(),
  timeoutMs = 1000,
): Promise<LocalStackHealth | undefined> {
  try {
    const response = await fetch(`${endpoint}/_localstack/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) {
      return undefined;
    }
    const body = (await response.json()) as LocalStackHealth;
    return body && typeof body === 'object' && 'services' in body ? body : undefined;
  } catch {
    return undefined;
  }
}

/** True when the error is a connection that could not be made (refused, reset, timed out). */
export function isUnreachable(error: unknown): boolean {
  for (
    let e = error as
        { code?: string; hostname?: string; cause?: unknown; message?: string; errors?: unknown[] } | undefined,
      depth = 0;
    e && depth < 5;
    depth++
  ) {
    if (
      /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH/.test(`${e.code ?? ''} ${e.message ?? ''}`) ||
      // A name that does not resolve: the local cloud's only (AWS's, for --aws, is not the local cloud down).
      ((e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') && e.hostname === localEndpointUrl()?.hostname) ||
      (e.errors ?? []).some(isUnreachable)
    ) {
      return true;
    }
    e = e.cause as typeof e;
  }
  return false;
}

/** {@link localEndpoint} parsed, or undefined when it is not a URL. */
function localEndpointUrl(): URL | undefined {
  try {
    return new URL(localEndpoint());
  } catch {
    return undefined;
  }
}
