import { shellExports } from '../../../lib/cli/local';
import {
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
