import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  BillingMeter,
  HttpAuth,
  HttpTrigger,
  DmsTrigger,
  Flow,
  FunctionGraph,
  ObsBucket,
  ObsTrigger,
  SmnTrigger,
  StageCode,
  StageFunction,
} from '../../../lib';
import { summarizeAssembly } from '../../../lib/app/assembly';
import { assemblyResources } from '../../../lib/app/send';
import { NESTED_FUNCTION_STACKS } from '../../../lib/function/placement';
import { FIXTURES } from '../../helpers';

// Past CloudFormation's 500 resources per stack: with the one opt-in (a context value), a stack's functions and
// their triggers' resources go into nested stacks of the stack, the user's code unchanged.

function bigApp(functions: number, stacks: unknown, outdir?: string, skip?: number) {
  const app = new App({
    ...(outdir ? { outdir } : {}),
    context: {
      [NESTED_FUNCTION_STACKS]: stacks,
      'aws:cdk:bundling-stacks': [],
      'aws:cdk:enable-path-metadata': true,
    },
  });
  const stack = new Stack(app, 'Big');
  const bucket = new ObsBucket(stack, 'Uploads');
  const topic = new Topic(stack, 'Events');
  const service = new Construct(stack, 'Service');
  const fns = Array.from({ length: functions }, (_, i) => i)
    .filter(i => i !== skip)
    .map(
      i =>
        new StageFunction(i % 2 === 0 ? stack : service, `Fn${i}`, {
          code: StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs')),
          memorySize: 256,
          triggers: [
            new ObsTrigger(bucket, { prefix: `fn${i}/` }),
            new SmnTrigger(topic),
            new DmsTrigger(new Queue(stack, `Queue${i}`)),
          ],
        }),
    );
  new FunctionGraph(stack, 'Flow', {
    definition: Flow.sequence(
      Flow.invoke('Step0', fns[0]),
      Flow.invoke('Step1', fns[1 % functions]),
      Flow.invoke('Step2', fns[2 % functions]),
      Flow.succeed('Done'),
    ),
  });
  return { app, stack, fns };
}

test('functions, their roles, log groups and triggers go into the nested stacks their paths hash to', () => {
  const { stack, fns } = bigApp(10, 3);

  const nested = stack.node.children.filter((c): c is NestedStack => c instanceof NestedStack);
  expect(nested.map(n => n.node.id).sort()).toEqual(['Functions1', 'Functions2', 'Functions3']);
  // The user's construct path stays in the id: Service/Fn1 is Functions<n>/Service.Fn1.
  expect(fns[1].node.path).toMatch(/^Big\/Functions[123]\/Service\.Fn1$/);
  for (const fn of fns) expect(fn.node.path).toMatch(/^Big\/Functions[123]\/(Service\.)?Fn\d$/);
  const parent = Template.fromStack(stack);
  parent.resourceCountIs('AWS::Lambda::Function', 0);
  parent.resourceCountIs('AWS::CloudFormation::Stack', 3);
  const functionsIn = (n: NestedStack) => Template.fromStack(n).findResources('AWS::Lambda::Function');
  expect(nested.map(n => Object.keys(functionsIn(n)).length).reduce((a, b) => a + b)).toBe(10);
  const first = Template.fromStack(nested[0]);
  const count = Object.keys(functionsIn(nested[0])).length;
  first.resourceCountIs('AWS::Lambda::EventSourceMapping', count);
  first.resourceCountIs('AWS::SNS::Subscription', count);
});

test('adding or removing a function moves no other one', () => {
  const all = bigApp(12, 4).fns.map(fn => fn.node.path);
  const without = bigApp(12, 4, undefined, 5).fns.map(fn => fn.node.path);
  expect(without).toEqual(all.filter((_, i) => i !== 5));
});

