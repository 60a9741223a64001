// What each trigger's events become as a flow's input, runtime-safe (bundled by the flow bridge): one decoder
// file per trigger and one line in the tables below. The shapes are documented in the README ("Starting flows").
import { disFlowInput } from './dis';
import { dmsFlowInput } from './dms';
import { httpFlowInput, isHttpEvent } from './http';
import type { Json } from './json';
import { obsFlowInput } from './obs';
import { smnFlowInput } from './smn';
import { isTimerEvent, timerFlowInput } from './timer';

export { httpFlowInput, isHttpEvent } from './http';
export { parseBody } from './json';
export type { Json } from './json';

/** Decoders of the triggers whose events carry `Records`, by the records' `eventSource`. */
const RECORD_DECODERS: Record<string, (record: Json) => unknown> = {
  'aws:s3': obsFlowInput,
  'aws:sns': smnFlowInput,
  'aws:sqs': dmsFlowInput,
  'aws:kinesis': disFlowInput,
};

/** Decoders of the triggers whose event is one whole object. */
const EVENT_DECODERS: { readonly matches: (event: Json) => boolean; readonly decode: (event: Json) => unknown }[] = [
  { matches: isTimerEvent, decode: timerFlowInput },
  { matches: isHttpEvent, decode: httpFlowInput },
];

/**
 * The inputs of the executions an event starts: one per record, in a documented shape per trigger. A record
 * or event of no known trigger is passed on as it is.
 */
export function flowInputs(event: Json): unknown[] {
  if (!Array.isArray(event.Records)) {
    const decoder = EVENT_DECODERS.find(d => d.matches(event));
    return [decoder ? decoder.decode(event) : event];
  }
  return (event.Records as Json[]).map(record => {
    const source = (record.eventSource ?? record.EventSource) as string | undefined;
    const decode = source === undefined ? undefined : RECORD_DECODERS[source];
    return decode ? decode(record) : record;
  });
}
