// The packed package's entry point, made lazy after `tsc` (`npm run build`): each module lib/index.ts re-exports is
// required when one of its names is first read, not when the app does `import ... from 'stagegraph'`. aws-cdk-lib's
// index does the same. An app that uses functions and triggers no longer loads the HTTP API, the billing constructs,
// the Huawei target or the workflow nodes it does not use.
//
// The input is what TypeScript emits for lib/index.ts, which holds only `export { ... } from './module'` lines:
//   var x_1 = require("./x");
//   Object.defineProperty(exports, "A", { enumerable: true, get: function () { return x_1.A; } });
// Any other line fails the build, so a change to lib/index.ts that this cannot keep lazy is caught, not shipped eager.
//
// An app that is an ES module (`import { StageFunction } from 'stagegraph'`) gets the names Node finds in the file
// without running it (cjs-module-lexer): TypeScript's `exports.A = ... = void 0;` line, kept as it is. The lexer
// drops a name whose `Object.defineProperty(exports, "A", ...)` getter is not of TypeScript's own form, so the lazy
// getters are defined through a function of this file instead (Node then reads every name, loading each module).
import * as fs from 'fs';

const REQUIRE = /^var (\w+) = require\(("[^"\\]+")\);$/;
const GETTER =
  /^Object\.defineProperty\(exports, ("\w+"), \{ enumerable: true, get: function \(\) \{ return (\w+)\.(\w+); \} \}\);$/;
const LAZY_EXPORT =
  'function lazyExport(name, load, member) { ' +
  'Object.defineProperty(exports, name, { enumerable: true, get: function () { return load()[member]; } }); }';
const KEPT = [
  /^"use strict";$/,
  /^\/\/.*$/,
  /^$/,
  /^Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);$/,
  /^(exports\.\w+ = )+void 0;$/,
];

/** `source` (TypeScript's CommonJS output of an index of re-exports) with every require deferred to first use. */
export function lazyIndex(source: string, file = 'index.js'): string {
  const modules = new Map<string, string>();
  const lines = source.split('\n').map((line, i) => {
    const required = REQUIRE.exec(line);
    if (required) {
      const first = modules.size === 0;
      modules.set(required[1], required[2]);
      return `${first ? `${LAZY_EXPORT}\n` : ''}var ${required[1]};`;
    }
    const getter = GETTER.exec(line);
    if (getter) {
      const [, name, variable, member] = getter;
      const specifier = modules.get(variable);
      if (specifier === undefined) {
        throw new Error(`${file}:${i + 1}: ${variable} is read before it is required: ${line}`);
      }
      return `lazyExport(${name}, function () { return (${variable} ??= require(${specifier})); }, "${member}");`;
    }
    if (KEPT.some(pattern => pattern.test(line))) {
      return line;
    }
    throw new Error(
      `${file}:${i + 1}: not a re-export this build can make lazy (lib/index.ts may hold only ` +
        `\`export { ... } from './module'\` and \`export type\` lines): ${line}`,
    );
  });
  return lines.join('\n');
}

if (require.main === module) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    throw new Error('usage: tsx tools/lazy-index.ts <compiled index.js>...');
  }
  for (const file of files) {
    fs.writeFileSync(file, lazyIndex(fs.readFileSync(file, 'utf-8'), file));
  }
}
