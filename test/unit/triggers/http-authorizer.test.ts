import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { IdentitySource } from 'aws-cdk-lib/aws-apigateway';
import { HttpAuth, HttpAuthorizer, HttpTrigger } from '../../../lib';
import { unbuiltStack } from '../../helpers';
import { fixtureFunction } from './helpers';

const JWT = { issuer: 'https://auth.example.com/', audience: ['orders'] };

describe('HttpAuthorizer.lambda', () => {
  let stack: Stack;
  beforeEach(() => {
    stack = unbuiltStack();
  });

  test("a REQUEST authorizer of the function, shared by its routes, with CUSTOM methods and API Gateway's permission", () => {
    // GIVEN
    const gate = fixtureFunction(stack, 'Gate');
    const authorizer = HttpAuthorizer.lambda(gate);

    // WHEN
    fixtureFunction(stack, 'Orders', {
      triggers: [
        new HttpTrigger({ path: '/orders', methods: ['GET', 'POST'], authorizer }),
        new HttpTrigger({ path: '/orders/{id}', authorizer: HttpAuthorizer.lambda(gate) }),
      ],
    });

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 300,
      AuthorizerUri: Match.objectLike({
        'Fn::Join': [
          '',
          Match.arrayWith([Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('^GateFunction'), 'Arn'] })]),
        ],
      }),
    });
    const methods = template.findResources('AWS::ApiGateway::Method', { Properties: { AuthorizationType: 'CUSTOM' } });
    expect(
      Object.values(methods)
        .map(m => (m.Properties as { HttpMethod: string }).HttpMethod)
        .sort(),
    ).toEqual(['ANY', 'GET', 'POST']);
    for (const method of Object.values(methods)) {
      expect(method.Properties.AuthorizerId).toEqual({
        Ref: expect.stringMatching(/^StageHttpApiAuthorizerStackGate/),
      });
    }
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GateFunction'), 'Arn'] },
      Principal: 'apigateway.amazonaws.com',
      SourceArn: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/authorizers/')])] }),
    });
  });

  test("identity sources and the cache time are the options'; no warning for a guarded route", () => {
    fixtureFunction(stack, 'Orders', {
      triggers: [
        new HttpTrigger({
          path: '/orders',
          authorizer: HttpAuthorizer.lambda(fixtureFunction(stack, 'Gate'), {
            identitySources: [IdentitySource.header('X-Api-Token'), IdentitySource.queryString('tenant')],
            resultsCacheTtl: Duration.seconds(0),
          }),
        }),
      ],
    });

    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Authorizer', {
      IdentitySource: 'method.request.header.X-Api-Token,method.request.querystring.tenant',
      AuthorizerResultTtlInSeconds: 0,
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test("for cdk-nag, a guarded route accepts the Cognito rule and keeps the stage's no-WAF acceptance, with the reason; a public route still withdraws it", () => {
    const gate = fixtureFunction(stack, 'Gate');
    fixtureFunction(stack, 'Orders', {
      triggers: [
        new HttpTrigger({ path: '/orders', authorizer: HttpAuthorizer.lambda(gate) }),
        new HttpTrigger({ path: '/iam' }),
      ],
    });
    // Decided at synthesis, once every route is known.
    const stageRules = (of: Stack) =>
      Object.values(Template.fromStack(of).findResources('AWS::ApiGateway::Stage'))[0].Metadata?.cdk_nag
        ?.rules_to_suppress ?? [];
    const guardedOnly = unbuiltStack();
    fixtureFunction(guardedOnly, 'Orders', {
      triggers: [
        new HttpTrigger({ path: '/orders', authorizer: HttpAuthorizer.lambda(fixtureFunction(guardedOnly, 'Gate')) }),
      ],
    });
    expect(stageRules(guardedOnly)).toEqual([
      {
        id: 'AwsSolutions-APIG3',
        reason: expect.stringMatching(/^Every route of the stage requires IAM \(SigV4\) or authorizer/),
      },
    ]);
    fixtureFunction(stack, 'Public', { triggers: [new HttpTrigger({ path: '/public', auth: HttpAuth.NONE })] });
    expect(stageRules(stack)).toEqual([]);
    const methods = Object.values(Template.fromStack(stack).findResources('AWS::ApiGateway::Method'));
    expect(
      methods
        .flatMap(m => (m.Metadata?.cdk_nag?.rules_to_suppress ?? []) as Array<{ reason: string }>)
        .map(r => r.reason),
    ).toEqual(
      expect.arrayContaining([
        'The route requires a Lambda or JWT authorizer, not a Cognito user pool',
        'The route requires IAM (SigV4) authorization, not a Cognito user pool',
      ]),
    );
  });

  test('fails if auth is given with an authorizer', () => {
    const gate = fixtureFunction(stack, 'Gate');

    expect(() =>
      fixtureFunction(stack, 'Orders', {
        triggers: [new HttpTrigger({ path: '/orders', auth: HttpAuth.NONE, authorizer: HttpAuthorizer.lambda(gate) })],
      }),
    ).toThrow(
      'HttpTrigger /orders: auth is HttpAuth.NONE and an authorizer, HttpAuthorizer.lambda(Stack/Gate), is given (allowed: an authorizer with auth left out, or auth without an authorizer) in Stack/Orders',
    );
  });

  test('fails if one function guards routes of the API with other options', () => {
    const gate = fixtureFunction(stack, 'Gate');
    fixtureFunction(stack, 'Orders', {
      triggers: [new HttpTrigger({ path: '/orders', authorizer: HttpAuthorizer.lambda(gate) })],
    });

    expect(() =>
      fixtureFunction(stack, 'Items', {
        triggers: [
          new HttpTrigger({
            path: '/items',
            authorizer: HttpAuthorizer.lambda(gate, { resultsCacheTtl: Duration.seconds(0) }),
          }),
        ],
      }),
    ).toThrow(
      /HttpAuthorizer.lambda\(Stack\/Gate\) guards routes of Stack\/StageHttpApi with other options \(given .*0\], already .*300\]; allowed: one set of options per function and API\) in Stack\/Gate$/,
    );
  });

  test.each([
    [
      { identitySources: ['Authorization'] },
      "identity source 'Authorization' is not allowed (allowed: method.request.header.<name>, method.request.querystring.<name>, stageVariables.<name>, context.<name>)",
    ],
    [{ resultsCacheTtl: Duration.hours(2) }, 'resultsCacheTtl must be whole seconds from 0 to 3600 (given 2 hours)'],
    [
      { identitySources: [] },
      'resultsCacheTtl is 300 s but no identity source is given (allowed: at least one identity source, or resultsCacheTtl Duration.seconds(0))',
    ],
  ])('fails if the options are %p', (options, message) => {
    const gate = fixtureFunction(stack, 'Gate');

    expect(() => HttpAuthorizer.lambda(gate, options)).toThrow(
      `HttpAuthorizer.lambda(Stack/Gate): ${message} in Stack/Gate`,
    );
  });
});

