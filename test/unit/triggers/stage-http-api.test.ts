import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AccessLogFormat, MethodLoggingLevel } from 'aws-cdk-lib/aws-apigateway';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { HttpAuth, HttpTrigger, StageHttpApi } from '../../../lib';
import { unbuiltStack } from '../../helpers';
import { fixtureFunction } from './helpers';

/** The cdk-nag rules a resource's metadata accepts. */
function acceptedRules(resource: { Metadata?: { cdk_nag?: { rules_to_suppress: Array<{ id: string }> } } }): string[] {
  return resource.Metadata?.cdk_nag?.rules_to_suppress.map(rule => rule.id) ?? [];
}

describe('StageHttpApi', () => {
  let stack: Stack;
  beforeEach(() => {
    stack = unbuiltStack();
  });

  test("the first HTTP trigger creates it: access logs, execution logs at ERROR and the account's CloudWatch role, no tracing", () => {
    // GIVEN / WHEN
    fixtureFunction(stack, 'Items', { triggers: [new HttpTrigger({ path: '/items' })] });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'live',
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StageHttpApiAccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
      MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'ERROR', DataTraceEnabled: false }],
      TracingEnabled: false,
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30, LogGroupName: Match.absent() });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: {
        'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: Match.stringLikeRegexp('^StageHttpApi') }, '/live']],
      },
      RetentionInDays: 30,
    });
    // The stage logs only once its execution log group exists with a retention and the account has the role.
    template.hasResource('AWS::ApiGateway::Stage', {
      DependsOn: Match.arrayWith([
        Match.stringLikeRegexp('^StageHttpApiAccount'),
        Match.stringLikeRegexp('^StageHttpApiExecutionLogs'),
      ]),
    });
    template.hasResourceProperties('AWS::ApiGateway::Account', {
      CloudWatchRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StageHttpApiCloudWatchRole'), 'Arn'] },
    });
    template.hasResource('AWS::IAM::Role', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ ManagedPolicyArns: Match.anyValue() }),
    });
    template.hasOutput('StageHttpApiId', { Value: { Ref: Match.stringLikeRegexp('^StageHttpApi') } });
  });

  test("created first, it takes the stack's settings: tracing, INFO logs, a log group of yours, a retention", () => {
    const accessLogs = new LogGroup(stack, 'Access');
    const api = new StageHttpApi(stack, 'Api', {
      tracing: true,
      executionLogging: MethodLoggingLevel.INFO,
      accessLogGroup: accessLogs,
      logRetention: RetentionDays.ONE_WEEK,
    });
    fixtureFunction(stack, 'Items', { triggers: [new HttpTrigger({ path: '/items' })] });

    const template = Template.fromStack(stack);
    expect(StageHttpApi.of(stack)).toBe(api);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Access'), 'Arn'] },
        Format: Match.anyValue(),
      },
      MethodSettings: [Match.objectLike({ LoggingLevel: 'INFO' })],
      TracingEnabled: true,
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
      RetentionInDays: 7,
    });
  });

  test('with both logs off, it needs no CloudWatch role', () => {
    new StageHttpApi(stack, 'StageHttpApi', { accessLogging: false, executionLogging: MethodLoggingLevel.OFF });
    fixtureFunction(stack, 'Items', { triggers: [new HttpTrigger({ path: '/items' })] });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    template.hasResourceProperties('AWS::ApiGateway::Stage', { AccessLogSetting: Match.absent() });
  });

  test('accepts for cdk-nag, with reasons, what an IAM-authorized API has by design; a public route withdraws the WAF acceptance', () => {
    const privateOnly = unbuiltStack();
    fixtureFunction(privateOnly, 'Private', { triggers: [new HttpTrigger({ path: '/private' })] });
    expect(
      acceptedRules(Object.values(Template.fromStack(privateOnly).findResources('AWS::ApiGateway::Stage'))[0]),
    ).toEqual(['AwsSolutions-APIG3']);

    fixtureFunction(stack, 'Private', { triggers: [new HttpTrigger({ path: '/private' })] });
    fixtureFunction(stack, 'Public', { triggers: [new HttpTrigger({ path: '/public', auth: HttpAuth.NONE })] });

    const template = Template.fromStack(stack);
    expect(acceptedRules(Object.values(template.findResources('AWS::ApiGateway::Stage'))[0])).toEqual([]);
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods.map(m => [m.Properties.AuthorizationType, acceptedRules(m)])).toEqual(
      expect.arrayContaining([
        ['AWS_IAM', ['AwsSolutions-COG4']],
        ['NONE', []],
      ]),
    );
    expect(acceptedRules(Object.values(template.findResources('AWS::ApiGateway::RestApi'))[0])).toEqual([
      'AwsSolutions-APIG2',
    ]);
  });

  test('a web ACL of yours is associated with the stage', () => {
    new StageHttpApi(stack, 'StageHttpApi', {
      webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:regional/webacl/api/1234',
    });
    fixtureFunction(stack, 'Items', { triggers: [new HttpTrigger({ path: '/items', auth: HttpAuth.NONE })] });

    Template.fromStack(stack).hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: 'arn:aws:wafv2:us-east-1:111111111111:regional/webacl/api/1234',
      ResourceArn: Match.anyValue(),
    });
  });

  test('fails if the stack already has one', () => {
    fixtureFunction(stack, 'Items', { triggers: [new HttpTrigger({ path: '/items' })] });

    expect(() => new StageHttpApi(stack, 'Late')).toThrow(
      'the stack already has an HTTP API, Stack/StageHttpApi (allowed: one per stack, created before its HTTP triggers) in Stack/Late',
    );
  });

  test('fails if the access log format has no request id', () => {
    expect(
      () => new StageHttpApi(stack, 'Api', { accessLogFormat: AccessLogFormat.custom('$context.status') }),
    ).toThrow('accessLogFormat must hold $context.requestId (given $context.status) in Stack/Api');
  });

  test('fails if access logging is off but a log group is given', () => {
    expect(
      () => new StageHttpApi(stack, 'Api', { accessLogging: false, accessLogGroup: new LogGroup(stack, 'Access') }),
    ).toThrow('accessLogging is false but accessLogGroup or accessLogFormat is given: choose one in Stack/Api');
  });
});
