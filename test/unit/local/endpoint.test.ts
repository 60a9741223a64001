import { localAwsEnvironment, localClientConfig, localEndpoint, usesExternalLocalStack } from '../../../lib/local/endpoint';

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
      endpoint: 'http://127.0.0.1:4566', region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, forcePathStyle: true,
    });
    expect(localAwsEnvironment()).toMatchObject({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4566', AWS_REGION: 'us-east-1' });
  });

  test('is the user\'s own LocalStack when LOCALSTACK_ENDPOINT is set', () => {
    process.env.LOCALSTACK_ENDPOINT = 'http://localstack.internal:4566/';

    expect(localEndpoint()).toBe('http://localstack.internal:4566');
    expect(usesExternalLocalStack()).toBe(true);
    expect(localAwsEnvironment().AWS_ENDPOINT_URL).toBe('http://localstack.internal:4566');
  });
});
