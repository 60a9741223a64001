import { Annotations, Aws } from 'aws-cdk-lib';
import {
  AuthorizationType,
  CfnMethod,
  Cors,
  Integration,
  IntegrationType,
  IResource,
} from 'aws-cdk-lib/aws-apigateway';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { StageValidationError, TriggerValidationError } from '../errors';
import { HttpAuthorizer } from './http-authorizer';
import { StageHttpApi } from './stage-http-api';
import type { ITrigger, ITriggerTarget } from '../function/trigger';
import { recordTrigger } from './private/record-trigger';

/** Who may call an HTTP trigger: a closed set. */
export enum HttpAuth {
  /** Callers sign requests with AWS credentials allowed to `execute-api:Invoke` (SigV4). */
  IAM = 'IAM',
  /** Anyone who has the URL. Chosen explicitly only; synth warns about it. */
  NONE = 'NONE',
}

/** CORS for an HTTP trigger's route. */
export interface HttpCors {
  /** Origins allowed to call, e.g. `['https://app.example.com']`, or `['*']`. */
  readonly allowOrigins: string[];
  /**
   * Headers a browser may send.
   * @default - API Gateway's default headers (Content-Type, X-Amz-Date, Authorization, X-Api-Key, ...)
   */
  readonly allowHeaders?: string[];
}

/** Options of an {@link HttpTrigger}. */
export interface HttpTriggerProps {
  /** The route, e.g. `/items` or `/items/{id}`; a last segment `{proxy+}` takes everything below. */
  readonly path: string;
  /**
   * HTTP methods of the route: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY.
   * @default ['ANY']
   */
  readonly methods?: string[];
  /**
   * Who may call the route, when no `authorizer` is given.
   * @default HttpAuth.IAM - choose HttpAuth.NONE explicitly for a public route
   */
  readonly auth?: HttpAuth;
  /**
   * An authorizer that API Gateway asks before the function runs: `HttpAuthorizer.lambda(fn)` or
   * `HttpAuthorizer.jwt({ issuer, audience })`. The route's authorization type is then CUSTOM, and
   * `auth` must be left out. The local cloud enforces it as API Gateway does.
   * @default - none: `auth` decides
   */
  readonly authorizer?: HttpAuthorizer;
  /**
   * Answer browsers' CORS preflight requests (OPTIONS). The function's own responses must carry
   * the CORS headers too (a proxy integration passes them through).
   * @default - no CORS
   */
  readonly cors?: HttpCors;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'];
const SEGMENT = /^([A-Za-z0-9._-]+|\{[A-Za-z0-9_]+\}|\{[A-Za-z0-9_]+\+\})$/;

/**
 * HTTP trigger: a route of the stack's REST API (API Gateway v1, which LocalStack core runs) with a
 * Lambda proxy integration. The functions of a stack share one API, {@link StageHttpApi}; its id is a
 * stack output. Each function gets one permission for the whole API, whatever the number of routes.
 */
export class HttpTrigger implements ITrigger {
  private readonly methods: string[];

  constructor(private readonly props: HttpTriggerProps) {
    const name = `HttpTrigger ${props.path}`;
    if (!props.path.startsWith('/')) {
      throw new TriggerValidationError(name, `path must start with / (given '${props.path}')`);
    }
    const segments = props.path
      .split('/')
      .slice(1)
      .filter(s => s.length > 0);
    const bad = segments.find(s => !SEGMENT.test(s));
    if (bad) {
      throw new TriggerValidationError(
        name,
        `path segment '${bad}' is not allowed (allowed: letters, digits, . _ -, or {name}, or a last {name+})`,
      );
    }
    if (segments.slice(0, -1).some(s => s.endsWith('+}'))) {
      throw new TriggerValidationError(name, 'a {name+} segment must be the last one');
    }
    this.methods = (props.methods ?? ['ANY']).map(m => m.toUpperCase());
    const unknown = this.methods.find(m => !METHODS.includes(m));
    if (unknown) {
      throw new TriggerValidationError(name, `method '${unknown}' is not allowed (allowed: ${METHODS.join(', ')})`);
    }
    if (props.cors && props.cors.allowOrigins.length === 0) {
      throw new TriggerValidationError(name, 'cors.allowOrigins must name at least one origin (given none)');
    }
  }

  public bind(fn: ITriggerTarget): void {
    const api = StageHttpApi.of(fn);
    const resource: IResource = api.root.resourceForPath(this.props.path);
    const target = fn.invokeTarget;
    const permissionId = 'HttpApiPermission';
    if (!target.permissionsNode.tryFindChild(permissionId)) {
      target.addPermission(permissionId, {
        principal: new ServicePrincipal('apigateway.amazonaws.com'),
        sourceArn: api.arnForExecuteApi('*', '/*', '*'),
      });
    }
    const integration = new Integration({
      type: IntegrationType.AWS_PROXY,
      integrationHttpMethod: 'POST',
      uri: `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}:lambda:path/2015-03-31/functions/${target.functionArn}/invocations`,
    });
    if (this.props.authorizer && this.props.auth !== undefined) {
      throw new StageValidationError(
        fn,
        `HttpTrigger ${this.props.path}: auth is HttpAuth.${this.props.auth} and an authorizer, ${this.props.authorizer.description}, is given ` +
          '(allowed: an authorizer with auth left out, or auth without an authorizer)',
      );
    }
    const auth = this.props.auth ?? HttpAuth.IAM;
    const authorizer = this.props.authorizer?._bind(api);
    const kind = authorizer ? 'authorizer' : auth === HttpAuth.NONE ? 'none' : 'iam';
    for (const method of this.methods) {
      if (resource.node.tryFindChild(method)) {
        throw new StageValidationError(
          fn,
          `${method} ${this.props.path} is already routed to another function (allowed: one function per route and method)`,
        );
      }
      const added = resource.addMethod(
        method,
        integration,
        authorizer
          ? { authorizer, authorizationType: AuthorizationType.CUSTOM }
          : { authorizationType: auth === HttpAuth.NONE ? AuthorizationType.NONE : AuthorizationType.IAM },
      );
      api._noteRoute(added.node.defaultChild as CfnMethod, kind);
    }
    recordTrigger(fn, 'http', undefined, {
      path: this.props.path,
      methods: this.methods,
      auth: kind,
      corsOrigins: this.props.cors?.allowOrigins,
    });
    if (this.props.cors && !resource.node.tryFindChild('OPTIONS')) {
      resource.addCorsPreflight({
        allowOrigins: this.props.cors.allowOrigins,
        allowHeaders: this.props.cors.allowHeaders ?? Cors.DEFAULT_HEADERS,
        allowMethods: this.methods.includes('ANY') ? Cors.ALL_METHODS : this.methods,
      });
    }
    if (!authorizer && auth === HttpAuth.NONE) {
      Annotations.of(fn).addWarningV2(
        'stagegraph:http-auth-none',
        `${this.methods.join(',')} ${this.props.path} has no authorization (HttpAuth.NONE): anyone with the URL can call it`,
      );
    }
  }
}
