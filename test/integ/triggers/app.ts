// The app the trigger integration tests deploy: probes behind SMN and DMS triggers, a failing
// asynchronous event for the dead-letter queue, and HTTP routes with IAM, a Lambda authorizer and a JWT authorizer.
import * as path from 'path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Stream } from 'aws-cdk-lib/aws-kinesis';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import {
  DisTrigger,
  DmsTrigger,
  HttpAuth,
  HttpAuthorizer,
  HttpTrigger,
  ObsBucket,
  ObsEvent,
  ObsTrigger,
  SmnTrigger,
  StageCode,
  StageFunction,
  TimerTrigger,
} from '../../../lib';
import { localEndpoint } from '../../../lib/local/endpoint';

const probeCode = StageCode.fromNodejs(path.join(__dirname, '..', '..', 'fixtures', 'probe-nodejs'));
/** The issuer of the tokens the tests sign (triggers.test.ts). */
const JWT_ISSUER = 'https://issuer.stagegraph.test/';

/** The trigger test app in `app`: its stack, the resources the tests send to, and the functions they read. */
export function triggerTestApp(app: App) {
  const stack = new Stack(app, 'TriggerTestStack');

  // SMN: only messages whose `color` attribute is blue reach the function.
  const colors = new Topic(stack, 'Colors');
  // DMS: readings in batches; failed items come back after the visibility timeout, three times at most.
  const readingsRedrive = new Queue(stack, 'ReadingsRedrive');
  const readings = new Queue(stack, 'Readings', {
    visibilityTimeout: Duration.seconds(2),
    deadLetterQueue: { queue: readingsRedrive, maxReceiveCount: 3 },
  });
  const consumer = new StageFunction(stack, 'Consumer', {
    code: probeCode,
    memorySize: 256,
    timeout: Duration.seconds(2),
    triggers: [
      new SmnTrigger(colors, { filterPolicy: { color: SubscriptionFilter.stringFilter({ allowlist: ['blue'] }) } }),
      new DmsTrigger(readings, { batchSize: 10, maxBatchingWindow: Duration.seconds(1) }),
    ],
  });

  // A failing asynchronous event, without retries, lands in the stack's dead-letter queue.
  const failures = new Topic(stack, 'Failures');
  const failer = new StageFunction(stack, 'Failer', {
    code: probeCode,
    memorySize: 128,
    retryAttempts: 0,
    triggers: [new SmnTrigger(failures)],
  });

  // OBS: text files created under uploads/, and any object removed, each invoke a function; the
  // function that reacts to uploads also reads and writes the bucket (no dependency cycle).
  const files = new ObsBucket(stack, 'Files', { removalPolicy: RemovalPolicy.DESTROY });
  const uploads = new StageFunction(stack, 'Uploads', {
    code: probeCode,
    memorySize: 128,
    environment: { BUCKET: files.bucketName },
    triggers: [new ObsTrigger(files, { prefix: 'uploads/', suffix: '.txt' })],
  });
  files.grantReadWrite(uploads);
  const removals = new StageFunction(stack, 'Removals', {
    code: probeCode,
    memorySize: 128,
    triggers: [new ObsTrigger(files, { events: [ObsEvent.OBJECT_REMOVED] })],
  });

  // HTTP: a public route of the stack's REST API.
  const authorizerCode = StageCode.fromNodejs(path.join(__dirname, '..', '..', 'fixtures', 'authorizer-nodejs'));
  const gatekeeper = new StageFunction(stack, 'Gatekeeper', { code: authorizerCode, memorySize: 128 });
  const cachedGatekeeper = new StageFunction(stack, 'CachedGatekeeper', { code: authorizerCode, memorySize: 128 });
  // The JWT authorizer reads the issuer's key set from this bucket, at the local cloud's S3 endpoint.
  const keys = new Bucket(stack, 'IssuerKeys', { removalPolicy: RemovalPolicy.DESTROY });
  const api = new StageFunction(stack, 'Api', {
    code: probeCode,
    memorySize: 128,
    triggers: [
      new HttpTrigger({ path: '/items/{id}', methods: ['GET', 'POST'], auth: HttpAuth.NONE }),
      // IAM, the default: callers sign with SigV4.
      new HttpTrigger({ path: '/private', methods: ['POST'] }),
      // A Lambda authorizer, without a cache so that every request asks it.
      new HttpTrigger({
        path: '/guarded/{id}',
        methods: ['GET'],
        authorizer: HttpAuthorizer.lambda(gatekeeper, { resultsCacheTtl: Duration.seconds(0) }),
      }),
      // One with API Gateway's cache (5 minutes): answers are kept per Authorization header.
      new HttpTrigger({ path: '/cached', methods: ['GET'], authorizer: HttpAuthorizer.lambda(cachedGatekeeper) }),
      new HttpTrigger({
        path: '/claims',
        methods: ['GET'],
        authorizer: HttpAuthorizer.jwt({
          issuer: JWT_ISSUER,
          audience: ['orders'],
          jwksUri: `${localEndpoint()}/${keys.bucketName}/jwks.json`,
        }),
      }),
    ],
  });

  // DIS: records of a stream, from its start.
  const telemetry = new Stream(stack, 'Telemetry', { shardCount: 1 });
  const streamReader = new StageFunction(stack, 'StreamReader', {
    code: probeCode,
    memorySize: 128,
    triggers: [new DisTrigger(telemetry, { startingPosition: StartingPosition.TRIM_HORIZON, batchSize: 10 })],
  });

  // Timer: every minute, with a fixed input.
  const ticker = new StageFunction(stack, 'Ticker', {
    code: probeCode,
    memorySize: 128,
    triggers: [TimerTrigger.rate(Duration.minutes(1), { input: { action: 'log', body: 'tick' } })],
  });

  return {
    stack,
    resources: {
      Files: files,
      IssuerKeys: keys,
      Telemetry: telemetry,
      Colors: colors,
      Readings: readings,
      ReadingsRedrive: readingsRedrive,
      Failures: failures,
    },
    functions: {
      Consumer: consumer,
      Failer: failer,
      Ticker: ticker,
      Uploads: uploads,
      Removals: removals,
      StreamReader: streamReader,
      Api: api,
    },
  };
}

// Run by the CDK CLI (cdk.json): synthesize it.
if (require.main === module) {
  const app = new App();
  triggerTestApp(app);
  app.synth();
}
