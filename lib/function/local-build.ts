import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { BundlingOptions, ILocalBundling } from 'aws-cdk-lib';
import { findAppRoot } from './app-root';
import { copyTree } from './copy-tree';
import { BuildSettings, LanguageBuilder } from './languages/builder';
import { sourceFingerprint } from './source-fingerprint';
import { StageBuildError } from '../errors';
import { ignoreStateFolder, STATE_FOLDER } from '../state-folder';

/** Bump when a builder's output changes for the same input, so old cache entries are not reused. */
const BUILDER_VERSION = 1;

/**
 * Runs a {@link LanguageBuilder} as CDK local bundling, so that no Docker image is ever used,
 * with a build cache keyed by the source fingerprint and the build settings.
 *
 * The cache lives in `.stagegraph/build-cache` below the app root (see {@link findAppRoot}), or in
 * `STAGEGRAPH_BUILD_CACHE` (`off` disables it). A second synth of unchanged code copies the
 * cached output instead of building again; CDK itself also reuses `cdk.out/asset.<hash>`.
 */
export class LocalBuild implements ILocalBundling {
  /** Hashed by CDK into the asset hash (plain JSON, no absolute paths). */
  public readonly settings: Record<string, string | number | boolean | readonly string[]>;
  readonly #builder: LanguageBuilder;
  readonly #buildSettings: BuildSettings;
  #key?: string;

  /**
   * @param salt the app's `@aws-cdk/core:assetHashSalt`, if any: part of the key, as CDK puts it into every
   *   fingerprint
   */
  constructor(builder: LanguageBuilder, buildSettings: BuildSettings, salt?: string) {
    this.#builder = builder;
    this.#buildSettings = buildSettings;
    this.settings = {
      builderVersion: BUILDER_VERSION,
      ...builder.describe(buildSettings),
      ...(salt !== undefined ? { salt } : {}),
    };
  }

  public tryBundle(outputDir: string, _options?: BundlingOptions): boolean {
    // CDK makes the bundling folder writable by everyone, for a Docker build's user; it becomes the asset folder
    // in cdk.out, where another local user could swap the code before a deploy. No Docker here: the owner's alone.
    fs.chmodSync(outputDir, 0o755);
    if (fs.readdirSync(outputDir).length > 0) {
      // Made by someone else while it was open to all: not built on.
      throw new StageBuildError(`${outputDir} is not empty before the build: something else wrote into it`);
    }
    const cacheDir = buildCacheDir();
    const entry = cacheDir ? path.join(cacheDir, this.cacheKey()) : undefined;
    if (entry && fs.existsSync(entry)) {
      copyTree(entry, outputDir);
      return true;
    }
    this.#builder.build(outputDir, this.#buildSettings);
    if (entry) {
      storeInCache(outputDir, entry);
    }
    return true;
  }

  /**
   * The asset's custom hash and the cache entry's name: `<language>-<32 hex>` of the source fingerprint and every
   * output-relevant setting. Taken once: CDK then fingerprints nothing itself.
   */
  public cacheKey(): string {
    if (this.#key === undefined) {
      const source = sourceFingerprint(this.#builder.sourceDir, this.#builder.exclude);
      const hash = createHash('sha256').update(source).update(JSON.stringify(this.settings)).digest('hex');
      this.#key = `${this.#builder.language}-${hash.slice(0, 32)}`;
    }
    return this.#key;
  }
}

/** The build cache folder, or undefined when caching is off. */
export function buildCacheDir(): string | undefined {
  const fromEnv = process.env.STAGEGRAPH_BUILD_CACHE;
  if (fromEnv === 'off') {
    return undefined;
  }
  return fromEnv && fromEnv.length > 0
    ? path.resolve(fromEnv)
    : path.join(findAppRoot().dir, STATE_FOLDER, 'build-cache');
}

/**
 * Copies a finished build into the cache atomically: readers never see half an entry. The copy goes to a folder of
 * its own (a unique name: two processes of the same pid, in two containers sharing the cache, once removed each
 * other's), renamed to the entry when whole.
 */
function storeInCache(outputDir: string, entry: string): void {
  let staging: string | undefined;
  try {
    fs.mkdirSync(path.dirname(entry), { recursive: true });
    ignoreStateFolder(entry);
    staging = fs.mkdtempSync(`${entry}.tmp-`);
    fs.chmodSync(staging, 0o755);
    copyTree(outputDir, staging);
    fs.renameSync(staging, entry);
  } catch {
    // A concurrent build stored the same entry first, or the cache is not writable: the build
    // itself succeeded, so the cache is only skipped.
    if (staging !== undefined) {
      removeQuietly(staging);
    }
  }
}

/** Removes a folder, making its folders writable first (a build may have made one read-only); failing quietly. */
function removeQuietly(dir: string): void {
  try {
    const writable = (folder: string): void => {
      fs.chmodSync(folder, 0o700);
      for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
        if (entry.isDirectory()) {
          writable(path.join(folder, entry.name));
        }
      }
    };
    writable(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    // Left behind: a `.tmp-` folder beside the entries, never read as one.
  }
}
