import type { Json } from './json';

/** Whether an event is a Timer's (an EventBridge scheduled event). */
export function isTimerEvent(event: Json): boolean {
  return event['detail-type'] === 'Scheduled Event';
}

/** The flow input of a Timer's event. */
export function timerFlowInput(event: Json): Json {
  return { trigger: 'timer', time: event.time, rule: (event.resources as string[] | undefined)?.[0] };
}
