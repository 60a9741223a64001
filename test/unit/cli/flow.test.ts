import { flowCommand, formatFlowRun } from '../../../lib/cli/flow';
import { unbuiltStack } from '../../helpers';
import { FAILED_RUN, orchestraDiagram, SUCCEEDED_RUN } from '../workflow/recorded-runs';

/** The help of a subcommand, as `stagegraph flow <command> --help` prints it. */
function help(command: string): string {
  let out = '';
  const sub = flowCommand().commands.find(c => c.name() === command)!;
  sub.configureOutput({ writeOut: s => (out += s), writeErr: s => (out += s) }).outputHelp();
  return out;
}

describe('stagegraph flow: an execution as text', () => {
  test('a failed run: status, path, failed state, error and execution, then the picture of the path taken', () => {
    const text = formatFlowRun('FlowTestStack/Orchestra', FAILED_RUN, {
      millis: 1234,
      diagram: orchestraDiagram(unbuiltStack()),
    });

    expect(text).toBe(
      [
        'FlowTestStack/Orchestra  FAILED  in 1.2 s',
        '  path: Fan out -> Sum -> Square each',
        '  failed in: Square each (Map)',
        "  error: States.Runtime: An error occurred while executing the state 'Square each'. Invalid path '$.items'",
        '  execution: arn:aws:states:us-east-1:000000000000:execution:stagegraph-test-orchestra:run-failed',
        '  picture:',
        '    ▸ Fan out (parallel 2 branches)',
        '        branch 1:',
        '          ✔ Sum (function Steps)',
        '        branch 2:',
        '          ✖ Square each (loop each $.items)',
        '              for each item:',
        '                · Square (pass)',
        '                · Skip (pass)',
        '    · Big? (choice)',
        '    · Big (pass)',
        '    · Small (pass)',
        '    · Broken (function Steps)',
        '    · Recovered (pass)',
        '    · Done (succeed)',
        '    ✔ passed  ✖ failed  ▸ entered, not left  · not reached',
      ].join('\n'),
    );
  });

  test('a succeeded run keeps the lines scripts read (path, output, execution) and its picture fits 80 columns', () => {
    const text = formatFlowRun('Orchestra', SUCCEEDED_RUN, { diagram: orchestraDiagram(unbuiltStack()) });
    const lines = text.split('\n');

    expect(lines[0]).toBe('Orchestra  SUCCEEDED');
    expect(text).toMatch(/^ {2}path: Fan out -> Square each -> .* -> Recovered -> Done$/m);
    expect(text).toContain('  output: [{"sum":3},[{"value":1},{"value":2}]]\n');
    expect(text).toMatch(/^ {2}execution: \S+:run-ok$/m);
    expect(text).not.toContain('failed in:');
    expect(text).toContain('                ✔ Square (pass) ×2\n');
    for (const line of lines.slice(lines.indexOf('  picture:'))) expect([...line].length).toBeLessThanOrEqual(80);
  });

  test('without the flow diagram, the lines are those of before: no picture', () => {
    expect(formatFlowRun('Orchestra', FAILED_RUN)).not.toContain('picture:');
    expect(formatFlowRun('Orchestra', FAILED_RUN).split('\n')).toHaveLength(5);
  });

  test('run and show take --svg [file], and show the app assembly with --out', () => {
    for (const command of ['run', 'show']) {
      const out = help(command);
      expect(out).toContain('--svg [file]');
      expect(out).toMatch(/--out <dir>[^-]*\(default:\s+"cdk\.out"\)/);
    }
    expect(help('run')).toContain('$ stagegraph flow run Checkout order.json --svg checkout-run.svg');
  });
});
