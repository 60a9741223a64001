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
  // Java 17: the JDK the CI machine has.
  java: "StageCode.fromJava('functions/java', { handler: 'hello.Handler::handleRequest', runtime: Runtime.JAVA_17 })",
};

/** Timeouts, s: Node.js's is short, so that the debugger test shows a paused invocation outlives it. */
const TIMEOUTS: Record<DevLanguage, number> = { nodejs: 2, python: 30, go: 30, java: 30 };

/**
 * The app's source: one stack per language (`Dev<Language>`), each with one function `Hello<Language>` (in a
 * variable `fn<Language>` that `extra` code may use).
 */
export function appSource(languages: readonly DevLanguage[], extra = ''): string {
  const lib = path.join(ROOT, 'lib').split(path.sep).join('/');
  return [
    "import { App, Duration, Stack } from 'aws-cdk-lib';",
    "import { Runtime } from 'aws-cdk-lib/aws-lambda';",
    `import { Flow, FunctionGraph, StageCode, StageFunction } from '${lib}';`,
    'const app = new App();',
    ...languages.map(l => {
      const name = `${l[0].toUpperCase()}${l.slice(1)}`;
      return (
        `const fn${name} = new StageFunction(new Stack(app, 'Dev${name}'), 'Hello${name}', ` +
        `{ code: ${FACTORIES[l]}, memorySize: ${l === 'java' ? 512 : 128}, timeout: Duration.seconds(${TIMEOUTS[l]}) });`
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
