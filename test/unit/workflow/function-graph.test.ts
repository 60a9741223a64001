import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LogLevel } from 'aws-cdk-lib/aws-stepfunctions';
import {
  CallbackNotify,
  Condition,
  Flow,
  FlowType,
  FunctionGraph,
  HttpAuth,
  HttpTrigger,
  ObsBucket,
  ObsTrigger,
  StageFunction,
  TimerTrigger,
  WaitTime,
} from '../../../lib';
import { FLOW_DIAGRAM_METADATA } from '../../../lib/workflow/function-graph-props';
import { functionNameIn, LAMBDA_ARN_PREFIX, unbuiltStack } from '../../helpers';
import { fixtureFunction } from '../triggers/helpers';
import { expectValidAsl } from './helpers';

/** Every state machine of the template, its DefinitionString joined back into ASL (tokens left as intrinsics). */
function definitionsOf(template: Template): Array<Record<string, unknown>> {
  return Object.values(template.findResources('AWS::StepFunctions::StateMachine')).map(resource => {
    const body = resource.Properties.DefinitionString as string | { 'Fn::Join': [string, unknown[]] };
    if (typeof body === 'string') return JSON.parse(body);
    // Intrinsics sit between string parts: the partition becomes 'aws', other values a sample ARN of
    // the kind the field they fill takes.
    let text = '';
    for (const part of body['Fn::Join'][1]) {
      if (typeof part === 'string') text += part;
      else if (JSON.stringify(part) === '{"Ref":"AWS::Partition"}') text += 'aws';
      else {
        const field = /"([A-Za-z]+)":"[^"]*$/.exec(text)?.[1];
        text +=
          field === 'TopicArn'
            ? 'arn:aws:sns:us-east-1:111111111111:sample'
            : field === 'StateMachineArn'
              ? 'arn:aws:states:us-east-1:111111111111:stateMachine:sample'
              : 'arn:aws:lambda:us-east-1:111111111111:function:sample';
      }
    }
    return JSON.parse(text);
  });
}

/** The statements of the one inline policy of a flow's role (`<flow>Role...`). */
function flowRoleStatements(template: Template, flowId: string): unknown[] {
  const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) =>
    id.startsWith(`${flowId}Role`),
  );
  expect(roles).toHaveLength(1);
  const policies = roles[0][1].Properties.Policies as Array<{
    PolicyName: string;
    PolicyDocument: { Statement: unknown[] };
  }>;
  expect(policies.map(p => p.PolicyName)).toEqual(['FunctionGraph']);
  return policies[0].PolicyDocument.Statement;
}

