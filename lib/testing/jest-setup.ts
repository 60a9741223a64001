// Jest's globalSetup for stagegraph apps: starts the local cloud once for the whole run (installing it the first
// time), before any test file; each file's LocalCloud.start() then finds it running. In jest.config.js:
//   globalSetup: 'stagegraph/testing/jest-setup', globalTeardown: 'stagegraph/testing/jest-teardown'
import { LocalCloud } from './local-cloud';

/** The part of Jest's project configuration the setup reads. */
export interface JestProjectConfig {
  readonly rootDir?: string;
}

/** The local cloud the setup started, for the teardown (Jest runs both in one context). */
export const RUN_CLOUD = Symbol.for('stagegraph.testing.localCloud');

/** Starts or finds the local cloud for the project at Jest's rootDir; progress goes to stderr. */
export default async function globalSetup(_globalConfig?: unknown, projectConfig?: JestProjectConfig): Promise<void> {
  const cloud = await LocalCloud.start({
    projectDir: projectConfig?.rootDir ?? process.cwd(),
    onProgress: line => process.stderr.write(`[stagegraph] ${line}\n`),
  });
  (globalThis as Record<symbol, unknown>)[RUN_CLOUD] = cloud;
}
