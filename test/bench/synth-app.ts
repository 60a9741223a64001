// One synth of a generated app, run in its own process by synth.ts so that every run pays the
// same module loading. Prints one JSON line: synth milliseconds, resources, template bytes.
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { StageCode, StageFunction } from '../../lib';

const [variant, countText, workDir, outdir] = process.argv.slice(2);
const count = Number(countText);
const started = process.hrtime.bigint();
const app = new App({ outdir });
const stack = new Stack(app, 'Bench');

for (let i = 0; i < count; i++) {
  const source = path.join(workDir, 'src', `fn${i}`);
  const prebuilt = path.join(workDir, 'prebuilt', `fn${i}`);
  switch (variant) {
    case 'plain':
      new LambdaFunction(stack, `Fn${i}`, {
        code: Code.fromAsset(prebuilt), runtime: Runtime.NODEJS_22_X, handler: 'index.handler', memorySize: 256, timeout: Duration.seconds(30),
      });
      break;
    case 'plain-same-features': {
      const fn = new LambdaFunction(stack, `Fn${i}`, {
        code: Code.fromAsset(prebuilt), runtime: Runtime.NODEJS_22_X, handler: 'index.handler', memorySize: 256, timeout: Duration.seconds(30),
        deadLetterQueueEnabled: true,
      });
      new LogGroup(stack, `Fn${i}Logs`, { logGroupName: `/aws/lambda/${fn.functionName}`, retention: RetentionDays.ONE_MONTH });
      break;
    }
    case 'stagegraph':
      new StageFunction(stack, `Fn${i}`, { code: StageCode.fromNodejs(source), memorySize: 256 });
      break;
    default:
      throw new Error(`unknown variant ${variant}`);
  }
}
const assembly = app.synth();
const millis = Number(process.hrtime.bigint() - started) / 1e6;
const templateFile = path.join(assembly.directory, 'Bench.template.json');
const template = JSON.parse(fs.readFileSync(templateFile, 'utf-8')) as { Resources: Record<string, { Type: string }> };
process.stdout.write(JSON.stringify({
  millis,
  resources: Object.keys(template.Resources).length,
  customResources: Object.values(template.Resources).filter(r => r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource').length,
  templateBytes: fs.statSync(templateFile).size,
}) + '\n');
