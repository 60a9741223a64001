import * as fs from 'fs';
import * as path from 'path';

/** The folder of an app that holds what stagegraph makes there: the local cloud, the build cache, outputs. */
export const STATE_FOLDER = '.stagegraph';

const GITIGNORE = `# stagegraph's local cloud state, build cache and outputs: never committed.\n*\n`;

/**
 * Writes a `.gitignore` that ignores everything into the `.stagegraph` folder that holds `dir`, when there is one and
 * it has none: the local cloud's state (with its functions' code and data), the build cache and synthesized outputs
 * stay out of the app's git without the user adding a line. Best effort: nothing depends on it.
 */
export function ignoreStateFolder(dir: string): void {
  const parts = path.resolve(dir).split(path.sep);
  const at = parts.lastIndexOf(STATE_FOLDER);
  if (at < 0) return;
  const folder = parts.slice(0, at + 1).join(path.sep);
  const file = path.join(folder, '.gitignore');
  if (fs.existsSync(file)) return;
  try {
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(file, GITIGNORE, { flag: 'wx' });
  } catch {
    // Written meanwhile by another process, or not writable.
  }
}
