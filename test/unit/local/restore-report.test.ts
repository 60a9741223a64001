import { describeRestore } from '../../../lib/local/state';

describe('what local up says of the last restore', () => {
  const size = (bytes: number) => `${bytes} B`;

  test('names the services that came back, and says which could not and why, and the mappings dropped', () => {
    const { summary, failures } = describeRestore(
      {
        savedAt: Date.parse('2026-11-27T12:00:00Z') / 1000,
        durationMs: 1234,
        sizeBytes: 42,
        services: {
          s3: { restored: true, ms: 3 },
          sns: { restored: true, ms: 1, mappingsDropped: ['u1', 'u2'] },
          sqs: { restored: true, ms: 1 },
          lambda: {
            restored: false,
            error: 'ResourceNotFoundException: Function not found; the saved state is kept in /x/unrestored/lambda',
          },
        },
      },
      size,
    );
    expect(summary).toBe(
      'Restored the state saved at 2026-11-27T12:00:00.000Z: 3 services (s3, sns, sqs), 42 B, in 1.2 s',
    );
    expect(failures).toEqual([
      'could not restore lambda, which may be empty or partly restored: ResourceNotFoundException: Function not found; the saved state is kept in /x/unrestored/lambda',
      'dropped 2 saved event source mapping(s) being deleted or whose function is gone: u1, u2',
    ]);
  });

  test('says nothing when there was nothing saved', () => {
    expect(describeRestore(undefined, size)).toEqual({ failures: [] });
    expect(describeRestore({ savedAt: null, services: {} }, size)).toEqual({ failures: [] });
  });
});