test("HTTP triggers share the stack's one API, and a flow's own functions stay with the flow (no cycle)", () => {
  const app = new App({ context: { [NESTED_FUNCTION_STACKS]: 2, 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Web');
  const bucket = new ObsBucket(stack, 'Inbox');
  const fns = [0, 1, 2].map(
    i =>
      new StageFunction(stack, `Route${i}`, {
        code: StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs')),
        memorySize: 128,
        triggers: [new HttpTrigger({ path: `/r${i}`, auth: HttpAuth.NONE })],
      }),
  );
  new FunctionGraph(stack, 'Flow', {
    definition: Flow.sequence(Flow.invoke('A', fns[0]), Flow.succeed('Done')),
    triggers: [new ObsTrigger(bucket, { prefix: 'in/' })],
  });

  // Template.fromStack checks that the template has no cycle.
  const parent = Template.fromStack(stack);
  parent.resourceCountIs('AWS::ApiGateway::RestApi', 1);
  parent.resourceCountIs('AWS::Lambda::Function', 1); // the flow's starter
  for (const nested of stack.node.children.filter((c): c is NestedStack => c instanceof NestedStack)) {
    Template.fromStack(nested).resourceCountIs('AWS::ApiGateway::RestApi', 0);
  }
});

test('without the opt-in nothing moves', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Small');
  const fn = new StageFunction(stack, 'Fn', {
    code: StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs')),
    memorySize: 128,
  });
  expect(fn.node.path).toBe('Small/Fn');
  Template.fromStack(stack).resourceCountIs('AWS::CloudFormation::Stack', 0);
});

test('a value that is not a whole number of nested stacks from 1 to 100 is refused with the construct path', () => {
  for (const bad of [0, 101, 2.5, 'many']) {
    expect(() => bigApp(1, bad)).toThrow(
      new RegExp(
        `the context ${NESTED_FUNCTION_STACKS} must be a whole number of nested stacks from 1 to 100 \\(given ${JSON.stringify(bad)}\\) in Big`,
      ),
    );
  }
  // A value from cdk.json's context may be a string.
  expect(() => bigApp(1, '40')).not.toThrow();
});

test('200 functions with three triggers each and a flow synthesize past 500 resources; each stack stays below it', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-nested-'));
  try {
    const { app } = bigApp(200, 5, out);
    app.synth();
    const summary = summarizeAssembly(out);

    expect(summary.functions.filter(f => !f.internal)).toHaveLength(200);
    // 7 resources a function (role, function, two permissions, subscription, mapping, queue) and the app's own.
    expect(summary.resourceCount).toBeGreaterThan(1400);
    expect(summary.stackResourceCounts.Big).toBeLessThan(500);
    const nestedFiles = fs.readdirSync(out).filter(f => f.endsWith('.nested.template.json'));
    expect(nestedFiles).toHaveLength(5);
    for (const file of nestedFiles) {
      const template = JSON.parse(fs.readFileSync(path.join(out, file), 'utf-8')) as {
        Resources: object;
        Parameters?: object;
        Outputs?: object;
      };
      expect(Object.keys(template.Resources).length).toBeLessThan(500);
      expect(Object.keys(template.Parameters ?? {}).length).toBeLessThanOrEqual(200);
      expect(Object.keys(template.Outputs ?? {}).length).toBeLessThanOrEqual(200);
    }
    // Each function is found below its nested stack, by its construct path.
    const fn7 = summary.functions.find(f => /^Big\/Functions\d\/Service\.Fn7$/.test(f.id));
    expect(fn7?.nested).toEqual([expect.stringMatching(/^Functions\dNestedStack/)]);
    const queues = assemblyResources(out, ['AWS::SQS::Queue']);
    expect(queues.find(q => q.id === 'Big/Queue7')?.nested).toEqual([]);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('a function whose dotted id would collide with another construct path once nested is refused, naming both', () => {
  const app = new App({ context: { [NESTED_FUNCTION_STACKS]: 3, 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Shop');
  const code = StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs'));
  new StageFunction(new Construct(stack, 'Api'), 'Handler', { code, memorySize: 128 });
  expect(() => new StageFunction(stack, 'Api.Handler', { code, memorySize: 128 })).toThrow(
    /the function Api\.Handler would be Api\.Handler in a nested stack of functions, as Shop\/Api\/Handler is: rename one/,
  );
});

test('a nested stack past 200 parameters is refused at synth, naming it, the count and the context to raise', () => {
  // 70 functions in one nested stack, each reading three attributes of a queue of its own in the stack: 210
  // parameters, about 210 resources
  const appOf = (nestedStacks: number) => {
    const app = new App({ context: { [NESTED_FUNCTION_STACKS]: nestedStacks, 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Big');
    for (let i = 0; i < 70; i++) {
      const queue = new Queue(stack, `Queue${i}`);
      new StageFunction(stack, `Fn${i}`, {
        code: StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs')),
        memorySize: 128,
        environment: { URL: queue.queueUrl, ARN: queue.queueArn, NAME: queue.queueName },
      });
    }
    return app;
  };
  expect(() => appOf(1).synth()).toThrow(
    /\[Big\/Functions1\] this nested stack of functions has \d{3} parameters, and CloudFormation allows 200 per template: spread the functions over more nested stacks \(the context stagegraph:nestedFunctionStacks is 1, at most 100\)/,
  );
  // spread over two, each stays within the limits
  expect(() => appOf(2).synth()).not.toThrow();
});

test("a metered function in a nested stack is metered by its stack's meter", () => {
  const { stack } = bigApp(3, 2);
  new BillingMeter(stack, 'Meter');
  const parent = Template.fromStack(stack);
  // The functions of the nested stacks write to the parent's function log group, which the meter subscribes once.
  parent.resourceCountIs('AWS::Logs::SubscriptionFilter', 1);
  parent.resourcePropertiesCountIs('AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/Big/functions' }, 1);
  const nested = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
  expect(nested.length).toBeGreaterThan(0);
  for (const child of nested) {
    Template.fromStack(child).allResourcesProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('FunctionLogsGroup') } },
    });
  }
});

describe('cfn-lint', () => {
  const installed = spawnSync('python3', ['-c', 'import cfnlint.runner'], { encoding: 'utf-8' }).status === 0;
  const lint = installed || process.env.CI ? test : test.skip;
  lint('the parent and nested templates of 40 functions have no error and no warning', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-nested-lint-'));
    try {
      bigApp(40, 2, out).app.synth();
      const templates = fs
        .readdirSync(out)
        .filter(f => f.endsWith('.template.json'))
        .map(f => path.join(out, f));
      const result = spawnSync(
        'python3',
        ['-c', 'import sys; from cfnlint.runner import main; sys.exit(main())', ...templates],
        { encoding: 'utf-8' },
      );
      expect(`${result.stdout}${result.stderr}`.trim()).toBe('');
      expect(result.status).toBe(0);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
