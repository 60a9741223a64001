// A user's project for `stagegraph dev`, made in a scratch folder: its own cdk.json and app, and copies of the
// fixture functions that the tests and the benchmark edit.
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures');

/** The languages of the project's functions: each is a copy of `test/fixtures/hello-<language>`. */
export type DevLanguage = 'nodejs' | 'python' | 'go' | 'java';

/** Where each function's source the test edits is. */
export const HANDLER_FILES: Record<DevLanguage, string> = {
  nodejs: 'greeting.ts',
  python: 'index.py',
  go: 'main.go',
  java: 'src/main/java/hello/Handler.java',
};

const FACTORIES: Record<DevLanguage, string> = {
  nodejs: "StageCode.fromNodejs('functions/nodejs')",
  python: "StageCode.fromPython('functions/python')",
  go: "StageCode.fromGo('functions/go')",
  java: "StageCode.fromJava('functions/java', { handler: 'hello.Handler::handleRequest' })",
};

/** The app's source: one stack per language (`Dev<Language>`), each with one function `Hello<Language>`. */
export function appSource(languages: readonly DevLanguage[], extra = ''): string {
  const lib = path.join(ROOT, 'lib').split(path.sep).join('/');
  return [
    "import { App, Stack } from 'aws-cdk-lib';",
    `import { StageCode, StageFunction } from '${lib}';`,
    'const app = new App();',
    ...languages.map(l => {
      const name = `${l[0].toUpperCase()}${l.slice(1)}`;
      return (
        `new StageFunction(new Stack(app, 'Dev${name}'), 'Hello${name}', ` +
        `{ code: ${FACTORIES[l]}, memorySize: ${l === 'java' ? 512 : 128} });`
      );
    }),
    extra,
    '',
  ].join('\n');
}

/** Makes the project in `dir` (emptied first) and returns it. */
export function makeDevProject(dir: string, languages: readonly DevLanguage[], extra = ''): string {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'functions'), { recursive: true });
  for (const language of languages) {
    fs.cpSync(path.join(FIXTURES, `hello-${language}`), path.join(dir, 'functions', language), {
      recursive: true,
      filter: source => !/[\\/](target|node_modules|__pycache__)$/.test(source),
    });
  }
  // The app resolves aws-cdk-lib and the toolchain from this repository's packages.
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: `${tsx} app.ts` }, null, 2));
  fs.writeFileSync(path.join(dir, 'app.ts'), appSource(languages, extra));
  return dir;
}
