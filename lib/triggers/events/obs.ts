import type { Json } from './json';

/** The flow input of one OBS (S3) notification record. */
export function obsFlowInput(record: Json): Json {
  const s3 = record.s3 as { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
  return {
    trigger: 'obs',
    eventName: record.eventName,
    eventTime: record.eventTime,
    bucket: s3.bucket.name,
    // Keys arrive form-encoded: a space is '+'.
    key: decodeURIComponent(s3.object.key.replace(/\+/g, ' ')),
    size: s3.object.size,
    eTag: s3.object.eTag,
  };
}
