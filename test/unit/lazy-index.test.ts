// The packed package's index (tools/lazy-index.ts, run by `npm run build`): the compiled lib/index.ts, evaluated with
// a recording `require`, loads no module until a name is read, then only that name's module, once.
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { lazyIndex } from '../../tools/lazy-index';

const root = path.join(__dirname, '..', '..');
const compiled = ts.transpileModule(fs.readFileSync(path.join(root, 'lib', 'index.ts'), 'utf-8'), {
  compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
}).outputText;

/** Runs a CommonJS module whose `require` returns, for each specifier, an object with a marker per name read. */
function evaluate(code: string): { exports: Record<string, unknown>; required: string[] } {
  const required: string[] = [];
  const fakeRequire = (specifier: string): Record<string, string> => {
    required.push(specifier);
    return new Proxy({}, { get: (_, name) => `${specifier}#${String(name)}` });
  };
  const exports: Record<string, unknown> = {};
  new Function('exports', 'require', code)(exports, fakeRequire);
  return { exports, required };
}

describe('lazyIndex', () => {
  const eager = evaluate(compiled);
  const lazy = evaluate(lazyIndex(compiled));

  test('the compiled index requires its modules when loaded; the lazy one requires none', () => {
    expect(eager.required.length).toBeGreaterThan(30);
    expect(lazy.required).toEqual([]);
  });

  test('the lazy index exports the same names, with the same values, as the compiled one', () => {
    expect(Object.keys(lazy.exports).sort()).toEqual(Object.keys(eager.exports).sort());
    for (const name of Object.keys(eager.exports)) {
      expect([name, lazy.exports[name]]).toEqual([name, eager.exports[name]]);
    }
  });

  test('reading a name requires its own module only, and only the first time', () => {
    const { exports, required } = evaluate(lazyIndex(compiled));
    expect(exports.StageFunction).toBe('./function/stage-function#StageFunction');
    expect(exports.StageFunction).toBe('./function/stage-function#StageFunction');
    expect(exports.UsageError).toBe('./errors#UsageError');
    expect(exports.StageLanguage).toBe('./function/languages/registry#StageLanguage');
    expect(required).toEqual(['./function/stage-function', './errors', './function/languages/registry']);
  });

  test('a line it cannot make lazy fails the build, naming the file, line and what lib/index.ts may hold', () => {
    const starred = `${compiled}\n__exportStar(require("./usage"), exports);`;
    const line = starred.split('\n').length;
    expect(() => lazyIndex(starred, 'dist/lib/index.js')).toThrow(
      `dist/lib/index.js:${line}: not a re-export this build can make lazy (lib/index.ts may hold only ` +
        '`export { ... } from \'./module\'` and `export type` lines): __exportStar(require("./usage"), exports);',
    );
  });
});
