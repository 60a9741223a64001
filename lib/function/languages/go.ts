import * as fs from 'fs';
import * as path from 'path';
import { Runtime, RuntimeFamily } from 'aws-cdk-lib/aws-lambda';
import { runTool, toolPath } from '../../toolchain';
import { BuildSettings, BuildTarget, cpuOf, SourceBuilder, sourceFolder } from './builder';
import { LanguageSupport } from './language';
import { STATE_FOLDER } from '../../state-folder';

/** A library (layer) puts its executables under `/opt/bin`. */
const LIBRARY_FOLDER = 'bin';

/** Options of a Go build. */
export interface GoBuildOptions {
  /**
   * The package to build, relative to the module folder.
   * @default '.'
   */
  readonly packagePath?: string;
  /**
   * Extra build tags. `lambda.norpc` is always set (the provided runtimes need no RPC server).
   * @default []
   */
  readonly tags?: string[];
  /**
   * Build for a debugger: with symbols and DWARF, optimizations and inlining off (`-gcflags=all=-N -l`), and the
   * source paths kept, as Delve needs. `stagegraph dev --debug` swaps such a build in for the function it debugs.
   * @default false
   */
  readonly debug?: boolean;
}

/**
 * `go build` for Linux and the function's architecture, static (CGO off) and reproducible
 * (`-trimpath`, no build id, no VCS stamp), into an executable named `bootstrap` for the
 * `provided.al2023` runtime. A library puts the executable under `bin/`.
 */
export class GoBuilder extends SourceBuilder {
  constructor(
    dir: string,
    private readonly options: GoBuildOptions = {},
  ) {
    super(
      'go',
      sourceFolder(dir, 'go.mod', resolved => `Go code must be a module: no go.mod in ${resolved}`),
      // No `bootstrap`: the build writes it to its output folder, and a package of that name is source.
      ['vendor/**/testdata', 'cdk.out', STATE_FOLDER],
    );
  }

  protected describeOutput(settings: BuildSettings) {
    return {
      goarch: goArchOf(settings),
      packagePath: this.options.packagePath ?? '.',
      tags: this.tags(),
      ...(this.options.debug ? { debug: true } : {}),
    };
  }

  public build(outputDir: string, settings: BuildSettings): void {
    const binary =
      settings.target === BuildTarget.LIBRARY
        ? path.join(outputDir, LIBRARY_FOLDER, path.basename(this.sourceDir))
        : path.join(outputDir, 'bootstrap');
    runTool(
      toolPath('STAGEGRAPH_GO', 'go'),
      [
        'build',
        ...(this.options.debug
          ? ['-gcflags=all=-N -l', '-ldflags=-buildid=']
          : ['-trimpath', '-ldflags=-s -w -buildid=']),
        '-buildvcs=false',
        `-tags=${this.tags().join(',')}`,
        '-o',
        binary,
        this.options.packagePath ?? '.',
      ],
      {
        cwd: this.sourceDir,
        env: { GOOS: 'linux', GOARCH: goArchOf(settings), CGO_ENABLED: '0' },
        what: `the Go code in ${this.sourceDir}`,
        install: 'Go (https://go.dev/doc/install)',
      },
    );
    fs.chmodSync(binary, 0o755);
  }

  private tags(): string[] {
    return [...new Set(['lambda.norpc', ...(this.options.tags ?? [])])].sort();
  }
}

function goArchOf(settings: BuildSettings): string {
  return cpuOf(settings.architecture) === 'arm64' ? 'arm64' : 'amd64';
}

/**
 * Go: a main package built into `bootstrap` for an OS-only runtime (`provided.al2023`), whose family is
 * OTHER, so the runtime's name tells it apart.
 */
export const GO: LanguageSupport<GoBuildOptions, 'go'> = {
  language: 'go',
  defaultRuntime: Runtime.PROVIDED_AL2023,
  canRun: runtime => runtime.family === RuntimeFamily.OTHER && runtime.name.startsWith('provided'),
  nativeCode: true,
  libraryFolder: LIBRARY_FOLDER,
  builder: (dir, options) => new GoBuilder(dir, options),
  entry: () => ({ handler: 'bootstrap' }),
};
