import { AppSummary } from '../app/assembly';

/**
 * A table of the functions, for the terminal. Not `textTable` (lib/terminal/text-table.ts): this table left-aligns the
 * runtime column
 * too and has no rule under its header, and `stagegraph synth` prints it as it always has.
 */
export function formatSummary(summary: AppSummary): string {
  const header = ['Function', 'Runtime', 'Memory', 'Timeout', 'Arch', 'Code'];
  const rows = summary.functions.map(f => [
    f.id,
    f.runtime,
    `${f.memoryMb} MB`,
    `${f.timeoutSeconds} s`,
    f.architecture,
    f.codeFrom === 'bucket' ? 'from bucket' : f.codeBytes === undefined ? 'not built' : formatBytes(f.codeBytes),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const title =
    `${summary.functions.length} function${summary.functions.length === 1 ? '' : 's'} in ` +
    `${summary.stacks.length} stack${summary.stacks.length === 1 ? '' : 's'} (${summary.stacks.join(', ')}), ${summary.resourceCount} resources`;
  return [title, '', line(header), ...rows.map(line)].join('\n');
}

/** Bytes for people: 980 B, 12.3 KB, 4.5 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  if (bytes < 1024 * 1024) {
    return `${(bytes / 1024).toFixed(1)} KB`;
  }
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
