// Extract keywords (FunctionGraph document flow): the most frequent meaningful words of a text.
const STOP_WORDS = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both but by ' +
    'can could did do does doing down during each few for from further had has have having he her here hers herself him himself his how i if in ' +
    'into is it its itself just me more most my myself no nor not now of off on once only or other our ours ourselves out over own same she ' +
    'should so some such than that the their theirs them themselves then there these they this those through to too under until up very was ' +
    'we were what when where which while who whom why will with would you your yours yourself yourselves also us one two get got much many'
  ).split(' '),
);

export interface KeywordsEvent {
  readonly text?: string;
  /** How many keywords to return, 1 to 20. */
  readonly count?: number;
}

export interface Keyword {
  readonly word: string;
  readonly count: number;
}

export function keywords(text: string, count: number): Keyword[] {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().match(/[a-z][a-z'-]{2,}/g) ?? []) {
    if (!STOP_WORDS.has(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, count)
    .map(([word, n]) => ({ word, count: n }));
}

export async function handler(event: KeywordsEvent): Promise<{ keywords: Keyword[]; runtime: string }> {
  const count = Math.min(20, Math.max(1, event.count ?? 5));
  return { keywords: keywords(event.text ?? '', count), runtime: `node ${process.version}` };
}
