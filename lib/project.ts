import * as fs from 'fs';
import * as path from 'path';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { StageBuildError, StageInputError } from './errors';

/**
 * The runtime of stagegraph's own functions (a flow's starter and resumer, the billing meter): the
 * newest Node.js that Lambda offers (the local cloud fetches its build at deploy).
 */
export const OWN_FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

/** The CLI's own package.json, found above this file in the source tree and in the packed library. */
export function ownPackage(): { readonly name: string; readonly version: string } {
  return JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf-8')) as {
    name: string;
    version: string;
  };
}

/** The folder of stagegraph's own package.json: the repository, or node_modules/stagegraph. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const manifest = JSON.parse(fs.readFileSync(candidate, 'utf-8')) as { name: string };
      if (manifest.name === 'stagegraph') {
        return dir;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new StageBuildError(
        `stagegraph's package.json was not found above ${__dirname}: the package is incomplete, install it again`,
      );
    }
    dir = parent;
  }
}

/** The `app` command of a project's cdk.json. */
export function cdkAppCommand(projectDir: string): string {
  const file = path.join(projectDir, 'cdk.json');
  if (!fs.existsSync(file)) {
    throw new StageInputError(`No cdk.json in ${projectDir}: run stagegraph in the folder of a CDK app`);
  }
  const config = JSON.parse(fs.readFileSync(file, 'utf-8')) as { app?: unknown };
  if (typeof config.app !== 'string' || config.app.length === 0) {
    throw new StageInputError(`${file} has no "app" command (for example "npx tsx bin/app.ts")`);
  }
  return config.app;
}

/**
 * The source of one of stagegraph's own functions (a flow's bridge, the billing meter, the JWT authorizer),
 * from `lib/handlers`: the TypeScript file when running from this repository, the compiled JavaScript in
 * the packed library.
 * @param name the file's name without extension
 */
export function handlerSource(name: string): string {
  const dir = path.join(__dirname, 'handlers');
  const source = path.join(dir, `${name}.ts`);
  return fs.existsSync(source) ? source : path.join(dir, `${name}.js`);
}
