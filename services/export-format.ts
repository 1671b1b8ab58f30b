/**
 * Export rows as CSV (RFC 4180), JSON (one array) or NDJSON (a row a line), a chunk of text at a time so an export
 * of any size streams. CSV cells that a spreadsheet would run as a formula (text starting with `=`, `+`, `-`, `@`,
 * a tab or a carriage return) are prefixed with `'`, so they open as text; numbers are written as numbers.
 */
export const EXPORT_FORMATS = ['csv', 'json', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export type ExportValue = string | number | null;
export type ExportRow = Record<string, ExportValue>;

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: ExportValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Lines end in CRLF, as RFC 4180 says. */
export function csvLine(values: ExportValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** Turns batches of rows into text chunks of one format. */
export async function* formatRows(
  columns: string[],
  batches: AsyncIterable<ExportRow[]>,
  format: ExportFormat,
  opts: { bom?: boolean } = {},
): AsyncGenerator<string> {
  if (format === 'csv') {
    yield `${opts.bom ? '\uFEFF' : ''}${csvLine(columns)}`;
    for await (const rows of batches) yield rows.map((r) => csvLine(columns.map((c) => r[c] ?? null))).join('');
    return;
  }
  if (format === 'ndjson') {
    for await (const rows of batches) if (rows.length) yield rows.map((r) => `${JSON.stringify(r)}\n`).join('');
    return;
  }
  yield '[';
  let first = true;
  for await (const rows of batches) {
    if (rows.length === 0) continue;
    yield `${first ? '\n' : ',\n'}${rows.map((r) => JSON.stringify(r)).join(',\n')}`;
    first = false;
  }
  yield first ? ']\n' : '\n]\n';
}
