import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, DefaultStackSynthesizer, Duration, Stack } from 'aws-cdk-lib';
import { Stream, StreamEncryption } from 'aws-cdk-lib/aws-kinesis';
import { Runtime, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import {
  acceptNagFindings,
  BillingMeter,
  CallbackNotify,
  DisTrigger,
  DmsTrigger,
  Flow,
  FunctionGraph,
  HttpAuthorizer,
  HttpTrigger,
  ObsBucket,
  ObsTrigger,
  SmnTrigger,
  StageCode,
  StageFunction,
  StageLibrary,
  TimerTrigger,
  NagAcceptance,
} from '../../lib';
import { synthesizeApp } from '../../lib/app/synth';
import { FIXTURES } from '../helpers';
import { nagFindings } from '../nag-findings';

// The templates as a review sees them: cdk-nag's AwsSolutions rules and cfn-lint over the example app of
// bin/app.ts (the example app, synthesized as `stagegraph graph` does, without building any code) and over an app that
// uses every construct with its defaults.
jest.setTimeout(180_000);

const ROOT = path.join(__dirname, '..', '..');
/** The cfn-lint that .ci/run installs. */
const CFN_LINT = 'cfn-lint==1.58.0';
let outdir: string;
let exampleTemplate: string;

beforeAll(async () => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-review-'));
  const { assemblyDir } = await synthesizeApp({ projectDir: ROOT, outdir, skipBuilds: true });
  exampleTemplate = path.join(assemblyDir, 'StagegraphExample.template.json');
});

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

interface Resources {
  readonly Resources: Record<
    string,
    {
      readonly Type: string;
      readonly Metadata?: { readonly cdk_nag?: { readonly rules_to_suppress: Array<{ id: string; reason: string }> } };
    }
  >;
}

/**
 * An app that uses every construct with its defaults; the resources it makes itself (topic, queue, stream) are
 * compliant.
 */
function everyConstructApp(runtime: Runtime | undefined): { readonly app: App; readonly stack: Stack } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Defaults');
  const code = () => StageCode.fromNodejs(path.join(FIXTURES, 'hello-nodejs'), { runtime });
  const bucket = new ObsBucket(stack, 'Uploads');
  const topic = new Topic(stack, 'Events', { enforceSSL: true });
  const failed = new Queue(stack, 'Failed', { enforceSSL: true });
  const queue = new Queue(stack, 'Work', {
    enforceSSL: true,
    visibilityTimeout: Duration.minutes(1),
    deadLetterQueue: { queue: failed, maxReceiveCount: 3 },
  });
  const stream = new Stream(stack, 'Telemetry', { encryption: StreamEncryption.MANAGED });
  const library = new StageLibrary(stack, 'Shared', {
    code: StageCode.fromNodejs(path.join(FIXTURES, 'library-nodejs'), { runtime }),
  });
  const worker = new StageFunction(stack, 'Worker', {
    code: code(),
    memorySize: 256,
    libraries: [library],
    triggers: [
      new ObsTrigger(bucket, { prefix: 'uploads/' }),
      new SmnTrigger(topic),
      new HttpTrigger({ path: '/items' }),
      new DisTrigger(stream, { startingPosition: StartingPosition.TRIM_HORIZON }),
      new DmsTrigger(queue),
      TimerTrigger.rate(Duration.minutes(5)),
    ],
  });
  const approver = new StageFunction(stack, 'Approver', { code: code(), memorySize: 128 });
  worker.addTrigger(new HttpTrigger({ path: '/guarded', authorizer: HttpAuthorizer.lambda(approver) }));
  worker.addTrigger(
    new HttpTrigger({
      path: '/claims',
      authorizer: HttpAuthorizer.jwt({ issuer: 'https://auth.example.com/', audience: ['api'] }),
    }),
  );
  const child = new FunctionGraph(stack, 'Child', { definition: Flow.invoke('Work', worker) });
  const flow = new FunctionGraph(stack, 'Flow', {
    definition: Flow.sequence(
      Flow.invoke('Work', worker),
      Flow.callback('Approve', { notify: CallbackNotify.function(approver) }),
      Flow.subflow('Child', child),
      Flow.notify('Tell', topic),
    ),
    triggers: [new ObsTrigger(bucket, { prefix: 'documents/' })],
  });
  flow.addResumeTrigger(new HttpTrigger({ path: '/approvals', methods: ['POST'] }));
  new BillingMeter(stack, 'Billing', { budget: { limitUsd: 1 } });
  return { app, stack };
}

