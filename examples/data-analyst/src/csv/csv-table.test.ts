import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@promethean-os/pantheon-core';
import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLE_CSV } from '../data-analyst';
import { loadCsvTable, parseCsv } from './csv-table';

const dir = mkdtempSync(join(tmpdir(), 'pantheon-data-analyst-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The `CSV_INVALID` error `run` throws. */
async function csvError(run: () => unknown): Promise<ConfigError> {
  const error = await Promise.resolve()
    .then(run)
    .then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
  expect(ConfigError.isInstance(error), String(error)).toBe(true);
  expect((error as ConfigError).code).toBe('CSV_INVALID');
  return error as ConfigError;
}

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF and a BOM', () => {
    const text =
      '\uFEFFname,note,amount\r\n"Peak Supplies, Ltd","said ""hi""",3\r\n' +
      'Trail & Co,"two\nlines",4.5\r\n';
    const table = parseCsv(text, 'inline.csv');
    expect(table.columns).toEqual([
      { name: 'name', type: 'text' },
      { name: 'note', type: 'text' },
      { name: 'amount', type: 'number' },
    ]);
    expect(table.rows).toEqual([
      { name: 'Peak Supplies, Ltd', note: 'said "hi"', amount: 3 },
      { name: 'Trail & Co', note: 'two\nlines', amount: 4.5 },
    ]);
  });

  it('types a column as numbers only when every filled cell is one; empty cells are null', () => {
    const table = parseCsv('id,score,code\n1,-2.5,007\n2,,A1\n3,1e3,\n');
    expect(table.columns.map((column) => column.type)).toEqual(['number', 'number', 'text']);
    expect(table.rows).toEqual([
      { id: 1, score: -2.5, code: '007' },
      { id: 2, score: null, code: 'A1' },
      { id: 3, score: 1000, code: null },
    ]);
  });

  it('trims cells and names, skips blank lines, and takes a last line without a newline', () => {
    const table = parseCsv(' a , b \n\n 1 , x \n\n2,y');
    expect(table.columns.map((column) => column.name)).toEqual(['a', 'b']);
    expect(table.rows).toEqual([
      { a: 1, b: 'x' },
      { a: 2, b: 'y' },
    ]);
  });

  it('keeps a header without rows as an empty table', () => {
    const table = parseCsv('region,units\n');
    expect(table.rows).toEqual([]);
    expect(table.columns.map((column) => column.type)).toEqual(['text', 'text']);
  });

  it.each([
    ['', 'the file is empty', undefined],
    ['a,b\n1,2\n3,"open\n', 'a quoted field is not closed', 3],
    ['a,b\n1,"x"y\n', 'text after the closing quote of a field', 2],
    ['a,b\n1,x"y\n', 'a quote inside an unquoted field', 2],
    ['a,b\n1,2\n3\n', 'the row has 1 field; the header has 2 columns', 3],
    ['a,b\n1,2,3\n', 'the row has 3 fields; the header has 2 columns', 2],
    ['a,,c\n1,2,3\n', 'column 2 has no name', 1],
    ['a,b,a\n1,2,3\n', 'column name "a" is used twice', 1],
  ])('rejects %j with CSV_INVALID: %s', async (text, reason, line) => {
    const error = await csvError(() => parseCsv(text, 'bad.csv'));
    expect(error.details).toEqual({
      file: 'bad.csv',
      reason: expect.stringContaining(reason),
      line,
    });
    expect(error.message).toBe(
      `bad.csv${line === undefined ? '' : `:${line}`}: ${error.details?.reason}`,
    );
  });
});

describe('loadCsvTable', () => {
  it('loads the bundled sample: 40 orders, typed columns', async () => {
    const table = await loadCsvTable(SAMPLE_CSV);
    expect(table.source).toBe(SAMPLE_CSV);
    expect(table.rows).toHaveLength(40);
    expect(table.columns).toEqual([
      { name: 'order_id', type: 'text' },
      { name: 'date', type: 'text' },
      { name: 'region', type: 'text' },
      { name: 'customer', type: 'text' },
      { name: 'product', type: 'text' },
      { name: 'units', type: 'number' },
      { name: 'unit_price_eur', type: 'number' },
      { name: 'revenue_eur', type: 'number' },
    ]);
    expect(table.rows[3]).toMatchObject({ customer: 'Nordic "Outdoor" Club', units: 16 });
    expect(table.rows[4]).toMatchObject({ product: 'Tent, 2-person', revenue_eur: 596 });
  });

  it('names the file when it does not exist, with the file-system error as cause', async () => {
    const file = join(dir, 'missing.csv');
    const error = await csvError(() => loadCsvTable(file));
    expect(error.message).toBe(`${file}: no such file`);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('names the file and line of a malformed file', async () => {
    const file = join(dir, 'ragged.csv');
    writeFileSync(file, 'region,units\nNorth,3\nSouth\n');
    const error = await csvError(() => loadCsvTable(file));
    expect(error.details).toMatchObject({ file, line: 3 });
  });
});
