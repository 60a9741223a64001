import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aws, Duration, NestedStack, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, CfnFunction, LoggingFormat, Tracing } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { FunctionLogs, StageCode, StageFunction, StageLibrary } from '../../../lib';
import { FIXTURES, unbuiltStack } from '../../helpers';
import { nagFindings } from '../../nag-findings';

const nodeCode = () => StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs'));

describe('StageFunction', () => {
  let stack: Stack;
  beforeEach(() => {
    stack = unbuiltStack();
  });

  test('code and a memory size are all it needs: documented defaults fill the rest', () => {
    // GIVEN / WHEN
    const fn = new StageFunction(stack, 'Hello', { code: nodeCode(), memorySize: 256 });

    // THEN
    const template = Template.fromStack(stack);
    expect(fn.architecture).toBe(Architecture.X86_64);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 30,
      Architectures: ['x86_64'],
      TracingConfig: Match.absent(),
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StageDeadLetters'), 'Arn'] } },
    });
    // The name is the stack's, the path's and a hash: known before deployment.
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.stringLikeRegexp('^Stack-Hello-[0-9A-F]{8}$'),
    });
    // It writes to the stack's one log group, kept a month, made before it (its Ref).
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/lambda/Stack/functions',
      RetentionInDays: 30,
    });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^FunctionLogsGroup') }, LogFormat: Match.absent() },
    });
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
    });
  });

  test('synthesizes no custom resource and no separate IAM policy', () => {
    new StageFunction(stack, 'Hello', { code: nodeCode(), memorySize: 256 });

    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>;
    const types = Object.values(resources)
      .map(r => r.Type)
      .sort();
    expect(types).toEqual([
      'AWS::IAM::Role',
      'AWS::Lambda::Function',
      'AWS::Logs::LogGroup',
      'AWS::SQS::Queue',
      'AWS::SQS::QueuePolicy',
    ]);
  });

  test("the role may send to the dead-letter queue and write to its own streams of the stack's log group, inline", () => {
    new StageFunction(stack, 'Hello', { code: nodeCode(), memorySize: 256, functionName: 'hello' });

    const arn = (resource: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:logs:us-east-1:111111111111:log-group:${resource}`]],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: Match.absent(),
      Policies: [
        {
          PolicyName: 'StageFunction',
          PolicyDocument: {
            Statement: [
              {
                Action: 'sqs:SendMessage',
                Effect: 'Allow',
                Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StageDeadLetters'), 'Arn'] },
              },
              // Streams of any name in the group, but events only into those Lambda names after this function.
              { Action: 'logs:CreateLogStream', Effect: 'Allow', Resource: arn('/aws/lambda/Stack/functions:*') },
              {
                Action: 'logs:PutLogEvents',
                Effect: 'Allow',
                Resource: arn('/aws/lambda/Stack/functions:log-stream:*/hello[*'),
              },
            ],
          },
        },
      ],
    });
  });

  test('in a stack of no account and region, the two log ARNs are Fn::Sub strings of the same ARN', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const agnostic = new Stack(app, 'Agnostic');
    const nested = new NestedStack(agnostic, 'Nested');
    const regionOnly = new Stack(app, 'RegionOnly', { env: { region: 'eu-west-1' } });
    for (const scope of [agnostic, nested, regionOnly]) {
      new StageFunction(scope, 'Hello', { code: nodeCode(), memorySize: 256, functionName: `hello-${scope.node.id}` });
    }

    // The pseudo parameters CloudFormation substitutes, in formatArn's order: the same ARN as the Fn::Join before.
    const sub = (resource: string) => ({
      'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${resource}`,
    });
    const join = (resource: string) => ({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:', { Ref: 'AWS::AccountId' }, `:log-group:${resource}`],
      ],
    });
    const logStatements = (resource: (name: string) => object, group: string, name: string) => ({
      Policies: [
        {
          PolicyName: 'StageFunction',
          PolicyDocument: {
            Statement: Match.arrayWith([
              { Action: 'logs:CreateLogStream', Effect: 'Allow', Resource: resource(`${group}:*`) },
              { Action: 'logs:PutLogEvents', Effect: 'Allow', Resource: resource(`${group}:log-stream:*/${name}[*`) },
            ]),
          },
        },
      ],
    });
    Template.fromStack(agnostic).hasResourceProperties(
      'AWS::IAM::Role',
      logStatements(sub, '/aws/lambda/Agnostic/functions', 'hello-Agnostic'),
    );
    // A nested stack of it writes into the parent's group, with the same pseudo parameters.
    Template.fromStack(nested).hasResourceProperties(
      'AWS::IAM::Role',
      logStatements(sub, '/aws/lambda/Agnostic/functions', 'hello-Nested'),
    );
    // A region given is written as itself, as formatArn writes it.
    Template.fromStack(regionOnly).hasResourceProperties(
      'AWS::IAM::Role',
      logStatements(join, '/aws/lambda/RegionOnly/functions', 'hello-RegionOnly'),
    );
  });

  test('a function with its own retention or removal policy keeps a log group of its own', () => {
    new StageFunction(stack, 'Hello', {
      code: nodeCode(),
      memorySize: 256,
      functionName: 'hello',
      logRetention: RetentionDays.ONE_WEEK,
    });
    new StageFunction(stack, 'Kept', {
      code: nodeCode(),
      memorySize: 256,
      functionName: 'kept',
      logRemovalPolicy: RemovalPolicy.RETAIN,
    });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/hello', RetentionInDays: 7 });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: '/aws/lambda/kept', RetentionInDays: 30 },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'hello',
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^HelloLogGroup') } },
    });
    // The group's ARN, `arn:...:log-group:/aws/lambda/<name>:*`, covers its streams.
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: [
        {
          PolicyName: 'StageFunction',
          PolicyDocument: {
            Statement: Match.arrayWith([
              {
                Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                Effect: 'Allow',
                Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HelloLogGroup'), 'Arn'] },
              },
            ]),
          },
        },
      ],
    });
  });

  test('the functions of a stack share its log group, whose retention a FunctionLogs made first sets', () => {
    const logs = new FunctionLogs(stack, 'Logs', { retention: RetentionDays.ONE_WEEK });
    const one = new StageFunction(stack, 'One', {
      code: nodeCode(),
      memorySize: 128,
      loggingFormat: LoggingFormat.JSON,
    });
    const two = new StageFunction(stack, 'Two', { code: nodeCode(), memorySize: 128 });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/lambda/Stack/functions',
      RetentionInDays: 7,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^LogsGroup') }, LogFormat: 'JSON' },
    });
    expect(one.logGroup).toBe(logs.logGroup);
    expect(two.logGroup).toBe(logs.logGroup);
    expect(FunctionLogs.of(two)).toBe(logs);
  });

  test("with CDK's `useCdkManagedLogGroup` flag, the L2 function makes no log group of its own", () => {
    const flagged = new Stack(
      new App({ context: { '@aws-cdk/aws-lambda:useCdkManagedLogGroup': true, 'aws:cdk:bundling-stacks': [] } }),
      'Flagged',
      {
        env: { account: '111111111111', region: 'us-east-1' },
      },
    );
    new StageFunction(flagged, 'Hello', { code: nodeCode(), memorySize: 128 });
    new StageFunction(flagged, 'Own', { code: nodeCode(), memorySize: 128, logRetention: RetentionDays.ONE_DAY });

    const template = Template.fromStack(flagged);
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
  });

  test("cdk-nag 3 finds no IAM5 on a role's log statements, in a stack with an environment, one without, a nested one", () => {
    // The acceptances are the findings resolved once per stack with a stand-in name: cdk-nag itself checks them.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-nag-logs-'));
    try {
      const app = new App({ outdir: out, context: { 'aws:cdk:bundling-stacks': [] } });
      const top = new Stack(app, 'Top', { env: { account: '111111111111', region: 'eu-west-1' } });
      const agnostic = new Stack(app, 'Agnostic');
      const nested = new NestedStack(agnostic, 'Nested');
      const functions = [top, agnostic, nested].flatMap(scope =>
        ['One', 'Two'].map(id => new StageFunction(scope, id, { code: nodeCode(), memorySize: 128 })),
      );
      // A name known at deployment only: accepted by pattern, at validation.
      new StageFunction(agnostic, 'Named', {
        code: nodeCode(),
        memorySize: 128,
        functionName: `${Aws.STACK_NAME}-named`,
      });
      const iam5 = nagFindings(app).filter(finding => finding.endsWith(' AwsSolutions-IAM5'));
      expect(iam5).toEqual([]);
      // Each role's acceptance names its own function's streams, in its stack's group.
      for (const fn of functions) {
        const name = (fn.lambda.node.defaultChild as CfnFunction).functionName as string;
        const group = Stack.of(fn) === top ? 'Top' : 'Agnostic';
        const applies = FunctionLogs.of(fn).nagAcceptance(fn, name).appliesTo as string[];
        expect(applies).toEqual([
          expect.stringMatching(
            new RegExp(`^Resource::arn:<AWS::Partition>:logs:.+:log-group:/aws/lambda/${group}/functions:\\*$`),
          ),
          `${applies[0].slice(0, -1)}log-stream:*/${name}[*`,
        ]);
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  test("a FunctionLogs made in a nested stack fails naming it: the group is the top-level stack's", () => {
    const nested = new NestedStack(stack, 'Nested');

    expect(() => new FunctionLogs(nested, 'FunctionLogs')).toThrow(
      'a function log group belongs to a top-level stack, not the nested stack Stack/Nested in Stack/Nested/FunctionLogs',
    );
    // The functions of the nested stack still get the top-level stack's group.
    new StageFunction(nested, 'Fn', { code: nodeCode(), memorySize: 128 });
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/lambda/Stack/functions',
    });
  });

  test("the function waits for its role through the role's ARN alone, with no DependsOn", () => {
    new StageFunction(stack, 'Hello', { code: nodeCode(), memorySize: 256 });

    const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    expect(fn.DependsOn).toBeUndefined();
    expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^HelloServiceRole/), 'Arn'] });
  });

  test('the shared dead-letter queue refuses requests without TLS', () => {
    new StageFunction(stack, 'Hello', { code: nodeCode(), memorySize: 256 });

    Template.fromStack(stack).hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: Match.stringLikeRegexp('^StageDeadLetters') }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ],
      },
    });
  });

  test('functions of a stack share one dead-letter queue', () => {
    new StageFunction(stack, 'One', { code: nodeCode(), memorySize: 128 });
    new StageFunction(stack, 'Two', { code: nodeCode(), memorySize: 128 });

    Template.fromStack(stack).resourceCountIs('AWS::SQS::Queue', 1);
  });

  test('a given dead-letter queue is used instead of the shared one', () => {
    const queue = new Queue(stack, 'Mine');
    new StageFunction(stack, 'Hello', { code: nodeCode(), memorySize: 128, deadLetterQueue: queue });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Mine'), 'Arn'] } },
    });
  });

  test('the dead-letter queue can be switched off', () => {
    new StageFunction(stack, 'Hello', { code: nodeCode(), memorySize: 128, deadLetterQueueEnabled: false });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::Queue', 0);
    template.hasResourceProperties('AWS::Lambda::Function', { DeadLetterConfig: Match.absent() });
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: [
        {
          PolicyName: 'StageFunction',
          PolicyDocument: {
            Statement: [
              Match.objectLike({ Action: 'logs:CreateLogStream' }),
              Match.objectLike({ Action: 'logs:PutLogEvents' }),
            ],
          },
        },
      ],
    });
  });

  test('every optional setting reaches the template', () => {
    new StageFunction(stack, 'Hello', {
      code: nodeCode(),
      memorySize: 1024,
      timeout: Duration.seconds(900),
      architecture: Architecture.ARM_64,
      environment: { STAGE: 'test' },
      description: 'says hello',
      functionName: 'hello',
      logRetention: RetentionDays.ONE_WEEK,
      tracing: Tracing.ACTIVE,
    });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'hello',
      MemorySize: 1024,
      Timeout: 900,
      Architectures: ['arm64'],
      Environment: { Variables: { STAGE: 'test' } },
      Description: 'says hello',
      TracingConfig: { Mode: 'Active' },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/hello', RetentionInDays: 7 });
    // X-Ray takes only Resource *: inline, and accepted for cdk-nag with the reason.
    template.hasResource('AWS::IAM::Role', {
      Properties: {
        Policies: [
          {
            PolicyName: 'StageFunction',
            PolicyDocument: {
              Statement: Match.arrayWith([
                { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Effect: 'Allow', Resource: '*' },
              ]),
            },
          },
        ],
      },
      Metadata: {
        cdk_nag: { rules_to_suppress: [Match.objectLike({ id: 'AwsSolutions-IAM5', applies_to: ['Resource::*'] })] },
      },
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('async retries and event age become an event invoke config only when set', () => {
    new StageFunction(stack, 'Default', { code: nodeCode(), memorySize: 128 });
    new StageFunction(stack, 'Tuned', {
      code: nodeCode(),
      memorySize: 128,
      retryAttempts: 0,
      maxEventAge: Duration.minutes(5),
    });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^TunedFunction') },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 300,
      Qualifier: '$LATEST',
    });
  });

  test('reserved instances give a live alias with provisioned concurrency, created after the log group', () => {
    const fn = new StageFunction(stack, 'Hello', { code: nodeCode(), memorySize: 128, reservedInstances: 3 });
    new StageFunction(stack, 'Own', {
      code: nodeCode(),
      memorySize: 128,
      reservedInstances: 1,
      logRetention: RetentionDays.ONE_DAY,
    });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live',
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 3 },
    });
    // Each function refers to its group (the alias's version refers to the function).
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^FunctionLogsGroup') } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^OwnLogGroup') } },
    });
    expect(fn.invokeTarget).toBe(fn.alias);
  });

  test('libraries become layers of the function', () => {
    const library = new StageLibrary(stack, 'Shared', {
      code: StageCode.fromPython(path.join(FIXTURES, 'hello-python')),
    });
    new StageFunction(stack, 'Hello', {
      code: StageCode.fromPython(path.join(FIXTURES, 'hello-python')),
      memorySize: 128,
      libraries: [library],
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Layers: [{ Ref: Match.stringLikeRegexp('^SharedLayer') }],
    });
  });

  test("grants to the function, its role or its Lambda function land in the role's inline policy, with no IAM policy resource", () => {
    const fn = new StageFunction(stack, 'Hello', { code: nodeCode(), memorySize: 128 });
    const queue = new Queue(stack, 'Work');

    queue.grantSendMessages(fn);
    queue.grantPurge(fn.role);
    queue.grantConsumeMessages(fn.lambda);

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: [
        {
          PolicyName: 'StageFunction',
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Work'), 'Arn'] } }),
            ]),
          },
        },
      ],
    });
  });

  test('grantInvoke lets a role invoke the function', () => {
    const fn = new StageFunction(stack, 'Hello', { code: nodeCode(), memorySize: 128 });
    const caller = new Role(stack, 'Caller', { assumedBy: new ServicePrincipal('ec2.amazonaws.com') });

    fn.grantInvoke(caller);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Caller') }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'lambda:InvokeFunction' })] },
    });
  });

  test('metric methods name the Lambda metric, statistic and period', () => {
    const fn = new StageFunction(stack, 'Hello', { code: nodeCode(), memorySize: 128 });

    const metrics = [
      [fn.metricInvocations(), 'Invocations', 'Sum'],
      [fn.metricErrors(), 'Errors', 'Sum'],
      [fn.metricThrottles(), 'Throttles', 'Sum'],
      [fn.metricDurationMillis(), 'Duration', 'Average'],
      [fn.metricConcurrentExecutions(), 'ConcurrentExecutions', 'Maximum'],
    ] as const;
    for (const [metric, name, statistic] of metrics) {
      expect(metric.namespace).toBe('AWS/Lambda');
      expect(metric.metricName).toBe(name);
      expect(metric.statistic).toBe(statistic);
      expect(metric.period.toMinutes()).toBe(5);
      expect(stack.resolve(metric.dimensions)).toEqual({
        FunctionName: { Ref: expect.stringMatching(/^HelloFunction/) },
      });
    }
    expect(fn.metricDurationMillis({ statistic: 'p99' }).statistic).toBe('p99');
  });

  test('warns when native code is built for another CPU than this machine', () => {
    const other = process.arch === 'arm64' ? Architecture.X86_64 : Architecture.ARM_64;
    new StageFunction(stack, 'Go', {
      code: StageCode.fromGo(path.join(FIXTURES, 'hello-go')),
      memorySize: 128,
      architecture: other,
    });

    Annotations.fromStack(stack).hasWarning('/Stack/Go', Match.stringLikeRegexp('cannot run it in the local sandbox'));
  });

  describe('validation', () => {
    test.each([100, 127, 10241, 512.5, -1])('fails if memorySize is %p', memorySize => {
      expect(() => new StageFunction(stack, 'Bad', { code: nodeCode(), memorySize })).toThrow(
        `memorySize must be a whole number from 128 to 10240 MB (given ${memorySize}) in Stack/Bad`,
      );
    });

    test.each([128, 10240])('accepts memorySize %p', memorySize => {
      expect(() => new StageFunction(stack, 'Ok', { code: nodeCode(), memorySize })).not.toThrow();
    });

    test('fails if timeout is over 900 seconds', () => {
      expect(
        () => new StageFunction(stack, 'Bad', { code: nodeCode(), memorySize: 128, timeout: Duration.minutes(16) }),
      ).toThrow('timeout must be whole seconds from 1 to 900 seconds (given 16 minutes) in Stack/Bad');
    });

    test('fails if timeout is not whole seconds', () => {
      expect(
        () => new StageFunction(stack, 'Bad', { code: nodeCode(), memorySize: 128, timeout: Duration.millis(1500) }),
      ).toThrow('timeout must be whole seconds from 1 to 900 seconds (given 1 second 500 millis) in Stack/Bad');
    });

    test('fails if retryAttempts is over 2', () => {
      expect(() => new StageFunction(stack, 'Bad', { code: nodeCode(), memorySize: 128, retryAttempts: 3 })).toThrow(
        'retryAttempts must be a whole number from 0 to 2 retries (given 3) in Stack/Bad',
      );
    });

    test('fails if maxEventAge is under a minute', () => {
      expect(
        () => new StageFunction(stack, 'Bad', { code: nodeCode(), memorySize: 128, maxEventAge: Duration.seconds(30) }),
      ).toThrow('maxEventAge must be whole seconds from 60 to 21600 seconds (given 30 seconds) in Stack/Bad');
    });

    test('fails if reservedInstances is 0', () => {
      expect(
        () => new StageFunction(stack, 'Bad', { code: nodeCode(), memorySize: 128, reservedInstances: 0 }),
      ).toThrow('reservedInstances must be a whole number of at least 1 (given 0); leave it out for none in Stack/Bad');
    });

    test('fails if a dead-letter queue is given while switched off', () => {
      expect(
        () =>
          new StageFunction(stack, 'Bad', {
            code: nodeCode(),
            memorySize: 128,
            deadLetterQueueEnabled: false,
            deadLetterQueue: new Queue(stack, 'Q'),
          }),
      ).toThrow('deadLetterQueue is given but deadLetterQueueEnabled is false: choose one in Stack/Bad');
    });

    test('fails if given more than five libraries', () => {
      const code = StageCode.fromPython(path.join(FIXTURES, 'hello-python'));
      const libraries = [1, 2, 3, 4, 5, 6].map(i => new StageLibrary(stack, `Lib${i}`, { code }));
      expect(() => new StageFunction(stack, 'Bad', { code, memorySize: 128, libraries })).toThrow(
        'a function takes at most 5 libraries (given 6) in Stack/Bad',
      );
    });

    test('fails if a library is of another language', () => {
      const library = new StageLibrary(stack, 'Py', {
        code: StageCode.fromPython(path.join(FIXTURES, 'hello-python')),
      });
      expect(
        () => new StageFunction(stack, 'Bad', { code: nodeCode(), memorySize: 128, libraries: [library] }),
      ).toThrow(
        'library Stack/Py is built for python3.11, which cannot be used by nodejs22.x (allowed: a library of the same language) in Stack/Bad',
      );
    });
  });
});
