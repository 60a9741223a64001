import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ignoreStateFolder } from '../../lib/state-folder';
import { tempDirPerTest } from '../helpers';

describe("the app's .stagegraph folder", () => {
  const dir = tempDirPerTest('stagegraph-state-');

  test('is kept out of git, whole, by a .gitignore written the first time something goes in it', () => {
    const app = dir();
    execFileSync('git', ['init', '-q'], { cwd: app });
    const filesystem = path.join(app, '.stagegraph', 'localstack', 'filesystem');
    fs.mkdirSync(filesystem, { recursive: true });
    fs.writeFileSync(path.join(filesystem, 'metrics.db'), 'state');
    fs.writeFileSync(path.join(app, 'app.ts'), '');

    ignoreStateFolder(filesystem);

    expect(fs.readFileSync(path.join(app, '.stagegraph', '.gitignore'), 'utf-8')).toMatch(/^\*$/m);
    const untracked = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], {
      cwd: app,
      encoding: 'utf-8',
    });
    expect(untracked.trim().split('\n')).toEqual(['?? app.ts']);
  });

  test("a user's own .gitignore there is left as it is; a folder outside .stagegraph gets none", () => {
    const app = dir();
    fs.mkdirSync(path.join(app, '.stagegraph'));
    fs.writeFileSync(path.join(app, '.stagegraph', '.gitignore'), 'mine\n');
    ignoreStateFolder(path.join(app, '.stagegraph', 'build-cache', 'nodejs-1'));
    expect(fs.readFileSync(path.join(app, '.stagegraph', '.gitignore'), 'utf-8')).toBe('mine\n');

    ignoreStateFolder(path.join(app, 'cdk.out'));
    expect(fs.existsSync(path.join(app, '.gitignore'))).toBe(false);
    expect(fs.existsSync(path.join(app, 'cdk.out'))).toBe(false);
  });
});
