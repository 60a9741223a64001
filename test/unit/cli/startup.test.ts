// What the CLI loads before it knows the command: `stagegraph --help`, `invoke`, `logs` and `bill` do not need the
// CDK toolkit library (about 780 modules, half a second), which synth, deploy and bootstrap load when they start.
import { execFileSync } from 'child_process';
import * as path from 'path';

test('the CLI starts without loading the CDK toolkit library, which a deploy then loads', () => {
  const root = path.join(__dirname, '..', '..', '..');
  const script = [
    'const loaded = () => Object.keys(require.cache).filter(k => /[\\\\/]@aws-cdk[\\\\/]toolkit-lib[\\\\/]/.test(k)).length;',
    "require('./lib/cli/program').buildProgram();",
    'const atStart = loaded();',
    "require('./lib/io-host').toolkitLib();",
    'console.log(JSON.stringify({ atStart, afterDeployNeedsIt: loaded() }));',
  ].join('\n');
  const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: root, encoding: 'utf-8' });
  const { atStart, afterDeployNeedsIt } = JSON.parse(out.trim().split('\n').pop() ?? '{}');
  expect(atStart).toBe(0);
  expect(afterDeployNeedsIt).toBeGreaterThan(0);
});
