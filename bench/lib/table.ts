/**
 * Plain-text tables for benchmark results, with ratios against a baseline row.
 *
 * @example
 * console.log(formatTable([
 *   { header: 'client', value: (r) => r.name, align: 'left' },
 *   { header: 'ops/s', value: (r) => r.opsPerSec.toFixed(0) },
 *   { header: 'vs s3lane', value: (r) => formatRatio(r.opsPerSec, baseline?.opsPerSec) },
 * ], rows));
 */
export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  /** Numbers read best right-aligned (the default); names left-aligned. */
  align?: 'left' | 'right';
}

export function formatTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => (line[i] ?? '').length)));
  const pad = (text: string, i: number): string => {
    const width = widths[i] ?? 0;
    return columns[i]?.align === 'left' ? text.padEnd(width) : text.padStart(width);
  };
  const line = (texts: readonly string[]): string => texts.map(pad).join('  ').trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(columns.map((column) => column.header)), rule, ...cells.map(line)].join('\n');
}

/** `value / baseline` as `1.23x`; `—` when either is missing or the baseline is zero. */
export function formatRatio(value: number | undefined, baseline: number | undefined): string {
  if (value === undefined || baseline === undefined || baseline === 0) return '—';
  return `${(value / baseline).toFixed(2)}x`;
}

/** A number with `digits` decimals, or `—` when missing. */
export function formatNumber(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

/** A rate with about three significant digits: `1234`, `56.7`, `1.23`, `0.045`; `—` when missing. */
export function formatRate(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  const magnitude = value === 0 ? 0 : Math.floor(Math.log10(Math.abs(value)));
  return value.toFixed(Math.max(0, 2 - magnitude));
}
