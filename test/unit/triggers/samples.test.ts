import { flowInputs, httpFlowInput, isHttpEvent } from '../../../lib/triggers/events';
import { SAMPLE_EVENTS } from '../../../lib/triggers/events/samples';

// `stagegraph event <kind>` prints these: each is read by the trigger's own decoder as the service's event is.
describe('sample events', () => {
  test('one for each trigger kind', () => {
    expect(Object.keys(SAMPLE_EVENTS).sort()).toEqual(['dis', 'dms', 'http', 'obs', 'smn', 'timer']);
  });

  test('each decodes to what its trigger passes a flow', () => {
    expect(flowInputs(SAMPLE_EVENTS.obs)).toEqual([
      expect.objectContaining({
        trigger: 'obs',
        eventName: 'ObjectCreated:Put',
        bucket: 'uploads',
        key: 'in/photo.jpg',
      }),
    ]);
    expect(flowInputs(SAMPLE_EVENTS.smn)).toEqual([
      expect.objectContaining({ trigger: 'smn', subject: 'new order', message: { order: 42 } }),
    ]);
    expect(flowInputs(SAMPLE_EVENTS.dms)).toEqual([
      expect.objectContaining({ trigger: 'dms', body: { job: 'resize', key: 'in/photo.jpg' } }),
    ]);
    expect(flowInputs(SAMPLE_EVENTS.dis)).toEqual([
      expect.objectContaining({ trigger: 'dis', partitionKey: 'sensor-1', data: { reading: 21.5 } }),
    ]);
    expect(flowInputs(SAMPLE_EVENTS.timer)).toEqual([
      { trigger: 'timer', time: '2026-11-25T10:00:00Z', rule: 'arn:aws:events:us-east-1:000000000000:rule/nightly' },
    ]);
    expect(isHttpEvent(SAMPLE_EVENTS.http)).toBe(true);
    expect(httpFlowInput(SAMPLE_EVENTS.http)).toEqual(
      expect.objectContaining({
        method: 'POST',
        path: '/items/7',
        pathParameters: { id: '7' },
        body: { name: 'seven' },
      }),
    );
  });
});
