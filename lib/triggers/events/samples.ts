import type { Json } from './json';

/**
 * A realistic event of each trigger kind, as the service delivers it to a function (the shapes of AWS's own
 * sample events, with the local cloud's account and region): a start for `stagegraph invoke --event` and for
 * handler tests. `stagegraph event <kind>` prints them.
 */
export const SAMPLE_EVENTS: Readonly<Record<string, Json>> = {
  obs: {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: '2026-11-25T10:00:00.000Z',
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:000000000000' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: {
          'x-amz-request-id': 'C3D13FE58DE4C810',
          'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
        },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'ObsTrigger',
          bucket: { name: 'uploads', ownerIdentity: { principalId: '000000000000' }, arn: 'arn:aws:s3:::uploads' },
          object: {
            key: 'in/photo.jpg',
            size: 1024,
            eTag: 'd41d8cd98f00b204e9800998ecf8427e',
            sequencer: '0055AED6DCD90281E5',
          },
        },
      },
    ],
  },
  smn: {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:us-east-1:000000000000:orders:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55',
        Sns: {
          Type: 'Notification',
          MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
          TopicArn: 'arn:aws:sns:us-east-1:000000000000:orders',
          Subject: 'new order',
          Message: '{"order":42}',
          Timestamp: '2026-11-25T10:00:00.000Z',
          SignatureVersion: '1',
          Signature: 'EXAMPLE',
          SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
          UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
          MessageAttributes: { kind: { Type: 'String', Value: 'order' } },
        },
      },
    ],
  },
  dms: {
    Records: [
      {
        messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
        receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a',
        body: '{"job":"resize","key":"in/photo.jpg"}',
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '1764064800000',
          SenderId: '000000000000',
          ApproximateFirstReceiveTimestamp: '1764064800001',
        },
        messageAttributes: {},
        md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:jobs',
        awsRegion: 'us-east-1',
      },
    ],
  },
  dis: {
    Records: [
      {
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: 'sensor-1',
          sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
          data: 'eyJyZWFkaW5nIjoyMS41fQ==',
          approximateArrivalTimestamp: 1764064800.0,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: 'shardId-000000000000:49590338271490256608559692538361571095921575989136588898',
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::000000000000:role/stagegraph-function',
        awsRegion: 'us-east-1',
        eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/readings',
      },
    ],
  },
  timer: {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: '2026-11-25T10:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:000000000000:rule/nightly'],
    detail: {},
  },
  http: {
    resource: '/items/{id}',
    path: '/items/7',
    httpMethod: 'POST',
    headers: { 'content-type': 'application/json', Host: '127.0.0.1:4566' },
    multiValueHeaders: { 'content-type': ['application/json'], Host: ['127.0.0.1:4566'] },
    queryStringParameters: { full: '1' },
    multiValueQueryStringParameters: { full: ['1'] },
    pathParameters: { id: '7' },
    stageVariables: null,
    requestContext: {
      resourcePath: '/items/{id}',
      httpMethod: 'POST',
      path: '/live/items/7',
      stage: 'live',
      accountId: '000000000000',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      identity: { sourceIp: '127.0.0.1', userAgent: 'curl/8.5.0' },
      apiId: 'abc123defg',
    },
    body: '{"name":"seven"}',
    isBase64Encoded: false,
  },
};
