import { InMemoryToolAdapter } from '@promethean-os/pantheon-adapters';
import { ToolError } from '@promethean-os/pantheon-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CsvTable, loadCsvTable } from '../../csv/csv-table';
import { SAMPLE_CSV } from '../../data-analyst';
import { DESCRIBE_CSV, describeCsvTool, QUERY_CSV, queryCsvTool } from './tools';

let table: CsvTable;
let tools: InMemoryToolAdapter;

beforeAll(async () => {
  table = await loadCsvTable(SAMPLE_CSV);
  tools = new InMemoryToolAdapter();
  tools.register(describeCsvTool(table));
  tools.register(queryCsvTool(table));
});

/** The `ToolError` a call through the tool port rejects with. */
async function rejection(args: Record<string, unknown>): Promise<ToolError> {
  const error = await tools.invoke(QUERY_CSV, args).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(ToolError.isInstance(error), `expected a ToolError, got ${String(error)}`).toBe(true);
  return error as ToolError;
}

describe('describe-csv', () => {
  it('shows the row count, each column’s type, the ranges and the common text values', async () => {
    const description = await tools.invoke(DESCRIBE_CSV, {});
    expect(description).toMatchObject({ file: 'sales.csv', rows: 40 });
    const columns = (description as { columns: unknown[] }).columns;
    expect(columns).toHaveLength(8);
    expect(columns).toContainEqual({
      name: 'region',
      type: 'text',
      empty: 0,
      distinct: 4,
      values: ['East', 'South', 'North', 'West'], // most orders first
    });
    expect(columns).toContainEqual({ name: 'units', type: 'number', empty: 0, min: 1, max: 23 });
    // A text column with more distinct values than it lists says how many there are.
    expect(columns).toContainEqual(
      expect.objectContaining({ name: 'order_id', distinct: 40, values: expect.any(Array) }),
    );
    expect(
      (
        columns.find((column) => (column as { name: string }).name === 'order_id') as {
          values: string[];
        }
      ).values,
    ).toHaveLength(12);
  });

  it('takes no arguments', async () => {
    const error = await tools.invoke(DESCRIBE_CSV, { file: 'other.csv' }).catch((e) => e);
    expect(error).toMatchObject({ code: 'TOOL_INVALID_ARGS' });
  });
});

describe('query-csv', () => {
  it('sums a column per group, largest first', async () => {
    const result = await tools.invoke(QUERY_CSV, {
      aggregate: 'sum',
      column: 'revenue_eur',
      groupBy: 'region',
      order: 'desc',
    });
    expect(result).toEqual({
      aggregate: 'sum',
      column: 'revenue_eur',
      filters: [],
      matchedRows: 40,
      groupBy: 'region',
      groups: [
        { key: 'South', value: 7608.8, rows: 11 },
        { key: 'East', value: 6501.3, rows: 11 },
        { key: 'West', value: 4337.5, rows: 9 },
        { key: 'North', value: 4145.7, rows: 9 },
      ],
    });
  });

  it('averages over the rows that pass the filters', async () => {
    const result = await tools.invoke(QUERY_CSV, {
      aggregate: 'avg',
      column: 'revenue_eur',
      filters: [{ column: 'product', op: '=', value: 'sleeping bag' }],
    });
    expect(result).toMatchObject({ matchedRows: 13, value: 1016.561538 });
  });

  it('counts the rows above a threshold', async () => {
    const result = await tools.invoke(QUERY_CSV, {
      aggregate: 'count',
      filters: [{ column: 'units', op: '>', value: 15 }],
    });
    expect(result).toMatchObject({ matchedRows: 13, value: 13 });
  });

  describe('bad arguments are TOOL_INVALID_ARGS naming the field; the tool does not run', () => {
    it.each([
      [
        'an unknown column',
        { aggregate: 'sum', column: 'profit' },
        'column',
        /expected one of "order_id"\|"date"\|.*\|"revenue_eur"/,
      ],
      [
        'an unknown group-by column',
        { aggregate: 'count', groupBy: 'country' },
        'groupBy',
        /expected one of/,
      ],
      [
        'an unknown filter column',
        { aggregate: 'count', filters: [{ column: 'country', op: '=', value: 'NO' }] },
        'filters[0].column',
        /expected one of/,
      ],
      [
        'a sum of a text column',
        { aggregate: 'sum', column: 'region' },
        'column',
        /sum needs numbers; "region" holds text \(number columns: units, unit_price_eur, revenue_eur\)/,
      ],
      ['a sum without a column', { aggregate: 'sum' }, 'column', /sum needs a column/],
      [
        'a text value for a number column',
        { aggregate: 'count', filters: [{ column: 'units', op: '>', value: 'ten' }] },
        'filters[0].value',
        /"units" holds numbers/,
      ],
      [
        'contains on a number column',
        { aggregate: 'count', filters: [{ column: 'units', op: 'contains', value: 1 }] },
        'filters[0].op',
        /"contains" compares text/,
      ],
      [
        'an unknown operator',
        { aggregate: 'count', filters: [{ column: 'units', op: '=~', value: 1 }] },
        'filters[0].op',
        /expected one of/,
      ],
      ['an unknown aggregate', { aggregate: 'median', column: 'units' }, 'aggregate', /expected/],
      ['a limit without groups', { aggregate: 'count', limit: 3 }, 'limit', /add groupBy/],
      ['a limit of 0', { aggregate: 'count', groupBy: 'region', limit: 0 }, 'limit', /0|>=1/],
      ['an argument it does not take', { aggregate: 'count', table: 'orders' }, '', /table/],
    ])('%s', async (_case, args, path, message) => {
      const before = structuredClone(table.rows);
      const error = await rejection(args);
      expect(error.code).toBe('TOOL_INVALID_ARGS');
      expect(error.toolName).toBe(QUERY_CSV);
      const issues = error.details?.issues as Array<{ path: string; message: string }>;
      expect(issues).toContainEqual({
        path: path === '' ? expect.any(String) : path,
        message: expect.stringMatching(message),
      });
      expect(error.message).toMatch(message);
      // Nothing was lost: the table is as it was, and the next good query answers.
      expect(table.rows).toEqual(before);
      await expect(tools.invoke(QUERY_CSV, { aggregate: 'count' })).resolves.toMatchObject({
        value: 40,
      });
    });
  });
});
