import { Json, parseBody } from './json';

/** The flow input of one SMN (SNS) notification record. */
export function smnFlowInput(record: Json): Json {
  const sns = record.Sns as Json;
  return {
    trigger: 'smn',
    topicArn: sns.TopicArn,
    subject: sns.Subject ?? null,
    messageId: sns.MessageId,
    timestamp: sns.Timestamp,
    message: parseBody(sns.Message),
  };
}
