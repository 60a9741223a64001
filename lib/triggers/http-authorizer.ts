import { createHash } from 'crypto';
import { Duration, Names, Token } from 'aws-cdk-lib';
import { IAuthorizer, IdentitySource, RequestAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import { StageValidationError, TriggerValidationError } from '../errors';
import { ownFunction } from '../function/own-function';
import type { IStageFunction } from '../function/stage-function-base';
import type { StageHttpApi } from './stage-http-api';

/** The longest time API Gateway caches an authorizer's answer. */
export const AUTHORIZER_CACHE_TTL_RANGE = { min: 0, max: 3600 } as const;
/** The environment variable that marks the JWT authorizer function as stagegraph's own (see lib/app/assembly.ts). */
const JWT_ISSUER_VARIABLE = 'STAGEGRAPH_JWT_ISSUER';

/** Options of a Lambda (REQUEST) authorizer: {@link HttpAuthorizer.lambda}. */
export interface LambdaAuthorizerOptions {
  /**
   * Where the caller's identity is, as API Gateway names it: `method.request.header.<name>`,
   * `method.request.querystring.<name>`, `stageVariables.<name>` or `context.<name>` (see
   * `IdentitySource` of aws-cdk-lib). A request missing any of them is answered 401 without calling
   * the function; their values are the key of the cached answers.
   * @default [IdentitySource.header('Authorization')]
   */
  readonly identitySources?: string[];
  /**
   * How long API Gateway keeps the function's answer (its policy and context) for the same identity
   * values, from 0 (no cache: every request calls the function) to 1 hour. A cached policy is checked
   * against each request's method ARN: allow every route the answer is meant for (e.g.
   * `arn:...:<api>/<stage>/*`) when one authorizer guards several routes.
   * @default Duration.minutes(5) - as API Gateway
   */
  readonly resultsCacheTtl?: Duration;
}

/** Options of a JWT authorizer: {@link HttpAuthorizer.jwt}. */
export interface JwtAuthorizerOptions {
  /** The issuer: the token's `iss` claim must be exactly this, e.g. `https://auth.example.com/`. */
  readonly issuer: string;
  /** The token's `aud` claim must hold one of these, e.g. `['api://orders']`. At least one. */
  readonly audience: string[];
  /**
   * Where the issuer publishes its signing keys (a JSON Web Key Set). An https URL; plain http only
   * to a loopback host (the local cloud).
   * @default - `<issuer without a trailing slash>/.well-known/jwks.json`
   */
  readonly jwksUri?: string;
  /**
   * How long API Gateway keeps the answer for the same token, from 0 to 1 hour. A token is not
   * checked again within that time, so a shorter time ends access sooner after the token expires.
   * @default Duration.minutes(5) - as API Gateway
   */
  readonly resultsCacheTtl?: Duration;
}

const IDENTITY_SOURCE =
  /^(method\.request\.(header|querystring)\.[^.\s]+|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.]+)$/;
const LOOPBACK = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//;
const JWT_MEMORY_MB = 256;

/** The options a shared authorizer was created with, to refuse other options for the same one. */
const createdWith = new WeakMap<RequestAuthorizer, string>();

/**
 * Who may call an HTTP trigger's route, checked by API Gateway before the function runs: a Lambda
 * (REQUEST) authorizer of your own, or stagegraph's JWT authorizer. The local cloud enforces both.
 *
 * @example
 * new HttpTrigger({ path: '/orders', authorizer: HttpAuthorizer.jwt({ issuer: 'https://auth.example.com/', audience: ['orders'] }) });
 */
export abstract class HttpAuthorizer {
  /**
   * A REQUEST authorizer: API Gateway calls `fn` with the request's headers, query string, path and
   * stage variables and `methodArn`; it answers an IAM policy (`principalId`, `policyDocument`, and a
   * `context` of strings, numbers and booleans, which the route's function gets in
   * `event.requestContext.authorizer`), or throws `Error('Unauthorized')` for a 401. One authorizer per
   * function and API, shared by the routes that give the same function.
   */
  public static lambda(fn: IStageFunction, options: LambdaAuthorizerOptions = {}): HttpAuthorizer {
    return new LambdaHttpAuthorizer(fn, options);
  }

  /**
   * A JWT authorizer: stagegraph's own small Node.js function checks the bearer token of the
   * `Authorization` header (signed RS256 or ES256 with a key of the issuer's key set; `iss`, `aud`, `exp`
   * and `nbf`), answers 401 for a missing or invalid token, and passes the token's claims to the route's
   * function in `event.requestContext.authorizer` (objects and arrays as JSON text; `principalId` is `sub`).
   * One function and authorizer per stack and settings.
   */
  public static jwt(options: JwtAuthorizerOptions): HttpAuthorizer {
    return new JwtHttpAuthorizer(options);
  }

  /** What the authorizer is, for messages. */
  public abstract readonly description: string;

  /** Finds or creates the authorizer on `api`, shared by the routes that give the same one. @internal */
  public abstract _bind(api: StageHttpApi): IAuthorizer;
}

class LambdaHttpAuthorizer extends HttpAuthorizer {
  public readonly description: string;
  private readonly identitySources: string[];
  private readonly ttl: Duration;

