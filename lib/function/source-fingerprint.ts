import { createHash, Hash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { IgnoreStrategy } from 'aws-cdk-lib';

/**
 * The fingerprint of a source folder: SHA-256 over each file's path relative to the folder and its content, in name
 * order, leaving out what `exclude` matches: glob patterns as CDK's `exclude` reads them (a name alone matches at any
 * depth), and patterns that start with `/`, which match a path from the folder only (`/target` is the build folder,
 * not `src/main/java/com/example/target`).
 *
 * It follows `FileSystem.fingerprint`'s rules: text files hash the same with CRLF or LF line ends, a symbolic link
 * inside the folder hashes as its target's name, and one to outside the folder is followed. What it leaves out is
 * CDK's fingerprint disk cache, which keeps one file per folder and at most 50 of them: with one folder per
 * function, past 50 functions every fingerprint rewrites its file and then lists and stats the whole cache folder
 * to evict the oldest (about 7% of a synth of 200 functions, BENCHMARKS.md). Content hashes are remembered in
 * memory instead, by file identity, modification time and size, for the life of the process.
 */
export function sourceFingerprint(dir: string, exclude: readonly string[]): string {
  const root = fs.realpathSync(dir);
  const ignore = rememberedIgnore(root, exclude);
  const hash = createHash('sha256');
  const ancestors = new Set<string>();

  const field = (key: string, value: string): void => {
    hash.update(`${key.length}:${key}${value.length}:${value}\n`);
  };
  const relative = (symbolic: string): string => path.relative(root, symbolic).split(path.sep).join('/');

  const walk = (symbolic: string, real: string): void => {
    if (ancestors.has(real)) {
      return; // a link back to a folder being walked
    }
    ancestors.add(real);
    const entries = fs.readdirSync(real, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const childSymbolic = path.join(symbolic, entry.name);
      const childReal = path.join(real, entry.name);
      if (entry.isSymbolicLink()) {
        visitLink(childSymbolic, childReal);
      } else if (entry.isDirectory()) {
        visitDirectory(childSymbolic, childReal);
      } else if (entry.isFile() && !ignore.ignores(childSymbolic)) {
        field(`file:${relative(childSymbolic)}`, contentHash(childReal));
      }
    }
    ancestors.delete(real);
  };

  const visitDirectory = (symbolic: string, real: string): void => {
    if (!ignore.completelyIgnores(symbolic)) {
      walk(symbolic, real);
    }
  };

  const visitLink = (symbolic: string, real: string): void => {
    const target = fs.readlinkSync(real);
    const resolved = resolvedLink(real, target);
    const internal = resolved === root || resolved.startsWith(root + path.sep);
    const stats = internal ? undefined : statOrUndefined(resolved);
    if (stats?.isDirectory()) {
      visitDirectory(symbolic, resolved);
    } else if (stats?.isFile()) {
      if (!ignore.ignores(symbolic)) field(`file:${relative(symbolic)}`, contentHash(resolved));
    } else if (!ignore.ignores(symbolic)) {
      field(`link:${relative(symbolic)}`, internal ? relative(resolved) : target);
    }
  };

  walk(root, root);
  return hash.digest('hex');
}

/** CDK's glob answers by exclude list, then by question and path relative to the root: at most this many. */
const MAX_IGNORE_ANSWERS = 100_000;
const ignoreAnswers = new Map<string, Map<string, boolean>>();
let ignoreAnswerCount = 0;

/**
 * The anchored patterns (`/name`: from the root only), then CDK's `IgnoreStrategy.glob` over `root` with the others,
 * its answers remembered: it matches the path relative to the root against every pattern with a fresh `minimatch`
 * each time, and its answer depends on nothing else. Functions that share an
 * exclude list and file names (each one's `index.ts`) ask once.
 */
function rememberedIgnore(
  root: string,
  exclude: readonly string[],
): Pick<IgnoreStrategy, 'ignores' | 'completelyIgnores'> {
  const anchored = exclude.filter(pattern => pattern.startsWith('/')).map(pattern => pattern.replace(/^\/+|\/+$/g, ''));
  const strategy = IgnoreStrategy.glob(
    root,
    exclude.filter(pattern => !pattern.startsWith('/')),
  );
  const listKey = JSON.stringify(exclude);
  const remember = (question: 'ignores' | 'completelyIgnores', absolutePath: string): boolean => {
    const relative = path.relative(root, absolutePath);
    const key = `${question}:${relative}`;
    let answers = ignoreAnswers.get(listKey);
    const known = answers?.get(key);
    if (known !== undefined) {
      return known;
    }
    const posix = relative.split(path.sep).join('/');
    const answer =
      anchored.some(prefix => posix === prefix || posix.startsWith(`${prefix}/`)) || strategy[question](absolutePath);
    if (ignoreAnswerCount >= MAX_IGNORE_ANSWERS) {
      ignoreAnswers.clear();
      ignoreAnswerCount = 0;
      answers = undefined;
    }
    if (answers === undefined) {
      answers = new Map<string, boolean>();
      ignoreAnswers.set(listKey, answers);
    }
    answers.set(key, answer);
    ignoreAnswerCount++;
    return answer;
  };
  return {
    ignores: absolutePath => remember('ignores', absolutePath),
    completelyIgnores: absolutePath => remember('completelyIgnores', absolutePath),
  };
}

const CRLF = Buffer.from('\r\n');
/** At most this many content hashes are remembered; past it the memory starts again. */
const MAX_REMEMBERED = 100_000;
/** Content hashes by device, inode, modification time and size: a folder shared by many functions is read once. */
const remembered = new Map<string, string>();

/** SHA-256 of a file's content; a text file's (no NUL byte in its first 8 KB) with each CRLF read as LF. */
function contentHash(file: string): string {
  const stats = fs.statSync(file, { bigint: true });
  const id = `${stats.dev}:${stats.ino}:${stats.mtimeNs}:${stats.size}`;
  const known = remembered.get(id);
  if (known !== undefined) {
    return known;
  }
  const content = fs.readFileSync(file);
  const hash: Hash = createHash('sha256');
  if (content.subarray(0, 8192).includes(0)) {
    hash.update(content);
  } else {
    // Byte by byte, not decoded: every other byte counts as it is.
    let start = 0;
    for (let at = content.indexOf(CRLF); at !== -1; at = content.indexOf(CRLF, at + 2)) {
      hash.update(content.subarray(start, at));
      start = at + 1;
    }
    hash.update(content.subarray(start));
  }
  const digest = hash.digest('hex');
  if (remembered.size >= MAX_REMEMBERED) {
    remembered.clear();
  }
  remembered.set(id, digest);
  return digest;
}

function resolvedLink(linkPath: string, target: string): string {
  const absolute = path.isAbsolute(target) ? target : path.resolve(path.dirname(linkPath), target);
  try {
    return fs.realpathSync(absolute);
  } catch {
    return absolute; // a dangling link: hashed by its name
  }
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}
