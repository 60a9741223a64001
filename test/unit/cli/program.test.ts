import * as os from 'os';
import * as fs from 'fs';
import * as path from 'path';
import { buildProgram, describeError, EXIT_CODES } from '../../../lib/cli/program';
import { readEvent } from '../../../lib/cli/invoke';
import {
  FlowValidationError,
  LocalCloudError,
  StageBuildError,
  StagegraphError,
  StageInputError,
  UsageError,
} from '../../../lib/errors';
import { TriggerValidationError } from '../../../lib/errors';

/** Runs the program on argv and returns what it wrote, without exiting the test process. */
async function run(...args: string[]): Promise<{ out: string; code?: number }> {
  let out = '';
  const program = buildProgram()
    .exitOverride()
    .configureOutput({ writeOut: s => (out += s), writeErr: s => (out += s) });
  try {
    await program.parseAsync(['node', 'stagegraph', ...args]);
    return { out };
  } catch (error) {
    return { out, code: (error as { exitCode?: number }).exitCode };
  }
}

describe('stagegraph CLI', () => {
  test('--version prints the package version', async () => {
    const { out } = await run('--version');
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf-8'));
    expect(out.trim()).toBe(manifest.version);
  });

  test('--help lists the commands with runnable examples', async () => {
    const { out, code } = await run('--help');
    expect(code).toBe(0);
    expect(out).toContain('Usage: stagegraph [options] [command]');
    expect(out).toMatch(/synth \[options\]\s+synthesize the app in cdk\.json/);
    expect(out).toContain('$ stagegraph synth');
  });

  test('an unknown command fails with help', async () => {
    const { out, code } = await run('deploy-everything');
    expect(code).toBe(1);
    expect(out).toContain("error: unknown command 'deploy-everything'");
  });
});

describe('what the CLI says when something fails, and its exit code', () => {
  test('a local cloud that does not answer: what happened, what to do, exit code 3', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' });
    const wrapped = Object.assign(new Error('fetch failed'), { cause: refused });

    for (const error of [refused, wrapped]) {
      const { message, exitCode } = describeError(error);
      expect(message).toMatch(
        /^the local cloud is not running at http:\/\/127\.0\.0\.1:4566 \(no answer\): start it with `npx stagegraph local up`/,
      );
      expect(exitCode).toBe(EXIT_CODES.localCloudDown);
    }
  });

  test('our own errors print their message alone; a function not deployed exits with 4', () => {
    expect(describeError(new LocalCloudError('Stack/Fn is not deployed: run `stagegraph local deploy`', 4))).toEqual({
      message: 'Stack/Fn is not deployed: run `stagegraph local deploy`',
      exitCode: 4,
    });
    expect(describeError(new StageBuildError('Building x failed'))).toEqual({
      message: 'Building x failed',
      exitCode: 1,
    });
  });

  test("an AWS API's answer, and a client without credentials or region, print their message alone", async () => {
    const { InvalidArn } = await import('@aws-sdk/client-sfn');
    const { RequestTooLargeException } = await import('@aws-sdk/client-lambda');
    const { CredentialsProviderError } = await import('@smithy/property-provider');
    const answered = [
      [
        new InvalidArn({ message: 'Invalid Arn: notanarn', $metadata: { httpStatusCode: 400 } }),
        'the AWS API answered InvalidArn (HTTP 400): Invalid Arn: notanarn',
      ],
      [
        new RequestTooLargeException({ message: '10000011 byte payload is too large', $metadata: {} }),
        'the AWS API answered RequestTooLargeException: 10000011 byte payload is too large',
      ],
    ] as const;
    for (const [error, message] of answered) {
      expect(describeError(error)).toEqual({ message, exitCode: EXIT_CODES.failed });
    }
    // A fault of the service itself (a 500 of the local cloud) is unexpected: reported with its stack.
    const { ServiceException } = await import('@aws-sdk/client-lambda');
    const fault = new ServiceException({ message: 'the service broke', $metadata: { httpStatusCode: 500 } });
    expect(fault.$fault).toBe('server');
    expect(describeError(fault).message).toMatch(/^an unexpected error \(please report it\): ServiceException/);
    expect(describeError(new CredentialsProviderError('Could not load credentials from any providers')).message).toBe(
      'no AWS credentials found (Could not load credentials from any providers): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
    expect(describeError(new Error('Region is missing')).message).toBe(
      'no AWS region set: set AWS_REGION (or a region in your AWS profile)',
    );
  });

  test('an unexpected error is printed with its stack; ours with their message alone', () => {
    const unexpected = new TypeError('x is undefined');
    const described = describeError(unexpected);
    expect(described.message).toBe(`an unexpected error (please report it): ${unexpected.stack}`);
    expect(described.message).toMatch(/TypeError: x is undefined\n\s+at /);
    expect(described.exitCode).toBe(1);
    // Every error stagegraph throws on purpose is a StagegraphError of a kind.
    for (const ours of [
      new UsageError('u'),
      new StageInputError('i'),
      new StageBuildError('b'),
      new LocalCloudError('l', 3),
      new TriggerValidationError('HttpTrigger /x', 't'),
      new FlowValidationError('f'),
    ]) {
      expect(ours).toBeInstanceOf(StagegraphError);
      expect(describeError(ours).message).toBe(ours.message);
    }
    expect(describeError(new UsageError('u')).exitCode).toBe(EXIT_CODES.usage);
    expect(describeError(new StageInputError('i')).exitCode).toBe(EXIT_CODES.failed);
  });

  test('a wrong command line exits with 2, help and version with 0', () => {
    expect(describeError(Object.assign(new Error('unknown option'), { usage: true, exitCode: 1 })).exitCode).toBe(
      EXIT_CODES.usage,
    );
    expect(describeError(Object.assign(new Error('(outputHelp)'), { usage: true, exitCode: 0 })).exitCode).toBe(0);
  });
});

describe('invoke --event', () => {
  test('takes inline JSON, or a file', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-event-')), 'event.json');
    fs.writeFileSync(file, '{"from":"file"}');

    expect(readEvent('{"name":"you"}')).toBe('{"name":"you"}');
    expect(readEvent(file)).toBe('{"from":"file"}');
    expect(readEvent(undefined)).toBe('{}');
    // Any other JSON value inline, as through a file or standard input.
    for (const scalar of ['null', '1', '0', '-2.5', 'true', 'false']) {
      expect(readEvent(scalar)).toBe(scalar);
    }
    // A file of that name wins.
    const cwd = process.cwd();
    process.chdir(path.dirname(file));
    try {
      fs.writeFileSync('true', '{"from":"the file true"}');
      expect(readEvent('true')).toBe('{"from":"the file true"}');
    } finally {
      process.chdir(cwd);
    }
  });

  test('fails if the event is neither JSON nor a file, or not JSON, as a usage error', () => {
    expect(() => readEvent('nope.json')).toThrow(
      /--event 'nope.json' is neither JSON nor a file \(looked for .*nope\.json\)/,
    );
    expect(() => readEvent('{"broken"')).toThrow(/^The event is not JSON/);
    expect(describeError(new UsageError('x')).exitCode).toBe(EXIT_CODES.usage);
  });
});