  /** @param authorizerId the authorizer's id in the API: by default derived from the function */
  constructor(
    private readonly fn: IStageFunction,
    options: LambdaAuthorizerOptions,
    private readonly authorizerId?: string,
  ) {
    super();
    this.description = `HttpAuthorizer.lambda(${fn.node.path})`;
    this.identitySources = options.identitySources ?? [IdentitySource.header('Authorization')];
    this.ttl = options.resultsCacheTtl ?? Duration.minutes(5);
    const fail = (message: string) => new StageValidationError(fn, `${this.description}: ${message}`);
    const bad = this.identitySources.find(s => !Token.isUnresolved(s) && !IDENTITY_SOURCE.test(s));
    if (bad !== undefined) {
      throw fail(
        `identity source '${bad}' is not allowed (allowed: method.request.header.<name>, method.request.querystring.<name>, stageVariables.<name>, context.<name>)`,
      );
    }
    const seconds = checkTtl(this.ttl, message => fail(message));
    if (seconds > 0 && this.identitySources.length === 0) {
      throw fail(
        `resultsCacheTtl is ${seconds} s but no identity source is given (allowed: at least one identity source, or resultsCacheTtl Duration.seconds(0))`,
      );
    }
  }

  public _bind(api: StageHttpApi): IAuthorizer {
    const id = this.authorizerId ?? `Authorizer${Names.nodeUniqueId(this.fn.node)}`;
    const key = JSON.stringify([this.identitySources, this.ttl.toSeconds()]);
    const existing = api.node.tryFindChild(id);
    if (existing instanceof RequestAuthorizer) {
      if (createdWith.get(existing) !== key) {
        throw new StageValidationError(
          this.fn,
          `${this.description} guards routes of ${api.node.path} with other options (given ${key}, already ${createdWith.get(existing)}; allowed: one set of options per function and API)`,
        );
      }
      return existing;
    }
    const authorizer = new RequestAuthorizer(api, id, {
      handler: this.fn.invokeTarget,
      identitySources: this.identitySources,
      resultsCacheTtl: this.ttl,
    });
    createdWith.set(authorizer, key);
    return authorizer;
  }
}

class JwtHttpAuthorizer extends HttpAuthorizer {
  public readonly description: string;
  private readonly jwksUri: string;
  private readonly ttl: Duration;

  constructor(private readonly options: JwtAuthorizerOptions) {
    super();
    this.description = `HttpAuthorizer.jwt(${options.issuer})`;
    const fail = (message: string) => new TriggerValidationError(this.description, message);
    if (!Token.isUnresolved(options.issuer) && options.issuer.trim().length === 0) {
      throw fail(`issuer must not be empty or blank (given '${options.issuer}')`);
    }
    if (options.audience.length === 0 || options.audience.some(a => !Token.isUnresolved(a) && a.length === 0)) {
      throw fail(`audience must name at least one audience, none empty (given ${JSON.stringify(options.audience)})`);
    }
    this.jwksUri = options.jwksUri ?? `${options.issuer.replace(/\/+$/, '')}/.well-known/jwks.json`;
    if (!Token.isUnresolved(this.jwksUri) && !this.jwksUri.startsWith('https://') && !LOOPBACK.test(this.jwksUri)) {
      throw fail(
        `jwksUri must be an https URL, or http to a loopback host for the local cloud (given '${this.jwksUri}')`,
      );
    }
    this.ttl = options.resultsCacheTtl ?? Duration.minutes(5);
    checkTtl(this.ttl, fail);
  }

  public _bind(api: StageHttpApi): IAuthorizer {
    const settings = [this.options.issuer, this.options.audience, this.jwksUri];
    const hash = createHash('sha256')
      .update(JSON.stringify([...settings, this.ttl.toSeconds()]))
      .digest('hex')
      .slice(0, 8)
      .toUpperCase();
    const id = `JwtAuthorizer${hash}`;
    let fn = api.node.tryFindChild(`${id}Function`) as IStageFunction | undefined;
    if (!fn) {
      fn = ownFunction(api, `${id}Function`, {
        handler: 'jwt-authorizer-handler',
        memorySize: JWT_MEMORY_MB,
        timeout: Duration.seconds(10),
        description: `Checks the JWTs of ${this.options.issuer} for the HTTP routes of ${api.node.path}`,
        environment: {
          [JWT_ISSUER_VARIABLE]: this.options.issuer,
          STAGEGRAPH_JWT_AUDIENCE: JSON.stringify(this.options.audience),
          STAGEGRAPH_JWT_JWKS_URI: this.jwksUri,
        },
      });
    }
    return new LambdaHttpAuthorizer(
      fn,
      { identitySources: [IdentitySource.header('Authorization')], resultsCacheTtl: this.ttl },
      id,
    )._bind(api);
  }
}

/** The cache time in whole seconds, checked against API Gateway's range. */
function checkTtl(ttl: Duration, fail: (message: string) => Error): number {
  if (ttl.isUnresolved()) return 0;
  const seconds = ttl.toSeconds({ integral: false });
  if (
    !Number.isInteger(seconds) ||
    seconds < AUTHORIZER_CACHE_TTL_RANGE.min ||
    seconds > AUTHORIZER_CACHE_TTL_RANGE.max
  ) {
    throw fail(
      `resultsCacheTtl must be whole seconds from ${AUTHORIZER_CACHE_TTL_RANGE.min} to ${AUTHORIZER_CACHE_TTL_RANGE.max} (given ${ttl.toHumanString()})`,
    );
  }
  return seconds;
}
