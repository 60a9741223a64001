import { Json, parseBody } from './json';

/** The flow input of one DIS (Kinesis) record: its data decoded from base64. */
export function disFlowInput(record: Json): Json {
  const kinesis = record.kinesis as Json;
  return {
    trigger: 'dis',
    partitionKey: kinesis.partitionKey,
    sequenceNumber: kinesis.sequenceNumber,
    data: parseBody(Buffer.from(kinesis.data as string, 'base64').toString('utf8')),
  };
}
