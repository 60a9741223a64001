import * as fs from 'fs';
import * as path from 'path';

/** Bytes of the files below a folder; 0 when it does not exist. */
export function folderBytes(dir: string): number {
  if (!fs.existsSync(dir)) {
    return 0;
  }
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(full) : fs.statSync(full).size;
  }
  return total;
}
