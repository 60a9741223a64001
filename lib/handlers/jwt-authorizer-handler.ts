/**
 * stagegraph's JWT authorizer: a REQUEST authorizer of the stack's REST API that checks the bearer
 * token of the `Authorization` header against the issuer's JSON Web Key Set (RS256 or ES256), its
 * `iss`, `aud`, `exp` and `nbf`. A missing or invalid token is refused with `Unauthorized` (API
 * Gateway answers 401); a valid one gets a policy allowing the API's stage and its claims as context.
 * Bundled with its one dependency, jose, into a Node.js function per issuer (see http-authorizer.ts).
 */
import { createRemoteJWKSet, errors, jwtVerify, JWTPayload } from 'jose';

const ALGORITHMS = ['RS256', 'ES256'];
/** jose's codes for a token that is not valid, as opposed to a key set that cannot be had. */
const INVALID_TOKEN = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
]);

const issuer = required('STAGEGRAPH_JWT_ISSUER');
const audience = JSON.parse(required('STAGEGRAPH_JWT_AUDIENCE')) as string[];
// Kept while the execution environment lives: keys are fetched once, and again for an unknown key id.
const keySet = createRemoteJWKSet(new URL(required('STAGEGRAPH_JWT_JWKS_URI')));

interface AuthorizerEvent {
  readonly methodArn: string;
  readonly headers?: Record<string, string | undefined> | null;
}

type ContextValue = string | number | boolean;

interface AuthorizerResult {
  readonly principalId: string;
  readonly policyDocument: {
    readonly Version: '2012-10-17';
    readonly Statement: Array<{ readonly Action: string; readonly Effect: 'Allow'; readonly Resource: string }>;
  };
  readonly context: Record<string, ContextValue>;
}

export async function handler(event: AuthorizerEvent): Promise<AuthorizerResult> {
  const token = bearerToken(event.headers ?? {});
  if (!token) {
    throw new Error('Unauthorized');
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keySet, { issuer, audience, algorithms: ALGORITHMS }));
  } catch (error) {
    if (error instanceof errors.JOSEError && INVALID_TOKEN.has(error.code)) {
      // eslint-disable-next-line no-console -- a function's log, read in CloudWatch Logs
      console.log(`Token refused: ${error.code}: ${error.message}`);
      throw new Error('Unauthorized');
    }
    throw error; // the key set could not be fetched or read: API Gateway answers 500
  }
  return {
    principalId: payload.sub ?? 'unknown',
    // The whole stage: API Gateway caches this answer per token for every route of this authorizer.
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageArn(event.methodArn) }],
    },
    context: claimsContext(payload),
  };
}

/** The token of an `Authorization: Bearer <token>` header (or a bare token), any letter case of the name. */
export function bearerToken(headers: Record<string, string | undefined>): string | undefined {
  const value = Object.entries(headers)
    .find(([name]) => name.toLowerCase() === 'authorization')?.[1]
    ?.trim();
  if (!value) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(value);
  return match ? match[1] : /^\S+$/.test(value) ? value : undefined;
}

/** `arn:...:<api>/<stage>/<method>/<path>` -> `arn:...:<api>/<stage>/*`. */
export function stageArn(methodArn: string): string {
  const [api, stage] = methodArn.split('/');
  return `${api}/${stage}/*`;
}

/** Claims as API Gateway's context allows them: strings, numbers and booleans; anything else as JSON text. */
export function claimsContext(payload: JWTPayload): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      context[name] = value;
    } else if (value !== null && value !== undefined) {
      context[name] = JSON.stringify(value);
    }
  }
  return context;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: this function is created by HttpAuthorizer.jwt`);
  }
  return value;
}
