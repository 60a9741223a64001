// The integration project starts the embedded local cloud once for the whole run (installing it first when
// needed) with the testing kit's Jest adapter, as a user's app does; a LocalStack that was already up, or the
// user's own (LOCALSTACK_ENDPOINT), is used as it is. global-teardown.ts stops it by the pid it started.
import * as path from 'path';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const PROJECT_DIR = path.join(__dirname, '..', '..');

export { default } from '../../lib/testing/jest-setup';
