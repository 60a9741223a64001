import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { HttpAuth, HttpTrigger } from '../../../lib';
import { unbuiltStack } from '../../helpers';
import { fixtureFunction } from './helpers';

describe('HttpTrigger', () => {
  let stack: Stack;
  beforeEach(() => {
    stack = unbuiltStack();
  });

  test('routes share one REST API per stack, with proxy integrations, IAM auth by default and the URL as an output', () => {
    fixtureFunction(stack, 'Items', { triggers: [new HttpTrigger({ path: '/items/{id}', methods: ['GET', 'put'] })] });
    fixtureFunction(stack, 'Health', { triggers: [new HttpTrigger({ path: '/health', auth: HttpAuth.NONE })] });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.resourceCountIs('AWS::ApiGateway::Method', 3);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'AWS_IAM',
      Integration: Match.objectLike({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'ANY', AuthorizationType: 'NONE' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{id}' });
    template.hasOutput('*', {
      Value: { 'Fn::Join': ['', Match.arrayWith(['https://', { Ref: Match.stringLikeRegexp('^StageHttpApi') }])] },
    });
  });

  test('one permission per function for the whole API, however many routes', () => {
    const fn = fixtureFunction(stack, 'Items');
    fn.addTrigger(new HttpTrigger({ path: '/items', methods: ['GET', 'POST'] }));
    fn.addTrigger(new HttpTrigger({ path: '/items/{id}', methods: ['GET', 'DELETE'] }));

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'apigateway.amazonaws.com' });
  });

  test('auth NONE gets a warning; CORS adds a preflight', () => {
    fixtureFunction(stack, 'Public', {
      triggers: [
        new HttpTrigger({
          path: '/public',
          methods: ['GET'],
          auth: HttpAuth.NONE,
          cors: { allowOrigins: ['https://app.example.com'] },
        }),
      ],
    });

    Annotations.fromStack(stack).hasWarning(
      '/Stack/Public',
      Match.stringLikeRegexp('GET /public has no authorization'),
    );
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'OPTIONS',
      Integration: Match.objectLike({ Type: 'MOCK' }),
    });
  });

  test('fails if two functions take the same route and method', () => {
    fixtureFunction(stack, 'First', { triggers: [new HttpTrigger({ path: '/items', methods: ['GET'] })] });

    expect(() =>
      fixtureFunction(stack, 'Second', { triggers: [new HttpTrigger({ path: '/items', methods: ['GET'] })] }),
    ).toThrow(
      'GET /items is already routed to another function (allowed: one function per route and method) in Stack/Second',
    );
  });

  test.each([
    ['items', "path must start with / (given 'items')"],
    ['/items/{id', "path segment '{id' is not allowed (allowed: letters, digits, . _ -, or {name}, or a last {name+})"],
    ['/{proxy+}/more', 'a {name+} segment must be the last one'],
  ])('fails if the path is %p', (path, message) => {
    expect(() => new HttpTrigger({ path })).toThrow(`HttpTrigger ${path}: ${message}`);
  });

  test('fails if a method is unknown', () => {
    expect(() => new HttpTrigger({ path: '/items', methods: ['FETCH'] })).toThrow(
      "HttpTrigger /items: method 'FETCH' is not allowed (allowed: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY)",
    );
  });
});
