import * as fs from 'fs';
import * as path from 'path';
import { App, AssetHashType, AssetStaging, BundlingOutput, DockerImage, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { StagedCode } from '../../../lib/function/staged-code';
import { FIXTURES, inFreshProcess, tempDirPerTest } from '../../helpers';

const SOURCE = path.join(FIXTURES, 'hello-nodejs');
const HASH = 'a'.repeat(64);

describe('StagedCode', () => {
  const dir = tempDirPerTest('stagegraph-staged-code-');

  /** A local bundling that copies the source's files, as a build with a warm cache does. */
  const bundling = {
    image: DockerImage.fromRegistry('never-pulled'),
    local: {
      tryBundle(outputDir: string): boolean {
        for (const name of fs.readdirSync(SOURCE)) fs.copyFileSync(path.join(SOURCE, name), path.join(outputDir, name));
        return true;
      },
    },
  };

  function functionOf(stack: Stack, code: Code): void {
    new LambdaFunction(stack, 'Fn', { code, runtime: Runtime.NODEJS_22_X, handler: 'index.handler' });
  }

  function appWith(context: Record<string, unknown> = {}): { app: App; stack: Stack } {
    const app = new App({ outdir: dir(), context });
    return { app, stack: new Stack(app, 'Stack', { env: { account: '111111111111', region: 'us-east-1' } }) };
  }

  test('the same template, asset and resource metadata as Code.fromAsset, without importing the assets bucket', () => {
    const context = { 'aws:cdk:enable-asset-metadata': true };
    const ours = appWith(context);
    functionOf(ours.stack, new StagedCode(SOURCE, { assetHash: HASH, bundling }));
    const theirs = appWith(context);
    functionOf(
      theirs.stack,
      Code.fromAsset(SOURCE, { assetHashType: AssetHashType.CUSTOM, assetHash: HASH, bundling }),
    );

    expect(Template.fromStack(ours.stack).toJSON()).toEqual(Template.fromStack(theirs.stack).toJSON());
    const [resource] = Object.values(Template.fromStack(ours.stack).findResources('AWS::Lambda::Function'));
    expect(resource.Metadata).toMatchObject({
      'aws:asset:path': expect.stringMatching(/^asset\.[0-9a-f]{64}$/),
      'aws:asset:is-bundled': true,
      'aws:asset:property': 'Code',
    });
    const assets = (stack: Stack, app: App) =>
      JSON.parse(fs.readFileSync(path.join(app.synth().directory, `${stack.artifactId}.assets.json`), 'utf-8'))
        .files as Record<string, unknown>;
    expect(assets(ours.stack, ours.app)).toEqual(assets(theirs.stack, theirs.app));
    // The construct CDK bundles under is where Code.fromAsset puts it; no imported bucket beside it.
    const staging = ours.stack.node.findAll().find((c): c is AssetStaging => c instanceof AssetStaging);
    expect(staging?.node.path).toBe('Stack/Fn/Code/Stage');
    expect(ours.stack.node.tryFindChild('Fn')?.node.tryFindChild('Code')?.node.children).toHaveLength(1);
    // The bundle is in the cloud assembly, where the metadata says.
    expect(fs.existsSync(path.join(ours.app.outdir, resource.Metadata['aws:asset:path'], 'index.ts'))).toBe(true);
  });

  test("a library's layer: the same template as Code.fromAsset's, the metadata naming its Content", () => {
    const context = { 'aws:cdk:enable-asset-metadata': true };
    const layer = (stack: Stack, code: Code) => new LayerVersion(stack, 'Layer', { code });
    const ours = appWith(context);
    layer(ours.stack, new StagedCode(SOURCE, { assetHash: HASH, bundling }));
    const theirs = appWith(context);
    layer(theirs.stack, Code.fromAsset(SOURCE, { assetHashType: AssetHashType.CUSTOM, assetHash: HASH, bundling }));

    expect(Template.fromStack(ours.stack).toJSON()).toEqual(Template.fromStack(theirs.stack).toJSON());
    const [resource] = Object.values(Template.fromStack(ours.stack).findResources('AWS::Lambda::LayerVersion'));
    expect(resource.Metadata).toMatchObject({ 'aws:asset:property': 'Content' });
  });

  test('one code in two functions of a stack is one asset', () => {
    const { stack } = appWith();
    const code = new StagedCode(SOURCE, { assetHash: HASH, bundling });
    new LambdaFunction(stack, 'One', { code, runtime: Runtime.NODEJS_22_X, handler: 'index.handler' });
    new LambdaFunction(stack, 'Two', { code, runtime: Runtime.NODEJS_22_X, handler: 'index.handler' });

    const codes = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).map(
      fn => fn.Properties.Code,
    );
    expect(codes[1]).toEqual(codes[0]);
    expect(stack.node.findAll().filter(c => c instanceof AssetStaging)).toHaveLength(1);
  });

  test('no asset metadata unless the toolkit asks for it', () => {
    const { stack } = appWith();
    functionOf(stack, new StagedCode(SOURCE, { assetHash: HASH, bundling }));

    const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    expect(resource.Metadata ?? {}).not.toHaveProperty('aws:asset:path');
  });

  test('a build into one file that is no archive is refused, the same on a second try', () => {
    const { stack } = appWith();
    const single = {
      image: bundling.image,
      outputType: BundlingOutput.SINGLE_FILE,
      local: {
        tryBundle(outputDir: string): boolean {
          fs.writeFileSync(path.join(outputDir, 'handler.txt'), 'not an archive');
          return true;
        },
      },
    };
    const code = new StagedCode(SOURCE, { assetHash: HASH, bundling: single });
    const message =
      /built into a file that is no archive \(allowed: a folder, or one \.zip or \.jar file\) in Stack\/Fn/;

    expect(() => functionOf(stack, code)).toThrow(message);
    expect(() => code.bind(stack.node.findChild('Fn') as LambdaFunction)).toThrow(message);
  });

  test('one code in two stacks is refused with both names', () => {
    const { app, stack } = appWith();
    const code = new StagedCode(SOURCE, { assetHash: HASH, bundling });
    functionOf(stack, code);

    expect(() => functionOf(new Stack(app, 'Other'), code)).toThrow(
      /already an asset of the stack Stack .*make another for Other\) in Other\/Fn/,
    );
  });
});

