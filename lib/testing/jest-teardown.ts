// Jest's globalTeardown for stagegraph apps: stops the local cloud if the global setup started it; one that was
// running before the run (`stagegraph local up`) is left running.
import type { LocalCloud } from './local-cloud';
import { RUN_CLOUD } from './jest-setup';

export default async function globalTeardown(): Promise<void> {
  const cloud = (globalThis as Record<symbol, unknown>)[RUN_CLOUD] as LocalCloud | undefined;
  await cloud?.stop();
}
