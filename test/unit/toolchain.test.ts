import * as os from 'os';
import { runTool, toolPath } from '../../lib/toolchain';

const options = { cwd: os.tmpdir(), what: 'the test code', install: 'the test tool' };

describe('runTool', () => {
  test('returns the output of a command that succeeds', () => {
    expect(runTool(process.execPath, ['-e', 'process.stdout.write("built")'], options)).toBe('built');
  });

  test('fails if the tool is missing, saying what to install', () => {
    expect(() => runTool('stagegraph-no-such-tool', ['build'], options)).toThrow(
      "Cannot build the test code: 'stagegraph-no-such-tool' was not found on PATH. Install the test tool",
    );
  });

  test('fails if the command exits non-zero, with the command line, exit code and output', () => {
    expect(() =>
      runTool(process.execPath, ['-e', 'console.error("bad thing happened"); process.exit(3)'], options),
    ).toThrow(
      /^Building the test code failed: '.*node -e 'console\.error\("bad thing happened"\); process\.exit\(3\)'' exited with code 3 in .*\nbad thing happened$/,
    );
  });

  test('keeps only the end of a long output', () => {
    const error = (() => {
      try {
        runTool(process.execPath, ['-e', 'console.error("x".repeat(10000) + "THE END"); process.exit(1)'], options);
      } catch (e) {
        return e as Error;
      }
      throw new Error('runTool did not fail');
    })();
    expect(error.message).toMatch(/\.\.\.x+THE END$/);
    expect(error.message.length).toBeLessThan(4500);
  });
});

describe('toolPath', () => {
  afterEach(() => {
    delete process.env.STAGEGRAPH_TEST_TOOL;
  });

  test('takes the variable when set, else the plain name', () => {
    expect(toolPath('STAGEGRAPH_TEST_TOOL', 'go')).toBe('go');
    process.env.STAGEGRAPH_TEST_TOOL = '/opt/go/bin/go';
    expect(toolPath('STAGEGRAPH_TEST_TOOL', 'go')).toBe('/opt/go/bin/go');
  });
});
