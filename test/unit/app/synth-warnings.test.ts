import * as path from 'path';
import { synthesizeApp, warningsOf } from '../../../lib/app/synth';
import { FIXTURES, tempDirPerTest } from '../../helpers';

jest.setTimeout(60_000);

describe('stagegraph synth', () => {
  const outdir = tempDirPerTest('stagegraph-warned-');

  test("gives back the warnings of the app's constructs, which the CLI prints as `cdk synth` does", async () => {
    const synthesized = await synthesizeApp({ projectDir: path.join(FIXTURES, 'warning-app'), outdir: outdir() });

    expect(synthesized.stacks).toEqual(['Warned']);
    expect(synthesized.warnings).toEqual([
      expect.stringMatching(
        /^this topic is only here to be warned about \(Construct Annotations\)\n\s+Warned\/Events\n/,
      ),
    ]);
  });
});

test("the toolkit's report of annotations gives a warning per WARNING block, not its INFO ones", () => {
  const report = [
    'WARNING first (Construct Annotations)\n   A/B\n   Acknowledge with x',
    'WARNING second\n   A/C',
    'INFO only information\n   A/D',
  ].join('\n\n');
  expect(
    warningsOf([
      { level: 'error', text: report },
      { level: 'warn', text: 'a warning of the toolkit' },
      { level: 'debug', text: 'WARNING not a report' },
    ]),
  ).toEqual([
    'first (Construct Annotations)\n   A/B\n   Acknowledge with x',
    'second\n   A/C',
    'a warning of the toolkit',
  ]);
});
