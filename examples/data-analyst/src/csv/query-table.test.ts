import { ConfigError } from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv-table';
import { queryIssues, queryTable } from './query-table';

const table = parseCsv(
  [
    'date,region,product,units,price',
    '2026-01-02,North,Lantern,10,2.5',
    '2026-01-05,South,Lantern,4,2.5',
    '2026-02-01,North,Thermos,6,',
    '2026-02-11,,Thermos,1,4',
    '2026-03-09,south,Tent,2,100.1',
  ].join('\n'),
  'shop.csv',
);

describe('queryTable', () => {
  it('counts rows, and sums, averages, and takes the min and max of a column', () => {
    expect(queryTable(table, { aggregate: 'count' })).toMatchObject({ matchedRows: 5, value: 5 });
    expect(queryTable(table, { aggregate: 'sum', column: 'units' }).value).toBe(23);
    // Empty cells are skipped: four prices, not five.
    expect(queryTable(table, { aggregate: 'avg', column: 'price' }).value).toBe(27.275);
    expect(queryTable(table, { aggregate: 'count', column: 'price' }).value).toBe(4);
    expect(queryTable(table, { aggregate: 'min', column: 'price' }).value).toBe(2.5);
    expect(queryTable(table, { aggregate: 'max', column: 'units' }).value).toBe(10);
    // Text compares alphabetically, so ISO dates sort.
    expect(queryTable(table, { aggregate: 'max', column: 'date' }).value).toBe('2026-03-09');
  });

  it('rounds away floating-point noise', () => {
    const cents = parseCsv('amount\n0.1\n0.2\n');
    expect(queryTable(cents, { aggregate: 'sum', column: 'amount' }).value).toBe(0.3);
  });

  it('filters with every operator; text compares case-insensitively; empty cells never match', () => {
    const count = (filter: Parameters<typeof queryTable>[1]['filters']) =>
      queryTable(table, { aggregate: 'count', filters: filter }).value;
    expect(count([{ column: 'region', op: '=', value: 'SOUTH' }])).toBe(2);
    expect(count([{ column: 'region', op: '!=', value: 'south' }])).toBe(2);
    expect(count([{ column: 'product', op: 'contains', value: 'ter' }])).toBe(2);
    expect(count([{ column: 'units', op: '>', value: 4 }])).toBe(2);
    expect(count([{ column: 'units', op: '>=', value: 4 }])).toBe(3);
    expect(count([{ column: 'units', op: '<', value: 4 }])).toBe(2);
    expect(count([{ column: 'units', op: '<=', value: 4 }])).toBe(3);
    expect(count([{ column: 'date', op: '>=', value: '2026-02-01' }])).toBe(3);
    expect(count([{ column: 'price', op: '!=', value: 2.5 }])).toBe(2);
    // Every filter must pass.
    expect(
      count([
        { column: 'region', op: '=', value: 'north' },
        { column: 'units', op: '>', value: 6 },
      ]),
    ).toBe(1);
  });

  it('aggregates per group, in key order, empty keys last', () => {
    const result = queryTable(table, { aggregate: 'sum', column: 'units', groupBy: 'region' });
    expect(result.groups).toEqual([
      { key: 'North', value: 16, rows: 2 },
      { key: 'South', value: 4, rows: 1 },
      { key: 'south', value: 2, rows: 1 },
      { key: null, value: 1, rows: 1 },
    ]);
    expect(result).toMatchObject({ groupBy: 'region', matchedRows: 5, filters: [] });
    expect(result.value).toBeUndefined();
  });

  it('sorts groups by value and keeps the first `limit`', () => {
    const top = queryTable(table, {
      aggregate: 'avg',
      column: 'price',
      groupBy: 'product',
      order: 'desc',
      limit: 2,
    });
    expect(top.groups).toEqual([
      { key: 'Tent', value: 100.1, rows: 1 },
      { key: 'Thermos', value: 4, rows: 2 },
    ]);
    const ascending = queryTable(table, {
      aggregate: 'count',
      groupBy: 'product',
      order: 'asc',
    });
    expect(ascending.groups?.map((group) => group.key)).toEqual(['Tent', 'Lantern', 'Thermos']);
  });

  it('gives null for an average of nothing and 0 for a sum of nothing', () => {
    const none = [{ column: 'units' as const, op: '>' as const, value: 99 }];
    expect(queryTable(table, { aggregate: 'avg', column: 'units', filters: none })).toMatchObject({
      matchedRows: 0,
      value: null,
    });
    expect(queryTable(table, { aggregate: 'sum', column: 'units', filters: none }).value).toBe(0);
  });
});

describe('queryIssues', () => {
  it('finds every way a query does not fit the table, by path', () => {
    expect(
      queryIssues(table, {
        aggregate: 'sum',
        column: 'region',
        groupBy: 'colour',
        filters: [
          { column: 'units', op: 'contains', value: 4 },
          { column: 'units', op: '>', value: 'four' },
          { column: 'region', op: '=', value: 3 },
          { column: 'weight', op: '=', value: 3 },
        ],
      }),
    ).toEqual([
      { path: ['filters', 0, 'op'], message: '"contains" compares text; "units" holds numbers' },
      { path: ['filters', 1, 'value'], message: '"units" holds numbers; compare it with a number' },
      { path: ['filters', 2, 'value'], message: '"region" holds text; compare it with a string' },
      {
        path: ['filters', 3, 'column'],
        message: 'no column "weight"; the columns are date, region, product, units, price',
      },
      {
        path: ['groupBy'],
        message: 'no column "colour"; the columns are date, region, product, units, price',
      },
      {
        path: ['column'],
        message: 'sum needs numbers; "region" holds text (number columns: units, price)',
      },
    ]);
    expect(queryIssues(table, { aggregate: 'avg' })).toEqual([
      { path: ['column'], message: 'avg needs a column' },
    ]);
    expect(queryIssues(table, { aggregate: 'count', order: 'desc', limit: 3 })).toEqual([
      { path: ['order'], message: 'order sorts or cuts groups; add groupBy' },
      { path: ['limit'], message: 'limit sorts or cuts groups; add groupBy' },
    ]);
  });

  it('makes queryTable throw INVALID_ARGUMENT instead of answering a query that does not fit', () => {
    let thrown: unknown;
    try {
      queryTable(table, { aggregate: 'sum', column: 'colour' });
    } catch (error) {
      thrown = error;
    }
    expect(ConfigError.isInstance(thrown)).toBe(true);
    expect(thrown).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('column: no column "colour"'),
      details: { issues: [expect.objectContaining({ path: ['column'] })] },
    });
  });
});
