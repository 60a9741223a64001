import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IgnoreStrategy } from 'aws-cdk-lib';
import { GoBuilder } from '../../../lib/function/languages/go';
import { JavaBuilder } from '../../../lib/function/languages/java';
import { NodejsBuilder } from '../../../lib/function/languages/nodejs';
import { PythonBuilder } from '../../../lib/function/languages/python';
import { sourceFingerprint } from '../../../lib/function/source-fingerprint';

let scratch: string;

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-fingerprint-'));
});

afterEach(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** A folder of files: relative path to content. */
function folder(name: string, files: Record<string, string | Buffer>): string {
  const dir = path.join(scratch, name);
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

const EXCLUDE = ['node_modules', 'vendor/**/testdata'];

describe('sourceFingerprint', () => {
  test('the same files in another folder give the same fingerprint; a changed, added or renamed file another', () => {
    const files = { 'index.ts': 'export const a = 1;\n', 'lib/util.ts': 'export const b = 2;\n' };
    const base = sourceFingerprint(folder('a', files), EXCLUDE);

    expect(sourceFingerprint(folder('b', files), EXCLUDE)).toBe(base);
    expect(sourceFingerprint(folder('c', { ...files, 'index.ts': 'export const a = 3;\n' }), EXCLUDE)).not.toBe(base);
    expect(sourceFingerprint(folder('d', { ...files, 'extra.ts': '' }), EXCLUDE)).not.toBe(base);
    expect(
      sourceFingerprint(folder('e', { 'main.ts': files['index.ts'], 'lib/util.ts': files['lib/util.ts'] }), EXCLUDE),
    ).not.toBe(base);
  });

  test('what exclude matches does not count, at the top and deeper down', () => {
    const files = { 'main.go': 'package main\n', 'vendor/x/y.go': 'package x\n' };
    const base = sourceFingerprint(folder('a', files), EXCLUDE);
    const withExcluded = folder('b', {
      ...files,
      'node_modules/pkg/index.js': 'module.exports = 1;\n',
      'vendor/x/testdata/big.bin': Buffer.alloc(64, 1),
    });

    expect(sourceFingerprint(withExcluded, EXCLUDE)).toBe(base);
    expect(sourceFingerprint(withExcluded, [])).not.toBe(base);
  });

  test('a pattern that starts with / leaves out the top of the folder only: a source folder of that name counts', () => {
    const exclude = ['/target', '/bootstrap', 'node_modules'];
    const files = { 'pom.xml': '<project/>\n', 'src/main/java/com/example/target/Aim.java': 'class Aim {}\n' };
    const base = sourceFingerprint(folder('a', files), exclude);
    // Maven's output at the top and dependencies anywhere change nothing.
    const built = folder('b', {
      ...files,
      'target/app.jar': Buffer.alloc(32, 2),
      'target/classes/Aim.class': Buffer.alloc(8, 3),
      bootstrap: Buffer.alloc(16, 4),
      'web/node_modules/x/index.js': 'module.exports = 2;\n',
    });
    expect(sourceFingerprint(built, exclude)).toBe(base);
    // An edit below a package named like an excluded folder is seen, and so is a package named `bootstrap`.
    const edited = folder('c', { ...files, 'src/main/java/com/example/target/Aim.java': 'class Aim { int x; }\n' });
    expect(sourceFingerprint(edited, exclude)).not.toBe(base);
    const goPackage = folder('d', { ...files, 'internal/bootstrap/run.go': 'package bootstrap\n' });
    expect(sourceFingerprint(goPackage, exclude)).not.toBe(base);
    // The same folder with the names unanchored, as CDK's glob reads them: the package is left out too.
    expect(sourceFingerprint(edited, ['target', 'bootstrap', 'node_modules'])).toBe(
      sourceFingerprint(folder('e', files), ['target', 'bootstrap', 'node_modules']),
    );
  });

  test('a text file hashes the same with CRLF or LF; a binary file byte for byte', () => {
    expect(sourceFingerprint(folder('crlf', { 'a.py': 'x = 1\r\ny = 2\r\n' }), [])).toBe(
      sourceFingerprint(folder('lf', { 'a.py': 'x = 1\ny = 2\n' }), []),
    );
    const binary = (body: string) => Buffer.concat([Buffer.from([0]), Buffer.from(body)]);
    expect(sourceFingerprint(folder('bin-crlf', { 'a.bin': binary('x\r\n') }), [])).not.toBe(
      sourceFingerprint(folder('bin-lf', { 'a.bin': binary('x\n') }), []),
    );
  });

  test('a link to outside the folder is followed; a link inside it counts by its target; a loop ends', () => {
    const shared = folder('shared', { 'util.ts': 'export const u = 1;\n' });
    const app = folder('app', { 'index.ts': 'export const a = 1;\n', 'other.ts': 'export const o = 1;\n' });
    fs.symlinkSync(shared, path.join(app, 'shared'));
    fs.symlinkSync('index.ts', path.join(app, 'alias.ts'));
    fs.symlinkSync(app, path.join(app, 'loop')); // back to the folder itself: inside it, so not followed
    const before = sourceFingerprint(app, []);

    fs.writeFileSync(path.join(shared, 'util.ts'), 'export const u = 2;\n');
    const afterExternalEdit = sourceFingerprint(app, []);
    fs.unlinkSync(path.join(app, 'alias.ts'));
    fs.symlinkSync('other.ts', path.join(app, 'alias.ts'));

    expect(afterExternalEdit).not.toBe(before);
    expect(sourceFingerprint(app, [])).not.toBe(afterExternalEdit);
  });

  test('every byte of a text file counts, whatever its encoding', () => {
    expect(sourceFingerprint(folder('e-acute', { 'a.txt': Buffer.from([0x63, 0x61, 0x66, 0xe9]) }), [])).not.toBe(
      sourceFingerprint(folder('e-grave', { 'a.txt': Buffer.from([0x63, 0x61, 0x66, 0xe8]) }), []),
    );
  });

  test('an edit that keeps the size is seen, though contents are remembered between calls', () => {
    const dir = folder('a', { 'index.ts': 'export const a = 1;\n' });
    const before = sourceFingerprint(dir, []);
    fs.writeFileSync(path.join(dir, 'index.ts'), 'export const a = 2;\n');
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(path.join(dir, 'index.ts'), later, later);

    expect(sourceFingerprint(dir, [])).not.toBe(before);
  });
  test("what counts is what CDK's glob keeps, whichever exclude list asked about the same path before", () => {
    const files = {
      'index.ts': 'a\n',
      'README.md': 'b\n',
      'docs/guide.md': 'c\n',
      'target/out.js': 'd\n',
      'src/target/keep.ts': 'e\n',
    };
    const lists = [['*.md'], ['*.md', '!README.md'], ['target'], ['docs'], []];
    // Twice round, so the second asks what the first remembered, each list after every other.
    for (const round of [1, 2]) {
      for (const [i, exclude] of lists.entries()) {
        const all = folder(`all-${round}-${i}`, files);
        const cdk = IgnoreStrategy.glob(all, exclude);
        const kept = Object.fromEntries(
          Object.entries(files).filter(([file]) => {
            const parts = file.split('/');
            // CDK's walk leaves out a folder it completely ignores, and a file it ignores.
            const folders = parts.slice(0, -1).map((_, at) => path.join(all, ...parts.slice(0, at + 1)));
            return !folders.some(dir => cdk.completelyIgnores(dir)) && !cdk.ignores(path.join(all, file));
          }),
        );

        // The kept files with nothing excluded: what the fingerprint of all with the list must equal.
        expect(sourceFingerprint(all, exclude)).toBe(sourceFingerprint(folder(`kept-${round}-${i}`, kept), []));
      }
    }
  });
});

describe("each builder's exclude list", () => {
  // Each language's builder and the file that makes a folder its project.
  const PROJECTS: Record<string, [(dir: string) => { exclude: readonly string[] }, Record<string, string>]> = {
    Java: [dir => new JavaBuilder(dir), { 'pom.xml': '<project/>\n' }],
    Go: [dir => new GoBuilder(dir), { 'go.mod': 'module x\n' }],
    'Node.js': [dir => new NodejsBuilder(dir), { 'index.ts': 'export const handler = 1;\n' }],
    Python: [dir => new PythonBuilder(dir), { 'index.py': 'x = 1\n' }],
  };
  // Outputs and tools' folders at the top of a function's folder change nothing; a source folder that happens to
  // have one of their names, deeper down, is source: an edit there must give a new fingerprint (a new build).
  test.each([
    ['Java', 'target/app.jar', 'src/main/java/com/example/target/Aim.java'],
    ['Go', 'vendor/y/testdata/big.bin', 'bootstrap/run.go'],
    ['Go', 'cdk.out/x', 'internal/bootstrap/run.go'],
    ['Node.js', 'dist/index.js', 'lib/dist/format.ts'],
    ['Python', 'venv/lib/site.py', 'app/venv/settings.py'],
    // The app's own folders, wherever the app sits in a function's folder (a module at the top of a repository).
    ['Node.js', 'infra/.stagegraph/state.json', 'lib/x.ts'],
    ['Python', 'infra/cdk.out/m.json', 'app/x.py'],
  ])('%s: %s is left out, %s counts', (language, output, source) => {
    const [builder, base] = PROJECTS[language];
    const dir = folder('project', { ...base, [source]: 'one\n' });
    const { exclude } = builder(dir);
    const before = sourceFingerprint(dir, exclude);

    fs.mkdirSync(path.dirname(path.join(dir, output)), { recursive: true });
    fs.writeFileSync(path.join(dir, output), Buffer.alloc(16, 7));
    expect(sourceFingerprint(dir, exclude)).toBe(before);
    fs.writeFileSync(path.join(dir, source), 'two\n');
    expect(sourceFingerprint(dir, exclude)).not.toBe(before);
  });
});
