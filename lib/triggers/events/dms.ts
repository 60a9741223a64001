import { Json, parseBody } from './json';

/** The flow input of one DMS (SQS) message. */
export function dmsFlowInput(record: Json): Json {
  return { trigger: 'dms', messageId: record.messageId, body: parseBody(record.body) };
}
