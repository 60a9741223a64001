import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

// Every TypeScript snippet in the README compiles against the library, as a user would import it.
jest.setTimeout(60_000);

const ROOT = path.join(__dirname, '..', '..');

function readmeSnippets(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map(match => match[1]);
}

test('the README has TypeScript snippets', () => {
  expect(readmeSnippets().length).toBeGreaterThanOrEqual(3);
});

test('every TypeScript snippet in the README compiles', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-readme-'));
  try {
    const files = readmeSnippets().map((snippet, i) => {
      const file = path.join(dir, `snippet-${i + 1}.ts`);
      fs.writeFileSync(file, snippet);
      return file;
    });
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      esModuleInterop: true,
      types: ['node', 'jest'],
      typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      baseUrl: ROOT,
      paths: { stagegraph: ['lib/index.ts'], 'stagegraph/testing': ['lib/testing/index.ts'], '*': ['node_modules/*'] },
    });
    const problems = ts.getPreEmitDiagnostics(program).map(d => {
      const where =
        d.file && d.start !== undefined
          ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}`
          : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(problems).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
