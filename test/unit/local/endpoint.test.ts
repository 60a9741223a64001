import { shellExports } from '../../../lib/cli/local';
import { describeError } from '../../../lib/cli/program';
import {
  isUnreachable,
  localAwsEnvironment,
  localClientConfig,
  localEndpoint,
  localHttpUrls,
  localPort,
  localRestApiUrl,
  usesExternalLocalStack,
} from '../../../lib/local/endpoint';

describe('local endpoint', () => {
  const saved = process.env.LOCALSTACK_ENDPOINT;
  afterEach(() => {
    if (saved === undefined) {
      delete process.env.LOCALSTACK_ENDPOINT;
    } else {
      process.env.LOCALSTACK_ENDPOINT = saved;
    }
  });

  test('is the embedded LocalStack on 127.0.0.1:4566 by default, with dummy credentials', () => {
    delete process.env.LOCALSTACK_ENDPOINT;

    expect(localEndpoint()).toBe('http://127.0.0.1:4566');
    expect(usesExternalLocalStack()).toBe(false);
    expect(localClientConfig()).toEqual({
      endpoint: 'http://127.0.0.1:4566',
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      forcePathStyle: true,
      disableHostPrefix: true,
    });
    expect(localAwsEnvironment()).toMatchObject({
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4566',
      AWS_REGION: 'us-east-1',
    });
  });

  test("is the user's own LocalStack when LOCALSTACK_ENDPOINT is set", () => {
    process.env.LOCALSTACK_ENDPOINT = 'http://localstack.internal:4566/';

    expect(localEndpoint()).toBe('http://localstack.internal:4566');
    expect(usesExternalLocalStack()).toBe(true);
    expect(localAwsEnvironment().AWS_ENDPOINT_URL).toBe('http://localstack.internal:4566');
  });

  test('a LOCALSTACK_ENDPOINT that is not an http or https URL is named as the problem, exit code 3', () => {
    for (const given of ['notaurl', 'http://[::1', 'ftp://127.0.0.1:4566', '127.0.0.1:4566']) {
      process.env.LOCALSTACK_ENDPOINT = given;
      const message = `LOCALSTACK_ENDPOINT is '${given}', which is not an http or https URL: set it to a LocalStack's URL such as http://127.0.0.1:4566, or unset it to use the embedded local cloud`;
      expect(() => localClientConfig()).toThrow(message);
      expect(() => localAwsEnvironment()).toThrow(message);
      expect(describeError(catchError(() => localClientConfig())).exitCode).toBe(3);
    }
    // A name that does not resolve is a local cloud that cannot be reached, when it is the local cloud's.
    process.env.LOCALSTACK_ENDPOINT = 'http://localstack.invalid:4566';
    const dns = (hostname: string) =>
      Object.assign(new Error('fetch failed'), {
        cause: Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }),
      });
    expect(isUnreachable(dns('localstack.invalid'))).toBe(true);
    // AWS's own (bill --aws offline) is not the local cloud down.
    expect(isUnreachable(dns('monitoring.us-east-1.amazonaws.com'))).toBe(false);
  });

  test("an HTTP API's local URL is the path form that needs no DNS, read from the stack output", () => {
    delete process.env.LOCALSTACK_ENDPOINT;

    expect(localRestApiUrl('abc123')).toBe('http://127.0.0.1:4566/_aws/execute-api/abc123/live');
    expect(localHttpUrls({ StageHttpApiId: 'abc123', Other: 'x' })).toEqual({
      StageHttpApi: 'http://127.0.0.1:4566/_aws/execute-api/abc123/live/',
    });
    expect(localHttpUrls({ Other: 'x' })).toEqual({});
  });

  test('STAGEGRAPH_LOCAL_PORT moves the embedded LocalStack, and fails if it is not a port', () => {
    delete process.env.LOCALSTACK_ENDPOINT;
    process.env.STAGEGRAPH_LOCAL_PORT = '4577';
    try {
      expect(localEndpoint()).toBe('http://127.0.0.1:4577');
      process.env.STAGEGRAPH_LOCAL_PORT = '80';
      expect(() => localPort()).toThrow("STAGEGRAPH_LOCAL_PORT must be a port number from 1024 to 65535 (given '80')");
    } finally {
      delete process.env.STAGEGRAPH_LOCAL_PORT;
    }
  });

  test('local env prints exports a shell can eval, quoting what needs it', () => {
    expect(shellExports({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', ODD: "it's" })).toBe(
      "export AWS_ENDPOINT_URL='http://127.0.0.1:4566'\nexport ODD='it'\\''s'",
    );
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('it did not throw');
}
