import { flowInputs, httpFlowInput, isHttpEvent } from '../../../lib/triggers/events';

// What each trigger's events become as a flow's input (the flow bridge starts one execution per input).
describe('flow inputs of trigger events', () => {
  test('OBS: one input per record, the key decoded from its form encoding', () => {
    const event = {
      Records: [
        {
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          eventTime: '2026-11-25T10:00:00.000Z',
          s3: { bucket: { name: 'photos' }, object: { key: 'holiday+2026/caf%C3%A9.jpg', size: 1234, eTag: 'abc' } },
        },
        {
          eventSource: 'aws:s3',
          eventName: 'ObjectRemoved:Delete',
          eventTime: '2026-11-25T10:00:01.000Z',
          s3: { bucket: { name: 'photos' }, object: { key: 'a%2Bb.txt' } },
        },
      ],
    };
    expect(flowInputs(event)).toEqual([
      {
        trigger: 'obs',
        eventName: 'ObjectCreated:Put',
        eventTime: '2026-11-25T10:00:00.000Z',
        bucket: 'photos',
        key: 'holiday 2026/café.jpg',
        size: 1234,
        eTag: 'abc',
      },
      {
        trigger: 'obs',
        eventName: 'ObjectRemoved:Delete',
        eventTime: '2026-11-25T10:00:01.000Z',
        bucket: 'photos',
        key: 'a+b.txt',
        size: undefined,
        eTag: undefined,
      },
    ]);
  });

  test('SMN: the message parsed when it is JSON, kept as text when not; no subject is null', () => {
    const record = (message: string, subject?: string) => ({
      EventSource: 'aws:sns',
      Sns: {
        TopicArn: 'arn:aws:sns:us-east-1:000000000000:orders',
        MessageId: 'm1',
        Timestamp: '2026-11-25T10:00:00.000Z',
        Message: message,
        ...(subject ? { Subject: subject } : {}),
      },
    });
    expect(flowInputs({ Records: [record('{"order":7}', 'new'), record('plain words')] })).toEqual([
      {
        trigger: 'smn',
        topicArn: 'arn:aws:sns:us-east-1:000000000000:orders',
        subject: 'new',
        messageId: 'm1',
        timestamp: '2026-11-25T10:00:00.000Z',
        message: { order: 7 },
      },
      {
        trigger: 'smn',
        topicArn: 'arn:aws:sns:us-east-1:000000000000:orders',
        subject: null,
        messageId: 'm1',
        timestamp: '2026-11-25T10:00:00.000Z',
        message: 'plain words',
      },
    ]);
  });

  test('DMS: the message id and the body, parsed when it is JSON', () => {
    expect(
      flowInputs({
        Records: [
          { eventSource: 'aws:sqs', messageId: 'q1', body: '[1,2]' },
          { eventSource: 'aws:sqs', messageId: 'q2', body: 'x' },
        ],
      }),
    ).toEqual([
      { trigger: 'dms', messageId: 'q1', body: [1, 2] },
      { trigger: 'dms', messageId: 'q2', body: 'x' },
    ]);
  });

  test('DIS: the data decoded from base64, then parsed when it is JSON', () => {
    const data = Buffer.from('{"reading":21.5}').toString('base64');
    expect(
      flowInputs({
        Records: [{ eventSource: 'aws:kinesis', kinesis: { partitionKey: 'sensor-1', sequenceNumber: '49', data } }],
      }),
    ).toEqual([{ trigger: 'dis', partitionKey: 'sensor-1', sequenceNumber: '49', data: { reading: 21.5 } }]);
  });

  test('Timer: the time and the rule of a scheduled event', () => {
    const event = {
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      time: '2026-11-25T10:00:00Z',
      resources: ['arn:aws:events:us-east-1:000000000000:rule/nightly'],
      detail: {},
    };
    expect(flowInputs(event)).toEqual([
      { trigger: 'timer', time: '2026-11-25T10:00:00Z', rule: 'arn:aws:events:us-east-1:000000000000:rule/nightly' },
    ]);
  });

  test('HTTP: method, path, parameters, query and the parsed body', () => {
    const event = {
      httpMethod: 'POST',
      path: '/orders/7',
      pathParameters: { id: '7' },
      queryStringParameters: null,
      body: '{"qty":2}',
      requestContext: { stage: 'prod' },
    };
    expect(isHttpEvent(event)).toBe(true);
    expect(isHttpEvent({ httpMethod: 'POST' })).toBe(false);
    expect(httpFlowInput(event)).toEqual({
      trigger: 'http',
      method: 'POST',
      path: '/orders/7',
      pathParameters: { id: '7' },
      query: {},
      body: { qty: 2 },
    });
  });

  test('records and events of no known trigger pass on as they are', () => {
    const unknown = { eventSource: 'aws:dynamodb', dynamodb: { Keys: {} } };
    expect(flowInputs({ Records: [unknown] })).toEqual([unknown]);
    expect(flowInputs({ order: 7 })).toEqual([{ order: 7 }]);
  });
});