describe('FunctionGraph', () => {
  let stack: Stack;
  let extract: StageFunction;
  let store: StageFunction;
  beforeEach(() => {
    stack = unbuiltStack();
    extract = fixtureFunction(stack, 'Extract');
    store = fixtureFunction(stack, 'Store');
  });

  test("synthesizes a STANDARD state machine whose role may invoke exactly the flow's functions", () => {
    new FunctionGraph(stack, 'Pipeline', {
      definition: Flow.sequence(
        Flow.invoke('Extract', extract),
        Flow.parallel('Both', [Flow.invoke('Store', store), Flow.invoke('StoreAgain', store)]),
      ),
      comment: 'extract and store',
    });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'STANDARD' });
    // In the role's inline policy, after log delivery and X-Ray: no IAM policy resource.
    template.resourceCountIs('AWS::IAM::Policy', 0);
    expect(flowRoleStatements(template, 'Pipeline')).toContainEqual({
      Action: 'lambda:InvokeFunction',
      Effect: 'Allow',
      // Each function once, though Store is invoked by two nodes.
      Resource: [
        { 'Fn::GetAtt': [expect.stringMatching(/^StoreFunction/), 'Arn'] },
        { 'Fn::GetAtt': [expect.stringMatching(/^ExtractFunction/), 'Arn'] },
      ],
    });
    const [definition] = definitionsOf(template);
    expect(definition).toMatchObject({ Comment: 'extract and store', StartAt: 'Extract', TimeoutSeconds: 3600 });
    expectValidAsl(definition);
  });

  test('an EXPRESS flow has a 5 minute limit and can be started synchronously', () => {
    const flow = new FunctionGraph(stack, 'Quick', {
      definition: Flow.invoke('Extract', extract),
      type: FlowType.EXPRESS,
    });
    flow.grantStartExecution(store);

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'EXPRESS' });
    expect(definitionsOf(template)[0]).toMatchObject({ TimeoutSeconds: 300 });
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: Match.arrayWith([
        Match.objectLike({
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Action: ['states:StartExecution', 'states:StartSyncExecution'] }),
            ]),
          },
        }),
      ]),
    });
  });

  test('triggers start the flow through one starter function that may only start it', () => {
    const bucket = new ObsBucket(stack, 'Docs');
    const flow = new FunctionGraph(stack, 'Pipeline', {
      definition: Flow.invoke('Extract', extract),
      triggers: [new ObsTrigger(bucket, { prefix: 'incoming/' }), TimerTrigger.rate(Duration.hours(1))],
    });
    flow.addTrigger(new HttpTrigger({ path: '/documents', methods: ['POST'], auth: HttpAuth.NONE }));

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 3);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          STAGEGRAPH_BRIDGE: 'start',
          STAGEGRAPH_FLOW_ARN: { Ref: Match.stringLikeRegexp('^PipelineStateMachine') },
          STAGEGRAPH_FLOW_TYPE: 'STANDARD',
        },
      },
    });
    // The bucket names the starter by its ARN (written from its name).
    template.hasResourceProperties('AWS::S3::Bucket', {
      NotificationConfiguration: {
        LambdaConfigurations: [
          Match.objectLike({
            Function: {
              'Fn::Sub': `${LAMBDA_ARN_PREFIX}:function:${functionNameIn(template, 'PipelineStarter')}`,
            },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: Match.arrayWith([
        Match.objectLike({
          PolicyDocument: {
            Statement: Match.arrayWith([
              {
                Action: 'states:StartExecution',
                Effect: 'Allow',
                Resource: { Ref: Match.stringLikeRegexp('^PipelineStateMachine') },
              },
            ]),
          },
        }),
      ]),
    });
  });

  test('a flow with a callback gets a resume topic and a resumer that may only answer its tasks', () => {
    const requests = new Topic(stack, 'Requests');
    const flow = new FunctionGraph(stack, 'Approval', {
      definition: Flow.sequence(
        Flow.callback('Wait for approval', { notify: CallbackNotify.smn(requests) }),
        Flow.invoke('Store', store),
      ),
    });
    flow.addResumeTrigger(new HttpTrigger({ path: '/approvals', methods: ['POST'], auth: HttpAuth.NONE }));

    const template = Template.fromStack(stack);
    expect(flow.resumeTopic).toBeDefined();
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: Match.stringLikeRegexp('^ApprovalResumeTopic') },
      Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApprovalResumer'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: Match.arrayWith([
        Match.objectLike({
          PolicyDocument: {
            Statement: Match.arrayWith([
              {
                Action: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
                Effect: 'Allow',
                Resource: { Ref: Match.stringLikeRegexp('^ApprovalStateMachine') },
              },
            ]),
          },
        }),
      ]),
    });
    expect(flowRoleStatements(template, 'Approval')).toContainEqual({
      Action: 'sns:Publish',
      Effect: 'Allow',
      Resource: { Ref: expect.stringMatching(/^Requests/) },
    });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'approvals' });
    expectValidAsl(definitionsOf(template)[0]);
  });

  test('a subflow grants starting, watching and stopping the child flow', () => {
    const child = new FunctionGraph(stack, 'Child', { definition: Flow.invoke('Store', store) });
    new FunctionGraph(stack, 'Parent', {
      definition: Flow.sequence(Flow.invoke('Extract', extract), Flow.subflow('Run child', child)),
    });

    const template = Template.fromStack(stack);
    expect(flowRoleStatements(template, 'Parent')).toEqual(
      expect.arrayContaining([
        {
          Action: 'states:StartExecution',
          Effect: 'Allow',
          Resource: { Ref: expect.stringMatching(/^ChildStateMachine/) },
        },
        expect.objectContaining({ Action: ['states:DescribeExecution', 'states:StopExecution'] }),
        expect.objectContaining({ Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'] }),
      ]),
    );
    for (const definition of definitionsOf(template)) expectValidAsl(definition);
  });

  test('every state machine of a flow with every node kind validates with asl-validator', () => {
    const topic = new Topic(stack, 'T');
    const child = new FunctionGraph(stack, 'Child', { definition: Flow.pass('Inner') });
    new FunctionGraph(stack, 'Everything', {
      definition: Flow.sequence(
        Flow.invoke('Extract', extract, { resultPath: '$.text' }).retry({ errors: ['Flaky'] }),
        Flow.parallel(
          'Both',
          [
            Flow.invoke('A', store),
            Flow.forEach('Each', { itemsPath: '$.items', body: Flow.pass('Item'), maxConcurrency: 2 }),
          ],
          { resultPath: '$.both' },
        ).catch(Flow.fail('Broken', { error: 'Broken' })),
        Flow.choice('Decide')
          .when(Condition.numberLessThan('$.score', 0.5), Flow.callback('Ask', { notify: CallbackNotify.smn(topic) }))
          .otherwise(Flow.subflow('Sub', child)),
        Flow.sequence(
          Flow.wait('Pause', WaitTime.duration(Duration.seconds(5))),
          Flow.transform('Shape', { 'ok.$': '$.both' }),
        ).retry({ maxAttempts: 1 }),
        Flow.succeed('Done'),
      ),
    });

    const definitions = definitionsOf(Template.fromStack(stack));
    expect(definitions).toHaveLength(2);
    for (const definition of definitions) expectValidAsl(definition);
  });

  test('logs every event without data into a log group kept a month, and traces, by default', () => {
    new FunctionGraph(stack, 'Pipeline', { definition: Flow.invoke('Extract', extract) });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.stringLikeRegexp('^/aws/vendedlogs/states/Stack-Pipeline-[0-9A-F]{8}$'),
      RetentionInDays: 30,
    });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [
          {
            CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineLogs'), 'Arn'] } },
          },
        ],
      },
      TracingConfiguration: { Enabled: true },
    });
    // Log delivery and X-Ray take only Resource *: in the inline policy, and accepted for cdk-nag with the reason.
    expect(flowRoleStatements(template, 'Pipeline')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: expect.arrayContaining(['logs:CreateLogDelivery']), Resource: '*' }),
        expect.objectContaining({ Action: expect.arrayContaining(['xray:PutTraceSegments']), Resource: '*' }),
      ]),
    );
    template.hasResource('AWS::IAM::Role', {
      Metadata: {
        cdk_nag: { rules_to_suppress: [Match.objectLike({ id: 'AwsSolutions-IAM5', applies_to: ['Resource::*'] })] },
      },
    });
  });

  test("the state machine waits for its role through the role's ARN alone, with no DependsOn", () => {
    new FunctionGraph(stack, 'Pipeline', { definition: Flow.invoke('Extract', extract) });

    const machines = Object.values(Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine'));
    expect(machines[0].DependsOn).toBeUndefined();
    expect(machines[0].Properties.RoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PipelineRole/), 'Arn'] });
  });

  test('logging and tracing are options: a level, execution data, a group of yours, a retention, or off', () => {
    const group = new LogGroup(stack, 'Mine');
    new FunctionGraph(stack, 'Audited', {
      definition: Flow.invoke('Extract', extract),
      logging: { level: LogLevel.ERROR, includeExecutionData: true, logGroup: group },
      tracing: false,
    });
    new FunctionGraph(stack, 'Kept', {
      definition: Flow.invoke('Extract', extract),
      logging: { retention: RetentionDays.ONE_YEAR },
    });
    const quiet = new FunctionGraph(stack, 'Quiet', {
      definition: Flow.invoke('Extract', extract),
      logging: { level: LogLevel.OFF },
    });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: {
        Level: 'ERROR',
        IncludeExecutionData: true,
        Destinations: [
          { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Mine'), 'Arn'] } } },
        ],
      },
      TracingConfiguration: { Enabled: false },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.stringLikeRegexp('^/aws/vendedlogs/states/Stack-Kept-'),
      RetentionInDays: 365,
    });
    template.resourcePropertiesCountIs('AWS::StepFunctions::StateMachine', { LoggingConfiguration: Match.absent() }, 1);
    expect(quiet.logGroup).toBeUndefined();
    // Mine, and Kept's own: Audited and Quiet create none; the functions write to the stack's function log group.
    template.resourceCountIs('AWS::Logs::LogGroup', 2 + 1);
  });

  test('fails if logging.retention is given with a log group of yours', () => {
    expect(
      () =>
        new FunctionGraph(stack, 'Pipeline', {
          definition: Flow.invoke('Extract', extract),
          logging: { logGroup: new LogGroup(stack, 'Mine'), retention: RetentionDays.ONE_DAY },
        }),
    ).toThrow(
      /logging.retention applies to the log group stagegraph creates, not to the given logging.logGroup Stack\/Mine: set the retention on that group in Stack\/Pipeline$/,
    );
  });

  test('fails if logging is OFF but a log group or execution data is given', () => {
    expect(
      () =>
        new FunctionGraph(stack, 'Pipeline', {
          definition: Flow.invoke('Extract', extract),
          logging: { level: LogLevel.OFF, includeExecutionData: true },
        }),
    ).toThrow(
      /logging.level is OFF, so logging.logGroup and logging.includeExecutionData do nothing: leave them out or choose a level in Stack\/Pipeline$/,
    );
  });

  test("the resume topic refuses requests without TLS and is encrypted with SNS's AWS managed key, or a key of yours", () => {
    const key = new Key(stack, 'Key');
    const definition = Flow.callback('Wait', { notify: CallbackNotify.function(store) });
    new FunctionGraph(stack, 'Managed', { definition });
    new FunctionGraph(stack, 'Own', { definition, resumeTopicKey: key });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':alias/aws/sns$')])] },
    });
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
    });
    template.resourceCountIs('AWS::SNS::TopicPolicy', 2);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: Match.stringLikeRegexp('^ManagedResumeTopic') }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ],
      },
    });
  });

  test('fails if resumeTopicKey is given to a flow without a callback node', () => {
    expect(
      () =>
        new FunctionGraph(stack, 'Pipeline', {
          definition: Flow.invoke('Extract', extract),
          resumeTopicKey: new Key(stack, 'Key'),
        }),
    ).toThrow(
      /resumeTopicKey is given but the flow has no callback node, so it has no resume topic in Stack\/Pipeline$/,
    );
  });

  test('its starter and resumer run on Node.js 24, the newest that Lambda offers', () => {
    const flow = new FunctionGraph(stack, 'Approval', {
      definition: Flow.callback('Wait', { notify: CallbackNotify.function(store) }),
      triggers: [TimerTrigger.rate(Duration.hours(1))],
    });

    expect(
      flow.node
        .findAll()
        .filter((c): c is StageFunction => c instanceof StageFunction)
        .map(fn => [fn.node.id, fn.runtime.name]),
    ).toEqual([
      ['Resumer', 'nodejs24.x'],
      ['Starter', 'nodejs24.x'],
    ]);
  });

  test('records its diagram in the cloud assembly for `stagegraph graph`', () => {
    new FunctionGraph(stack, 'Pipeline', { definition: Flow.invoke('Extract', extract) });
    const entries = App.of(stack)!.synth().getStackByName('Stack').findMetadataByType(FLOW_DIAGRAM_METADATA);

    expect(entries).toEqual([expect.objectContaining({ path: '/Stack/Pipeline' })]);
    expect(entries[0].data).toMatchObject({
      title: 'Stack/Pipeline',
      nodes: expect.arrayContaining([
        expect.objectContaining({ label: 'Extract', kind: 'function', detail: 'Extract' }),
      ]),
    });
  });
});
