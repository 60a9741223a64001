// Starts the embedded LocalStack once for the whole integration project (installing it first
// when needed), unless LOCALSTACK_ENDPOINT names the user's own. Stopped by global-teardown.ts,
// by the pid this started; a LocalStack that was already up is left running.
import * as path from 'path';
import { installLocalStack } from '../../lib/local/install';
import { bootstrapLocal } from '../../lib/local/deploy';
import { startLocalStack } from '../../lib/local/localstack-process';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const PROJECT_DIR = path.join(__dirname, '..', '..');

export default async function globalSetup(): Promise<void> {
  if (!process.env.LOCALSTACK_ENDPOINT) {
    const started = Date.now();
    const install = installLocalStack({
      projectDir: PROJECT_DIR,
      onStep: text => process.stderr.write(`\n[integ] ${text}`),
    });
    if (install.installed) {
      process.stderr.write(`\n[integ] LocalStack installed in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    }
  }
  const started = Date.now();
  const status = await startLocalStack({ projectDir: PROJECT_DIR });
  process.stderr.write(
    `\n[integ] LocalStack ${status.started ? `started in ${((Date.now() - started) / 1000).toFixed(1)} s` : 'already running'} at ${status.endpoint}\n`,
  );
  (globalThis as { stagegraphStartedLocalStack?: boolean }).stagegraphStartedLocalStack = status.started;
  // Once, before test files deploy their apps in parallel.
  await bootstrapLocal();
}
