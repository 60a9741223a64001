/**
 * Rows as an aligned text table: the first column left-aligned, the others right-aligned, a rule under
 * the header, and before `footer` (a total line) when there is one.
 */
export function textTable(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  footer?: readonly string[],
): string {
  const all = footer ? [...rows, footer] : rows;
  const widths = header.map((h, i) => Math.max(h.length, ...all.map(r => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const rule = widths.map(w => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line), ...(footer ? [rule, line(footer)] : [])].join('\n');
}