describe('HttpAuthorizer.jwt', () => {
  let stack: Stack;
  beforeEach(() => {
    stack = unbuiltStack();
  });

  test("stagegraph's JWT function on the newest Node.js, with the issuer's settings, behind a REQUEST authorizer", () => {
    fixtureFunction(stack, 'Orders', {
      triggers: [new HttpTrigger({ path: '/orders', authorizer: HttpAuthorizer.jwt(JWT) })],
    });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Environment: {
        Variables: {
          STAGEGRAPH_JWT_ISSUER: 'https://auth.example.com/',
          STAGEGRAPH_JWT_AUDIENCE: '["orders"]',
          STAGEGRAPH_JWT_JWKS_URI: 'https://auth.example.com/.well-known/jwks.json',
        },
      },
    });
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 300,
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: Match.stringLikeRegexp('^StageHttpApiJwtAuthorizer[0-9A-F]{16}$') },
    });
  });

  test('one function and authorizer per settings: routes with the same settings share them', () => {
    fixtureFunction(stack, 'Orders', {
      triggers: [
        new HttpTrigger({ path: '/orders', authorizer: HttpAuthorizer.jwt(JWT) }),
        new HttpTrigger({ path: '/orders/{id}', authorizer: HttpAuthorizer.jwt(JWT) }),
        new HttpTrigger({
          path: '/admin',
          authorizer: HttpAuthorizer.jwt({ ...JWT, audience: ['admin'], jwksUri: 'https://keys.example.com/jwks' }),
        }),
      ],
    });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 2);
    expect(
      Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs24.x' } })),
    ).toHaveLength(2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          STAGEGRAPH_JWT_AUDIENCE: '["admin"]',
          STAGEGRAPH_JWT_JWKS_URI: 'https://keys.example.com/jwks',
        }),
      },
    });
  });

  test.each([
    [{ ...JWT, issuer: ' ' }, "issuer must not be empty or blank (given ' ')"],
    [{ ...JWT, audience: [] }, 'audience must name at least one audience, none empty (given [])'],
    [
      { ...JWT, jwksUri: 'http://keys.example.com/jwks' },
      "jwksUri must be an https URL, or http to a loopback host for the local cloud (given 'http://keys.example.com/jwks')",
    ],
    [
      { ...JWT, resultsCacheTtl: Duration.millis(1500) },
      'resultsCacheTtl must be whole seconds from 0 to 3600 (given 1 second 500 millis)',
    ],
  ])('fails if the options are %p', (options, message) => {
    expect(() => HttpAuthorizer.jwt(options)).toThrow(`HttpAuthorizer.jwt(${options.issuer}): ${message}`);
  });

  test('a loopback http key set is allowed, for the local cloud', () => {
    expect(() => HttpAuthorizer.jwt({ ...JWT, jwksUri: 'http://127.0.0.1:4566/keys/jwks.json' })).not.toThrow();
  });
});
