import * as path from 'path';
import { synthesizeApp } from '../../../lib/app/synth';
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
