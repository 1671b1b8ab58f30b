import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvCell, type ExportRow, formatRows } from '../../services/export-format.js';

async function* batches(...groups: ExportRow[][]): AsyncGenerator<ExportRow[]> {
  for (const g of groups) yield g;
}
const text = async (chunks: AsyncIterable<string>) => {
  let out = '';
  for await (const c of chunks) out += c;
  return out;
};

const NASTY: ExportRow[] = [
  { id: '1', name: 'Acme, Inc.', size: 1200.5 },
  { id: '2', name: 'The "Best" Deal', size: -40 },
  { id: '3', name: 'two\nlines\r\nhere', size: null },
  { id: '4', name: '=HYPERLINK("http://evil.example")', size: 0 },
  { id: '5', name: '+1 555 0100', size: 1 },
  { id: '6', name: '-minus', size: 2 },
  { id: '7', name: '@SUM(A1)', size: 3 },
  { id: '8', name: 'Zoë – ünïcødé 🚀', size: 4 },
  { id: '9', name: null, size: 5 },
];

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['=1+1', "'=1+1"],
    ['@cmd', "'@cmd"],
    ['\tTab', "'\tTab"],
    [-5, '-5'],
    [null, ''],
  ] as const)('%j → %j', (value, cell) => expect(csvCell(value)).toBe(cell));
});

describe('formatRows', () => {
  it('writes RFC 4180 CSV that a CSV parser reads back to the rows, formulas neutralised', async () => {
    const csv = await text(formatRows(['id', 'name', 'size'], batches(NASTY.slice(0, 4), [], NASTY.slice(4)), 'csv'));
    expect(csv.endsWith('\r\n')).toBe(true);
    const back = parse(csv, { columns: true, relax_quotes: false }) as Array<Record<string, string>>;
    expect(back).toHaveLength(NASTY.length);
    for (const [i, row] of NASTY.entries()) {
      const name = row.name === null ? '' : /^[=+\-@]/.test(String(row.name)) ? `'${row.name}` : row.name;
      expect(back[i]).toEqual({ id: row.id, name, size: row.size === null ? '' : String(row.size) });
    }
  });

  it('starts with a UTF-8 BOM only when asked', async () => {
    const plain = await text(formatRows(['id'], batches([{ id: '1' }]), 'csv'));
    const bom = await text(formatRows(['id'], batches([{ id: '1' }]), 'csv', { bom: true }));
    expect(plain.charCodeAt(0)).toBe('i'.charCodeAt(0));
    expect(bom.charCodeAt(0)).toBe(0xfeff);
    expect(parse(bom, { columns: true, bom: true })).toEqual([{ id: '1' }]);
  });

  it('writes JSON that parses back to the rows, batches joined, empty batches skipped', async () => {
    const json = await text(
      formatRows(['id', 'name', 'size'], batches([], NASTY.slice(0, 3), [], NASTY.slice(3)), 'json'),
    );
    expect(JSON.parse(json)).toEqual(NASTY);
    expect(JSON.parse(await text(formatRows(['id'], batches(), 'json')))).toEqual([]);
  });

  it('writes NDJSON: one row a line', async () => {
    const nd = await text(formatRows(['id', 'name', 'size'], batches(NASTY.slice(0, 5), NASTY.slice(5)), 'ndjson'));
    const lines = nd.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((l) => JSON.parse(l))).toEqual(NASTY);
  });
});
