// Aligned plain-text tables for the terminal (no dependency: a column is padded to its widest cell).

/** A column: a header and how to read its cell from a row. */
export interface Column<T> {
  readonly header: string;
  /** The cell's value for a row (dates print as ISO, null as `-`). */
  readonly value: (row: T) => unknown;
  /** Right-align (numbers). */
  readonly right?: boolean;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (value instanceof Date) return value.toISOString();
  return String(value).replace(/\s+/g, ' ');
}

/** Renders rows as an aligned table with a header line; "(none)" when there are no rows. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (columns[i].right ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n');
}
