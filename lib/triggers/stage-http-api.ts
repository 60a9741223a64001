import { AspectPriority, Aspects, CfnOutput, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  CfnMethod,
  CfnRestApi,
  CfnStage,
  MethodLoggingLevel,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { ILogGroup, LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct, IConstruct } from 'constructs';
import { StageValidationError } from '../errors';
import { acceptNagFindings } from '../nag-metadata';
import { topLevelStack } from '../stack-singleton';

/** The id of the REST API that the HTTP triggers of a stack share. */
export const SHARED_HTTP_API_ID = 'StageHttpApi';
/** The stack output that holds the id of the shared REST API: the CLI prints its local URL from it. */
export const HTTP_API_ID_OUTPUT = 'StageHttpApiId';
/** The stage of the shared REST API. */
export const HTTP_API_STAGE = 'live';

/** Properties of a {@link StageHttpApi}: what the stack's HTTP API logs and traces. */
export interface StageHttpApiProps {
  /**
   * Write one access log line per request (request id, caller IP and identity, time, method, path,
   * status, protocol, response length) to CloudWatch Logs.
   * @default true
   */
  readonly accessLogging?: boolean;
  /**
   * The access log group.
   * @default - a new group, kept for `logRetention` and removed with the API
   */
  readonly accessLogGroup?: ILogGroup;
  /**
   * The format of an access log line; it must hold `$context.requestId`.
   * @default AccessLogFormat.jsonWithStandardFields()
   */
  readonly accessLogFormat?: AccessLogFormat;
  /**
   * API Gateway's execution logs for every route: ERROR (failed requests only), INFO (every request)
   * or OFF. Request and response bodies are never logged.
   * @default MethodLoggingLevel.ERROR - into `API-Gateway-Execution-Logs_<api id>/live`, created here
   * with `logRetention` instead of by API Gateway with none
   */
  readonly executionLogging?: MethodLoggingLevel;
  /**
   * How long the log groups stagegraph creates keep the logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Create API Gateway's CloudWatch Logs role and set it for the account and region
   * (`AWS::ApiGateway::Account`): API Gateway writes no log without one. The role is retained when the
   * stack is deleted, so the account's setting keeps working.
   * @default - true when access or execution logging is on; false if your account and region already have one
   */
  readonly cloudWatchRole?: boolean;
  /**
   * X-Ray tracing of requests.
   * @default false - like functions: $5 per million traces after 100,000 free a month
   */
  readonly tracing?: boolean;
  /**
   * The ARN of a WAFv2 web ACL (regional scope) to associate with the stage, e.g. for public routes.
   * LocalStack core cannot deploy it.
   * @default - none: a web ACL costs $5 a month plus $1 per rule
   */
  readonly webAclArn?: string;
}

/** Why no web ACL: cdk-nag's AwsSolutions-APIG3 accepted while every route needs IAM authorization. */
const NO_WAF_REASON =
  'Every route of the stage requires IAM (SigV4) authorization, and a WAF web ACL costs $5 a month plus $1 per rule: give webAclArn for public routes';
/** The same, once some routes are guarded by an authorizer instead. */
const NO_WAF_REASON_AUTHORIZERS =
  'Every route of the stage requires IAM (SigV4) or authorizer (Lambda or JWT) authorization, and a WAF web ACL costs $5 a month plus $1 per rule: give webAclArn for public routes';

/** How a route of the stack's HTTP API is authorized: IAM (SigV4), an authorizer, or not at all. */
type RouteAuthorization = 'iam' | 'authorizer' | 'none';

const apis = new WeakMap<Stack, StageHttpApi>();

/**
 * The REST API (API Gateway v1, which LocalStack core runs) that the HTTP triggers of a stack share,
 * with stage `live`, its id as the stack output `StageHttpApiId`, access and execution logs, and no
 * custom resource. The first HTTP trigger creates it with the defaults; create it yourself, before the
 * triggers, to choose other settings.
 *
 * @example
 * new StageHttpApi(stack, 'StageHttpApi', { executionLogging: MethodLoggingLevel.INFO, tracing: true });
 */
export class StageHttpApi extends RestApi {
  /** The stack's HTTP API, found or created with the defaults. */
  public static of(scope: IConstruct): StageHttpApi {
    // The stack's one API, also for a function in a nested stack of functions.
    const stack = topLevelStack(scope);
    return apis.get(stack) ?? new StageHttpApi(stack, SHARED_HTTP_API_ID);
  }

  /** Where the access log lines go, unless access logging is off. */
  public readonly accessLogGroup?: ILogGroup;
  /** Where API Gateway's execution logs go, when stagegraph created their group. */
  public readonly executionLogGroup?: ILogGroup;
  private readonly stageResource: CfnStage;
  private hasPublicRoutes = false;
  private hasAuthorizerRoutes = false;
  /** True when the stage has no web ACL, accepted for cdk-nag while no route is public. */

  constructor(scope: Construct, id: string, props: StageHttpApiProps = {}) {
    const stack = Stack.of(scope);
    const accessLogging = props.accessLogging ?? true;
    const executionLogging = props.executionLogging ?? MethodLoggingLevel.ERROR;
    const logging = accessLogging || executionLogging !== MethodLoggingLevel.OFF;
    super(scope, id, {
      restApiName: `${stack.stackName}-http`,
      description: "HTTP triggers of the stack's functions",
      deployOptions: {
        stageName: HTTP_API_STAGE,
        loggingLevel: executionLogging,
        dataTraceEnabled: false,
        tracingEnabled: props.tracing ?? false,
      },
      cloudWatchRole: props.cloudWatchRole ?? logging,
    });
    const existing = apis.get(stack);
    if (existing) {
      throw new StageValidationError(
        this,
        `the stack already has an HTTP API, ${existing.node.path} (allowed: one per stack, created before its HTTP triggers)`,
      );
    }
    if (!Object.values(MethodLoggingLevel).includes(executionLogging)) {
      throw new StageValidationError(
        this,
        `executionLogging must be OFF, ERROR or INFO (given '${String(executionLogging)}')`,
      );
    }
    if (!accessLogging && (props.accessLogGroup || props.accessLogFormat)) {
      throw new StageValidationError(
        this,
        'accessLogging is false but accessLogGroup or accessLogFormat is given: choose one',
      );
    }
    const format = (props.accessLogFormat ?? AccessLogFormat.jsonWithStandardFields()).toString();
    if (!Token.isUnresolved(format) && !format.includes('$context.requestId')) {
      throw new StageValidationError(this, `accessLogFormat must hold $context.requestId (given ${format})`);
    }
    apis.set(stack, this);
    this.stageResource = this.deploymentStage.node.defaultChild as CfnStage;
    const retention = props.logRetention ?? RetentionDays.ONE_MONTH;

    if (accessLogging) {
      this.accessLogGroup =
        props.accessLogGroup ?? new LogGroup(this, 'AccessLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
      this.stageResource.accessLogSetting = { destinationArn: this.accessLogGroup.logGroupArn, format };
    }
    if (executionLogging !== MethodLoggingLevel.OFF) {
      // Created before the stage logs anything, so API Gateway does not create it without a retention.
      this.executionLogGroup = new LogGroup(this, 'ExecutionLogs', {
        logGroupName: Fn.join('', ['API-Gateway-Execution-Logs_', this.restApiId, `/${HTTP_API_STAGE}`]),
        retention,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      this.deploymentStage.node.addDependency(this.executionLogGroup);
    }
    if (props.webAclArn) {
      new CfnWebACLAssociation(this, 'WebAcl', {
        resourceArn: this.deploymentStage.stageArn,
        webAclArn: props.webAclArn,
      });
    } else {
      // Decided once every route is known, before a review's aspects run (cdk-nag 2 is an aspect too).
      Aspects.of(this).add(
        {
          visit: node => {
            if (node !== this.stageResource || this.hasPublicRoutes) return;
            acceptNagFindings(this.stageResource, [
              {
                id: 'AwsSolutions-APIG3',
                reason: this.hasAuthorizerRoutes ? NO_WAF_REASON_AUTHORIZERS : NO_WAF_REASON,
              },
            ]);
          },
        },
        { priority: AspectPriority.MUTATING },
      );
    }
    acceptNagFindings(this.node.defaultChild as CfnRestApi, [
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'Lambda proxy routes without request models: the function validates its input (a body validator without a model would refuse every body that is not a JSON object)',
      },
    ]);
    const cloudWatchRole = this.node.tryFindChild('CloudWatchRole')?.node.defaultChild;
    if (cloudWatchRole instanceof CfnRole) {
      acceptNagFindings(cloudWatchRole, [
        {
          id: 'AwsSolutions-IAM4',
          reason:
            "API Gateway's account-wide CloudWatch Logs role writes the logs of every REST API of the account and region: AWS's own policy for it",
          appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs'],
        },
      ]);
    }

    new CfnOutput(stack, HTTP_API_ID_OUTPUT, {
      value: this.restApiId,
      description: `The REST API of the stack's HTTP triggers; stage ${HTTP_API_STAGE}`,
    });
  }

  /**
   * Notes a route's authorization: an IAM or authorizer route accepts cdk-nag's Cognito rule; the stage
   * accepts having no web ACL only while no route is public.
   * @internal
   */
  public _noteRoute(method: CfnMethod, authorization: RouteAuthorization): void {
    if (authorization === 'iam') {
      acceptNagFindings(method, [
        { id: 'AwsSolutions-COG4', reason: 'The route requires IAM (SigV4) authorization, not a Cognito user pool' },
      ]);
    } else if (authorization === 'authorizer') {
      acceptNagFindings(method, [
        { id: 'AwsSolutions-COG4', reason: 'The route requires a Lambda or JWT authorizer, not a Cognito user pool' },
      ]);
      this.hasAuthorizerRoutes = true;
    } else {
      this.hasPublicRoutes = true;
    }
  }
}
