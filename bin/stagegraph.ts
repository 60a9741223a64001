#!/usr/bin/env node
import { main } from '../lib/cli/program';

// The pinned AWS SDK runs on Node.js 20; its notice that future SDK releases will need Node.js 22
// would otherwise interrupt every command's output (engines in package.json states what we need).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

void main(process.argv);
