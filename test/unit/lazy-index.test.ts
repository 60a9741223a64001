// The packed package's index (tools/lazy-index.ts, run by `npm run build`): the compiled lib/index.ts, evaluated with
// a recording `require`, loads no module until a name is read, then only that name's module, once.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
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

  test('an ES module app imports every name by itself, as Node finds them in the file without running it', () => {
    // The lazy index beside a stub of each module it requires; Node's own loader does the import.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-lazy-index-'));
    try {
      const lazyCode = lazyIndex(compiled);
      fs.writeFileSync(path.join(dir, 'index.js'), lazyCode);
      for (const [, specifier] of lazyCode.matchAll(/require\("(\.[^"]+)"\)/g)) {
        const file = path.join(dir, `${specifier}.js`);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(
          file,
          `module.exports = new Proxy({}, { get: (_, name) => ${JSON.stringify(specifier)} + '#' + String(name) });`,
        );
      }
      const url = `file://${path.join(dir, 'index.js')}`;
      const script =
        `import * as all from '${url}'; import { StageFunction, Flow } from '${url}'; ` +
        'console.log(JSON.stringify({ names: Object.keys(all), StageFunction, Flow }));';
      const imported = JSON.parse(
        execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf-8' }),
      );

      expect(imported.names.filter((name: string) => !['default', '__esModule'].includes(name)).sort()).toEqual(
        Object.keys(eager.exports).sort(),
      );
      expect([imported.StageFunction, imported.Flow]).toEqual([
        './function/stage-function#StageFunction',
        './workflow/flow#Flow',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
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
