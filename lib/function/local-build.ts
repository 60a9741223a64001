import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { BundlingOptions, ILocalBundling } from 'aws-cdk-lib';
import { findAppRoot } from './app-root';
import { BuildSettings, LanguageBuilder } from './languages/builder';
import { sourceFingerprint } from './source-fingerprint';
import { StageBuildError, StagegraphError } from '../errors';

/** Bump when a builder's output changes for the same input, so old cache entries are not reused. */
const BUILDER_VERSION = 1;

/** How a build is announced on standard error: `Building the <language> code of <construct path>...`. */
export const BUILD_ANNOUNCEMENT = 'Building the ';

/** What a build left for CDK to stage: the folder of the built code and the asset hash it is staged under. */
export interface BuiltOutput {
  /** The built code: a build cache entry, or the asset folder in the cloud assembly. */
  readonly dir: string;
  /**
   * The source fingerprint plus every output-relevant setting (`<language>-<32 hex>`): the asset's custom hash and
   * the build cache entry's name.
   */
  readonly key: string;
}

/**
 * A {@link LanguageBuilder}'s Docker-free build with a build cache keyed by the source fingerprint and the build
 * settings.
 *
 * The cache lives in `.stagegraph/build-cache` below the app root (see {@link findAppRoot}), or in
 * `STAGEGRAPH_BUILD_CACHE` (`off` disables it). A second synth of unchanged code takes the cached output instead of
 * building again; CDK itself also reuses `cdk.out/asset.<hash>`.
 */
export class LocalBuild implements ILocalBundling {
  /** Part of the cache key and the asset hash (plain JSON, no absolute paths). */
  public readonly settings: Record<string, string | number | boolean | readonly string[]>;
  readonly #builder: LanguageBuilder;
  readonly #buildSettings: BuildSettings;

  constructor(builder: LanguageBuilder, buildSettings: BuildSettings) {
    this.#builder = builder;
    this.#buildSettings = buildSettings;
    this.settings = { builderVersion: BUILDER_VERSION, ...builder.describe(buildSettings) };
  }

  /**
   * The built code for a cloud assembly whose assets go to `assetOutdir`, built only when neither the build cache
   * nor the assembly has it yet. A new build goes straight into the assembly's `asset.<hash>` folder, where CDK
   * finds it and copies nothing, and into the cache.
   *
   * @param assetHashOf the asset hash CDK gives a custom hash key, which names the asset folder it stages to
   * @throws StageBuildError naming `owner` when the build fails
   */
  public output(assetOutdir: string, assetHashOf: (key: string) => string): BuiltOutput {
    const key = this.cacheKey();
    const cacheDir = buildCacheDir();
    const entry = cacheDir ? path.join(cacheDir, key) : undefined;
    if (entry && fs.existsSync(entry)) {
      return { dir: entry, key };
    }
    const staged = path.join(assetOutdir, `asset.${assetHashOf(key)}`);
    if (fs.existsSync(staged)) {
      return { dir: staged, key };
    }
    const building = `${staged}-building`;
    fs.rmSync(building, { recursive: true, force: true });
    fs.mkdirSync(building, { recursive: true });
    const owner = this.#buildSettings.owner ?? this.#builder.sourceDir;
    process.stderr.write(`${BUILD_ANNOUNCEMENT}${this.#builder.language} code of ${owner}...\n`);
    try {
      this.#builder.build(building, this.#buildSettings);
      if (fs.readdirSync(building).length === 0) {
        throw new StageBuildError(`the ${this.#builder.language} build produced no files`);
      }
    } catch (error) {
      // Nothing half built is left in the assembly for a later synth to take.
      fs.rmSync(building, { recursive: true, force: true });
      throw buildFailure(owner, error);
    }
    fs.renameSync(building, staged);
    if (entry) {
      storeInCache(staged, entry);
    }
    return { dir: staged, key };
  }

  /**
   * Builds into `outputDir` as CDK local bundling. CDK calls it only for a stack being bundled, and stagegraph
   * stages those through {@link output}: this serves the stacks CDK skips (`cdk deploy OtherStack`), should it
   * ever be asked.
   */
  public tryBundle(outputDir: string, _options?: BundlingOptions): boolean {
    this.#builder.build(outputDir, this.#buildSettings);
    return true;
  }

  /** The cache key: the source fingerprint plus every output-relevant setting. */
  public cacheKey(): string {
    const source = sourceFingerprint(this.#builder.sourceDir, this.#builder.exclude);
    const hash = createHash('sha256').update(source).update(JSON.stringify(this.settings)).digest('hex');
    return `${this.#builder.language}-${hash.slice(0, 32)}`;
  }
}

/** A failed build as a toolchain error that names the function or library it was for. */
function buildFailure(owner: string, error: unknown): StageBuildError {
  const message = error instanceof Error ? error.message : String(error);
  const failure = new StageBuildError(
    error instanceof StagegraphError ? `${owner}: ${message}` : `${owner}: building its code failed: ${message}`,
  );
  failure.cause = error;
  return failure;
}

/** The build cache folder, or undefined when caching is off. */
export function buildCacheDir(): string | undefined {
  const fromEnv = process.env.STAGEGRAPH_BUILD_CACHE;
  if (fromEnv === 'off') {
    return undefined;
  }
  return fromEnv && fromEnv.length > 0
    ? path.resolve(fromEnv)
    : path.join(findAppRoot().dir, '.stagegraph', 'build-cache');
}

/** Copies a finished build into the cache atomically: readers never see half an entry. */
function storeInCache(outputDir: string, entry: string): void {
  const staging = `${entry}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(entry), { recursive: true });
    fs.cpSync(outputDir, staging, { recursive: true, preserveTimestamps: true });
    fs.renameSync(staging, entry);
  } catch {
    // A concurrent build stored the same entry first, or the cache is not writable: the build
    // itself succeeded, so the cache is only skipped.
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
