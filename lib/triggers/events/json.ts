/** An event or record as Lambda hands it over. */
export type Json = Record<string, unknown>;

/** A message body: its JSON value when it is JSON, else the text as it is. */
export function parseBody(text: unknown): unknown {
  if (typeof text !== 'string') return text ?? null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
