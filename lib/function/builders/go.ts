import * as fs from 'fs';
import * as path from 'path';
import { StageBuildError } from '../../errors';
import { BuildSettings, BuildTarget, cpuOf, LanguageBuilder, StageLanguage } from './builder';
import { runTool, toolPath } from './toolchain';

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
}

/**
 * `go build` for Linux and the function's architecture, static (CGO off) and reproducible
 * (`-trimpath`, no build id, no VCS stamp), into an executable named `bootstrap` for the
 * `provided.al2023` runtime. A library puts the executable under `bin/`.
 */
export class GoBuilder implements LanguageBuilder {
  public readonly language = StageLanguage.GO;
  public readonly sourceDir: string;
  public readonly exclude = ['vendor/**/testdata', 'cdk.out', '.stagegraph', 'bootstrap'];

  constructor(dir: string, private readonly options: GoBuildOptions = {}) {
    this.sourceDir = path.resolve(dir);
    if (!fs.existsSync(path.join(this.sourceDir, 'go.mod'))) {
      throw new StageBuildError(`Go code must be a module: no go.mod in ${this.sourceDir}`);
    }
  }

  public describe(settings: BuildSettings) {
    return {
      language: this.language,
      target: settings.target,
      goarch: goArchOf(settings),
      packagePath: this.options.packagePath ?? '.',
      tags: this.tags(),
    };
  }

  public build(outputDir: string, settings: BuildSettings): void {
    const binary = settings.target === BuildTarget.LIBRARY
      ? path.join(outputDir, 'bin', path.basename(this.sourceDir))
      : path.join(outputDir, 'bootstrap');
    runTool(toolPath('STAGEGRAPH_GO', 'go'), [
      'build',
      '-trimpath',
      '-buildvcs=false',
      '-ldflags=-s -w -buildid=',
      `-tags=${this.tags().join(',')}`,
      '-o', binary,
      this.options.packagePath ?? '.',
    ], {
      cwd: this.sourceDir,
      env: { GOOS: 'linux', GOARCH: goArchOf(settings), CGO_ENABLED: '0' },
      what: `the Go code in ${this.sourceDir}`,
      install: 'Go (https://go.dev/doc/install)',
    });
    fs.chmodSync(binary, 0o755);
  }

  private tags(): string[] {
    return [...new Set(['lambda.norpc', ...(this.options.tags ?? [])])].sort();
  }
}

function goArchOf(settings: BuildSettings): string {
  return cpuOf(settings.architecture) === 'arm64' ? 'arm64' : 'amd64';
}
