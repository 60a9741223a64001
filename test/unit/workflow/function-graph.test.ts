import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import {
  CallbackNotify, Condition, Flow, FLOW_DIAGRAM_METADATA, FlowType, FunctionGraph, HttpAuth, HttpTrigger, ObsBucket, ObsTrigger, StageFunction, TimerTrigger, WaitTime,
} from '../../../lib';
import { unbuiltStack } from '../../helpers';
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
        text += field === 'TopicArn' ? 'arn:aws:sns:us-east-1:111111111111:sample'
          : field === 'StateMachineArn' ? 'arn:aws:states:us-east-1:111111111111:stateMachine:sample'
            : 'arn:aws:lambda:us-east-1:111111111111:function:sample';
      }
    }
    return JSON.parse(text);
  });
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

  test('synthesizes a STANDARD state machine whose role may invoke exactly the flow\'s functions', () => {
    new FunctionGraph(stack, 'Pipeline', {
      definition: Flow.sequence(Flow.invoke('Extract', extract), Flow.parallel('Both', [Flow.invoke('Store', store), Flow.invoke('StoreAgain', store)])),
      comment: 'extract and store',
    });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'STANDARD' });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Action: 'lambda:InvokeFunction',
          Effect: 'Allow',
          // Each function once, though Store is invoked by two nodes.
          Resource: Match.exact([
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^StoreFunction'), 'Arn'] },
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^ExtractFunction'), 'Arn'] },
          ]),
        }],
      },
    });
    const [definition] = definitionsOf(template);
    expect(definition).toMatchObject({ Comment: 'extract and store', StartAt: 'Extract', TimeoutSeconds: 3600 });
    expectValidAsl(definition);
  });

  test('an EXPRESS flow has a 5 minute limit and can be started synchronously', () => {
    const flow = new FunctionGraph(stack, 'Quick', { definition: Flow.invoke('Extract', extract), type: FlowType.EXPRESS });
    flow.grantStartExecution(store);

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'EXPRESS' });
    expect(definitionsOf(template)[0]).toMatchObject({ TimeoutSeconds: 300 });
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: Match.arrayWith([Match.objectLike({
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['states:StartExecution', 'states:StartSyncExecution'] })]) },
      })]),
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
      Environment: { Variables: { STAGEGRAPH_BRIDGE: 'start', STAGEGRAPH_FLOW_ARN: { Ref: Match.stringLikeRegexp('^PipelineStateMachine') }, STAGEGRAPH_FLOW_TYPE: 'STANDARD' } },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      NotificationConfiguration: { LambdaConfigurations: [Match.objectLike({ Function: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineStarter'), 'Arn'] } })] },
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: Match.arrayWith([Match.objectLike({
        PolicyDocument: { Statement: Match.arrayWith([{ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('^PipelineStateMachine') } }]) },
      })]),
    });
  });

  test('a flow with a callback gets a resume topic and a resumer that may only answer its tasks', () => {
    const requests = new Topic(stack, 'Requests');
    const flow = new FunctionGraph(stack, 'Approval', {
      definition: Flow.sequence(Flow.callback('Wait for approval', { notify: CallbackNotify.smn(requests) }), Flow.invoke('Store', store)),
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
      Policies: Match.arrayWith([Match.objectLike({
        PolicyDocument: {
          Statement: Match.arrayWith([{
            Action: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'], Effect: 'Allow',
            Resource: { Ref: Match.stringLikeRegexp('^ApprovalStateMachine') },
          }]),
        },
      })]),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('^Requests') } }]) },
    });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'approvals' });
    expectValidAsl(definitionsOf(template)[0]);
  });

  test('a subflow grants starting, watching and stopping the child flow', () => {
    const child = new FunctionGraph(stack, 'Child', { definition: Flow.invoke('Store', store) });
    new FunctionGraph(stack, 'Parent', { definition: Flow.sequence(Flow.invoke('Extract', extract), Flow.subflow('Run child', child)) });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('^ChildStateMachine') } },
          Match.objectLike({ Action: ['states:DescribeExecution', 'states:StopExecution'] }),
          Match.objectLike({ Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'] }),
        ]),
      },
    });
    for (const definition of definitionsOf(template)) expectValidAsl(definition);
  });

  test('every state machine of a flow with every node kind validates with asl-validator', () => {
    const topic = new Topic(stack, 'T');
    const child = new FunctionGraph(stack, 'Child', { definition: Flow.pass('Inner') });
    new FunctionGraph(stack, 'Everything', {
      definition: Flow.sequence(
        Flow.invoke('Extract', extract, { resultPath: '$.text' }).retry({ errors: ['Flaky'] }),
        Flow.parallel('Both', [Flow.invoke('A', store), Flow.forEach('Each', { itemsPath: '$.items', body: Flow.pass('Item'), maxConcurrency: 2 })], { resultPath: '$.both' })
          .catch(Flow.fail('Broken', { error: 'Broken' })),
        Flow.choice('Decide').when(Condition.numberLessThan('$.score', 0.5), Flow.callback('Ask', { notify: CallbackNotify.smn(topic) })).otherwise(Flow.subflow('Sub', child)),
        Flow.sequence(Flow.wait('Pause', WaitTime.duration(Duration.seconds(5))), Flow.transform('Shape', { 'ok.$': '$.both' })).retry({ maxAttempts: 1 }),
        Flow.succeed('Done'),
      ),
    });

    const definitions = definitionsOf(Template.fromStack(stack));
    expect(definitions).toHaveLength(2);
    for (const definition of definitions) expectValidAsl(definition);
  });

  test('records its diagram in the cloud assembly for `stagegraph graph`', () => {
    new FunctionGraph(stack, 'Pipeline', { definition: Flow.invoke('Extract', extract) });
    const entries = App.of(stack)!.synth().getStackByName('Stack').findMetadataByType(FLOW_DIAGRAM_METADATA);

    expect(entries).toEqual([expect.objectContaining({ path: '/Stack/Pipeline' })]);
    expect(entries[0].data).toMatchObject({ title: 'Stack/Pipeline', nodes: expect.arrayContaining([expect.objectContaining({ label: 'Extract', kind: 'function', detail: 'Extract' })]) });
  });
});
