import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findAppRoot, resolveCodePath } from '../../../lib/function/app-root';

describe('findAppRoot', () => {
  let scratch: string;
  let app: string;
  beforeEach(() => {
    // GIVEN an app folder with cdk.json, bin/app.ts, test/ and node_modules/, in a folder without cdk.json
    scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-root-')));
    app = path.join(scratch, 'app');
    for (const dir of ['bin', 'test/unit', 'node_modules/.bin']) {
      fs.mkdirSync(path.join(app, dir), { recursive: true });
    }
    fs.writeFileSync(path.join(app, 'cdk.json'), '{ "app": "npx tsx bin/app.ts" }');
  });
  afterEach(() => {
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('npx cdk synth: the folder of cdk.json above the entry file', () => {
    expect(findAppRoot({ entry: path.join(app, 'bin', 'app.ts'), cwd: app })).toEqual({
      dir: app,
      reason: `the folder of cdk.json above the entry file ${path.join(app, 'bin', 'app.ts')}`,
    });
  });

  test('npx tsx /app/bin/app.ts started in another folder: the entry file decides', () => {
    expect(findAppRoot({ entry: path.join(app, 'bin', 'app.ts'), cwd: scratch }).dir).toBe(app);
  });

  test('jest from test/: an entry in node_modules is a tool, so the cdk.json above the working directory decides', () => {
    const root = findAppRoot({
      entry: path.join(app, 'node_modules', '.bin', 'jest'),
      cwd: path.join(app, 'test', 'unit'),
    });

    expect(root).toEqual({
      dir: app,
      reason: `the folder of cdk.json above the working directory ${path.join(app, 'test', 'unit')}`,
    });
  });

  test('without cdk.json above the entry or the working directory, the working directory', () => {
    const elsewhere = path.join(scratch, 'elsewhere');
    fs.mkdirSync(elsewhere);

    expect(findAppRoot({ entry: path.join(elsewhere, 'script.js'), cwd: elsewhere }).dir).toBe(elsewhere);
  });

  test('a relative code path is resolved against the root; an absolute one is kept', () => {
    const hints = { entry: path.join(app, 'bin', 'app.ts'), cwd: path.join(app, 'test') };

    expect(resolveCodePath('functions/extract', hints)).toMatchObject({
      path: path.join(app, 'functions', 'extract'),
      root: { dir: app },
    });
    expect(resolveCodePath('/opt/code/', hints)).toEqual({ given: '/opt/code/', path: '/opt/code/' });
  });
});