/** The rules stagegraph accepts on its own resources, as `resource type rule`, each with a reason. */
function acceptances(template: Resources): string[] {
  return Object.values(template.Resources)
    .flatMap(resource =>
      (resource.Metadata?.cdk_nag?.rules_to_suppress ?? []).map(rule => {
        expect(rule.reason.length).toBeGreaterThan(30);
        return `${resource.Type} ${rule.id}`;
      }),
    )
    .sort();
}

describe('cdk-nag AwsSolutions', () => {
  test('an app of every construct with its defaults has no finding, and no custom resource', () => {
    // GIVEN functions on the newest Node.js (the runtime is the app's choice: see the next test)
    const { app } = everyConstructApp(Runtime.NODEJS_24_X);

    // WHEN
    const findings = nagFindings(app);

    // THEN
    expect(findings).toEqual([]);
    const template = app.synth().getStackByName('Defaults').template as Resources;
    expect(
      Object.values(template.Resources).filter(
        r => r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource',
      ),
    ).toEqual([]);
    // What stagegraph accepts on its own resources: what AWS imposes (Resource * of log delivery, X-Ray,
    // PutMetricData and subflow executions, a pattern of stream names; API Gateway's account role), IAM or an
    // authorizer instead of Cognito, no WAF while every route needs IAM or an authorizer, and no body validator on
    // proxy routes.
    expect(acceptances(template)).toEqual([
      'AWS::ApiGateway::Method AwsSolutions-COG4',
      'AWS::ApiGateway::Method AwsSolutions-COG4',
      'AWS::ApiGateway::Method AwsSolutions-COG4',
      'AWS::ApiGateway::Method AwsSolutions-COG4',
      'AWS::ApiGateway::RestApi AwsSolutions-APIG2',
      'AWS::ApiGateway::Stage AwsSolutions-APIG3',
      'AWS::IAM::Role AwsSolutions-IAM4',
      // Each function's role (6): its own streams of the stack's function log group, `log-stream:*/<name>[*`.
      ...Array<string>(4 + 6).fill('AWS::IAM::Role AwsSolutions-IAM5'),
    ]);
  });

  test("with StageCode's default runtimes, the only findings are L1 on the app's own functions", () => {
    const { app } = everyConstructApp(undefined);

    expect(nagFindings(app)).toEqual([
      '/Defaults/Worker/Function/Resource AwsSolutions-L1',
      '/Defaults/Approver/Function/Resource AwsSolutions-L1',
    ]);
  });

  test('the example app has no finding but those bin/example/app.ts accepts with a reason, and no custom resource', () => {
    // GIVEN its synthesized template, loaded into a stack that cdk-nag can visit
    const app = new App();
    const stack = new Stack(app, 'Example', {
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    });
    const included = new CfnInclude(stack, 'Template', { templateFile: exampleTemplate });
    // A template carries its acceptances as `cdk_nag` metadata (what cdk-nag 2 reads); cdk-nag 3 reads CDK
    // acknowledgments of the constructs, which a template does not keep: recorded again from the metadata.
    for (const resource of included.node.findAll().filter(CfnResource.isCfnResource)) {
      const rules =
        (
          resource.getMetadata('cdk_nag') as
            | { rules_to_suppress?: Array<{ id: string; reason: string; applies_to?: NagAcceptance['appliesTo'] }> }
            | undefined
        )?.rules_to_suppress ?? [];
      acceptNagFindings(
        resource,
        rules.map(rule => ({
          id: rule.id,
          reason: rule.reason,
          ...(rule.applies_to ? { appliesTo: rule.applies_to } : {}),
        })),
      );
    }

    // WHEN / THEN
    expect(nagFindings(app)).toEqual([]);
    expect(fs.readFileSync(exampleTemplate, 'utf-8')).not.toMatch(/"Custom::|AWS::CloudFormation::CustomResource/);
  });
});

describe('cfn-lint', () => {
  const installed = spawnSync('python3', ['-c', 'import cfnlint.runner'], { encoding: 'utf-8' }).status === 0;
  const ci = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
  const hint = `python3 -m pip install ${CFN_LINT}`;
  const lint = installed || ci ? test : test.skip;

  lint(
    `the example app's template has no error and no warning${installed || ci ? '' : ` (skipped: cfn-lint is not installed; ${hint})`}`,
    () => {
      if (!installed) throw new Error(`cfn-lint is not installed, and CI is set: .ci/run installs it with ${hint}`);
      // `python3 -m cfnlint` has no __main__ module: run the entry point of the cfn-lint command.
      const result = spawnSync(
        'python3',
        ['-c', 'import sys; from cfnlint.runner import main; sys.exit(main())', exampleTemplate],
        { encoding: 'utf-8' },
      );

      expect(`${result.stdout}${result.stderr}`.trim()).toBe('');
      expect(result.status).toBe(0);
    },
  );
});