test("a synth of functions with their triggers never loads CDK's region facts", () => {
  // In a process of its own: the facts of every region take about 70 ms to load, and in a stack without a region and
  // with version reporting off (`app.synth()` in a test), only the assets bucket's import by `Code.fromAsset` needed
  // them. A plain aws-cdk-lib app of the same function loads them (the check's control).
  const script = (variant: string) => `
    const { App, Stack } = require('aws-cdk-lib');
    const { Queue } = require('aws-cdk-lib/aws-sqs');
    const { Topic } = require('aws-cdk-lib/aws-sns');
    const { Code, Function, Runtime } = require('aws-cdk-lib/aws-lambda');
    const sg = require(${JSON.stringify(path.join(__dirname, '..', '..', '..', 'lib'))});
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Facts');
    if (${JSON.stringify(variant)} === 'stagegraph') {
      const bucket = new sg.ObsBucket(stack, 'Uploads');
      const topic = new Topic(stack, 'Events');
      new sg.StageFunction(stack, 'Fn', {
        code: sg.StageCode.fromNodejs(${JSON.stringify(SOURCE)}),
        memorySize: 128,
        triggers: [new sg.ObsTrigger(bucket), new sg.SmnTrigger(topic), new sg.DmsTrigger(new Queue(stack, 'Queue'))],
      });
    } else {
      new Function(stack, 'Fn', { code: Code.fromAsset(${JSON.stringify(SOURCE)}), runtime: Runtime.NODEJS_22_X, handler: 'index.handler' });
    }
    app.synth();
    console.log(JSON.stringify(Object.keys(require.cache).some(file => file.includes('region-info'))));
  `;
  const loaded = (variant: string) => {
    const { value, stderr } = inFreshProcess<boolean>(script(variant));
    expect(stderr).not.toMatch(/Error/);
    return value;
  };
  expect(loaded('plain')).toBe(true);
  expect(loaded('stagegraph')).toBe(false);
}, 60_000);
