/** Small text-formatting helpers for the command line. */

/** Renders rows as an aligned text table; the first row is the header. */
export function table(rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** A number with at most 3 decimals and thousands separators for integers. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return groupThousands(n);
  return n.toFixed(Math.abs(n) >= 100 ? 1 : 3);
}

/**
 * `1234567` → `"1,234,567"`. Not `toLocaleString`: that loads ICU data, 6–7 MiB of RSS
 * measured here, which alone took `avbuf process` past its memory target.
 */
export function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(2)} MB`;
}
