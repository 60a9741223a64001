// What the CLI loads before it knows the command: `stagegraph --help` needs neither the CDK toolkit library (about
// 780 modules, half a second), which synth, deploy and bootstrap load when they start, nor the AWS SDK's clients
// (about 120 ms), which each command loads for the services it calls, nor the request signer of HTTP triggers.
import { inFreshProcess } from '../../helpers';

test('the CLI starts without the CDK toolkit library or an AWS SDK client; a deploy and an invoke then load theirs', () => {
  const script = [
    'const loaded = pattern => Object.keys(require.cache).filter(k => pattern.test(k)).length;',
    'const toolkit = /[\\\\/]@aws-cdk[\\\\/]toolkit-lib[\\\\/]/;',
    'const clients = /[\\\\/]@aws-sdk[\\\\/]client-[a-z0-9-]+[\\\\/]/;',
    'const lambda = /[\\\\/]@aws-sdk[\\\\/]client-lambda[\\\\/]/;',
    'const signer = /[\\\\/]@smithy[\\\\/]signature-v4[\\\\/]/;',
    "require('./lib/cli/program').buildProgram();",
    'const atStart = { toolkit: loaded(toolkit), clients: loaded(clients), signer: loaded(signer) };',
    "require('./lib/io-host').toolkitLib();",
    "require('./lib/aws-sdk').lambdaSdk();",
    'const after = { toolkit: loaded(toolkit), lambda: loaded(lambda) };',
    'console.log(JSON.stringify({ atStart, after }));',
  ].join('\n');
  const { atStart, after } = inFreshProcess<{
    atStart: Record<string, number>;
    after: Record<string, number>;
  }>(script).value;
  expect(atStart).toEqual({ toolkit: 0, clients: 0, signer: 0 });
  expect(after.toolkit).toBeGreaterThan(0);
  expect(after.lambda).toBeGreaterThan(0);
});
