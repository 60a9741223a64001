import { Json, parseBody } from './json';

/** Whether an event is an HTTP request through API Gateway (a proxy integration). */
export function isHttpEvent(event: Json): boolean {
  return typeof event.httpMethod === 'string' && typeof event.requestContext === 'object';
}

/** The flow input of an HTTP request. */
export function httpFlowInput(event: Json): Json {
  return {
    trigger: 'http',
    method: event.httpMethod,
    path: event.path,
    pathParameters: event.pathParameters ?? {},
    query: event.queryStringParameters ?? {},
    body: parseBody(event.body),
  };
}
