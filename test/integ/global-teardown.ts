import { stopLocalStack } from '../../lib/local/localstack-process';
import { PROJECT_DIR } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  if ((globalThis as { stagegraphStartedLocalStack?: boolean }).stagegraphStartedLocalStack) {
    await stopLocalStack(PROJECT_DIR);
  }
}
