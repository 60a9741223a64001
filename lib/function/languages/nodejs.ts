import * as fs from 'fs';
import * as path from 'path';
import { Runtime, RuntimeFamily } from 'aws-cdk-lib/aws-lambda';
import type * as Esbuild from 'esbuild';
import { StageBuildError } from '../../errors';
import { runTool, toolPath } from '../../toolchain';
import { BuildSettings, BuildTarget, SourceBuilder } from './builder';
import { LanguageSupport } from './language';
import { STATE_FOLDER } from '../../state-folder';

/** A library (layer) puts its packages under `/opt/nodejs/node_modules`. */
const LIBRARY_FOLDER = 'nodejs';

/** The files tried, in order, when `StageCode.fromNodejs` is given a folder. */
export const NODEJS_ENTRY_NAMES = ['index.ts', 'index.mts', 'index.js', 'index.mjs', 'handler.ts', 'handler.js'];

/** Options of a Node.js build. */
export interface NodejsBuildOptions {
  /**
   * Modules left out of the bundle, to be provided by the runtime or a library.
   * @default [] - everything is bundled, the AWS SDK included, so the code runs the same locally
   */
  readonly externalModules?: string[];
  /**
   * Minify the bundle.
   * @default false - readable stack traces in the local sandbox
   */
  readonly minify?: boolean;
  /**
   * Emit an inline source map and enable `--enable-source-maps`.
   * @default false
   */
  readonly sourceMap?: boolean;
}

/** Bundles one TypeScript or JavaScript entry with esbuild into `index.js`. */
export class NodejsBuilder extends SourceBuilder {
  private readonly entry: string;

  constructor(
    entry: string,
    private readonly options: NodejsBuildOptions = {},
  ) {
    const resolved = path.resolve(entry);
    if (!fs.existsSync(resolved)) {
      throw new StageBuildError(`Node.js code not found: ${resolved} does not exist`);
    }
    super('nodejs', fs.statSync(resolved).isDirectory() ? resolved : path.dirname(resolved), [
      'node_modules',
      'cdk.out',
      '/dist',
      STATE_FOLDER,
    ]);
    this.entry = resolved;
  }

  /** The file esbuild starts from; a library (a folder with package.json) has none. */
  private get entryFile(): string {
    return resolveEntry(this.entry);
  }

  protected describeOutput(settings: BuildSettings) {
    return {
      entry:
        settings.target === BuildTarget.LIBRARY
          ? ''
          : path.relative(this.sourceDir, this.entryFile).split(path.sep).join('/'),
      esbuildTarget: esbuildTargetOf(settings),
      externalModules: [...(this.options.externalModules ?? [])].sort(),
      minify: this.options.minify ?? false,
      sourceMap: this.options.sourceMap ?? false,
    };
  }

  public build(outputDir: string, settings: BuildSettings): void {
    if (settings.target === BuildTarget.LIBRARY) {
      this.installLibrary(outputDir);
      return;
    }
    const result = esbuild().buildSync({
      entryPoints: [this.entryFile],
      absWorkingDir: this.sourceDir,
      outfile: path.join(outputDir, 'index.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: esbuildTargetOf(settings),
      external: this.options.externalModules ?? [],
      minify: this.options.minify ?? false,
      sourcemap: this.options.sourceMap ? 'inline' : false,
      legalComments: 'none',
      logLevel: 'silent',
      write: true,
    });
    if (result.errors.length > 0) {
      throw new StageBuildError(
        `Bundling ${this.entryFile} with esbuild failed: ${result.errors.map(e => e.text).join('; ')}`,
      );
    }
  }

  /** A Node.js library: the package's production dependencies under `nodejs/node_modules`. */
  private installLibrary(outputDir: string): void {
    const manifest = path.join(this.sourceDir, 'package.json');
    if (!fs.existsSync(manifest)) {
      throw new StageBuildError(`A Node.js library needs a package.json in ${this.sourceDir}`);
    }
    const target = path.join(outputDir, LIBRARY_FOLDER);
    fs.mkdirSync(target, { recursive: true });
    fs.copyFileSync(manifest, path.join(target, 'package.json'));
    const lock = path.join(this.sourceDir, 'package-lock.json');
    const hasLock = fs.existsSync(lock);
    if (hasLock) {
      fs.copyFileSync(lock, path.join(target, 'package-lock.json'));
    }
    runTool(
      toolPath('STAGEGRAPH_NPM', 'npm'),
      [hasLock ? 'ci' : 'install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'],
      {
        cwd: target,
        what: `the Node.js library in ${this.sourceDir}`,
        install: 'Node.js with npm',
      },
    );
  }
}

function esbuildTargetOf(settings: BuildSettings): string {
  const match = /^nodejs(\d+)/.exec(settings.runtime.name);
  return match ? `node${match[1]}` : 'node22';
}

function resolveEntry(entry: string): string {
  if (fs.statSync(entry).isFile()) {
    return entry;
  }
  for (const name of NODEJS_ENTRY_NAMES) {
    const candidate = path.join(entry, name);
    if (fs.existsSync(candidate)) {
      return candidate;
    }
  }
  throw new StageBuildError(
    `No Node.js entry in ${entry}: expected one of ${NODEJS_ENTRY_NAMES.join(', ')}, or pass the entry file`,
  );
}

/** Options of {@link StageCode.fromNodejs}. */
export interface NodejsCodeOptions extends NodejsBuildOptions {
  /**
   * The exported function that handles events.
   * @default 'handler'
   */
  readonly handler?: string;
  /**
   * A Node.js runtime.
   * @default Runtime.NODEJS_22_X
   */
  readonly runtime?: Runtime;
}

/** Node.js: TypeScript or JavaScript bundled into `index.js`, run locally by stagegraph's own bootstrap. */
export const NODEJS: LanguageSupport<NodejsCodeOptions, 'nodejs'> = {
  language: 'nodejs',
  defaultRuntime: Runtime.NODEJS_22_X,
  canRun: runtime => runtime.family === RuntimeFamily.NODEJS,
  nativeCode: false,
  libraryFolder: LIBRARY_FOLDER,
  builder: (dir, options) => new NodejsBuilder(dir, options),
  entry: options => ({ handler: `index.${options.handler ?? 'handler'}`, runtime: options.runtime }),
};

/**
 * esbuild, loaded at the first build: its load takes about 7 ms, which every synth paid at `import 'stagegraph'`,
 * though a synth whose builds all come from the build cache never bundles.
 */
function esbuild(): typeof Esbuild {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
  return require('esbuild') as typeof Esbuild;
}
