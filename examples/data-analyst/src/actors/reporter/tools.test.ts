import { InMemoryToolAdapter } from '@promethean-os/pantheon-adapters';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../csv/csv-table';
import { CHART_CSV, chartCsvTool, renderBarChart } from './tools';

const table = parseCsv(
  ['region,product,units', 'North,Lantern,30', 'South,Lantern,15', 'North,Tent,1', ',Tent,2'].join(
    '\n',
  ),
  'shop.csv',
);
const tools = new InMemoryToolAdapter();
tools.register(chartCsvTool(table));

describe('renderBarChart', () => {
  it('draws bars as long as their share of the largest value, labels aligned', () => {
    expect(
      renderBarChart('Units', [
        { key: 'North', value: 30, rows: 2 },
        { key: 'South', value: 15, rows: 1 },
        { key: 'Far West', value: 0.5, rows: 1 },
        { key: null, value: 0, rows: 1 },
      ]),
    ).toBe(
      [
        'Units',
        `North     ${'█'.repeat(30)} 30`,
        `South     ${'█'.repeat(15)} 15`,
        'Far West  █ 0.50', // a value above zero always gets a bar
        '(empty)   0',
      ].join('\n'),
    );
  });

  it('draws a group without a value without a bar', () => {
    expect(renderBarChart('Average price', [{ key: 'Tent', value: null, rows: 1 }])).toBe(
      'Average price\nTent  no value',
    );
  });
});

describe('chart-csv', () => {
  it('charts a grouped query with a title from the query by default', async () => {
    expect(
      await tools.invoke(CHART_CSV, {
        aggregate: 'sum',
        column: 'units',
        groupBy: 'region',
        order: 'desc',
      }),
    ).toBe(
      [
        'Sum of units by region',
        `North    ${'█'.repeat(30)} 31`,
        `South    ${'█'.repeat(15)} 15`,
        `(empty)  ${'█'.repeat(2)} 2`,
      ].join('\n'),
    );
    expect(
      await tools.invoke(CHART_CSV, { aggregate: 'count', groupBy: 'product', title: 'Orders' }),
    ).toBe(`Orders\nLantern  ${'█'.repeat(30)} 2\nTent     ${'█'.repeat(30)} 2`);
  });

  it.each([
    ['no groups', { aggregate: 'count' }, 'groupBy'],
    ['an unknown group column', { aggregate: 'count', groupBy: 'colour' }, 'groupBy'],
    ['an average of text', { aggregate: 'avg', column: 'product', groupBy: 'region' }, 'column'],
    ['an empty title', { aggregate: 'count', groupBy: 'region', title: '' }, 'title'],
  ])('rejects %s with TOOL_INVALID_ARGS naming the field', async (_case, args, path) => {
    const error = await tools.invoke(CHART_CSV, args).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({
      code: 'TOOL_INVALID_ARGS',
      toolName: CHART_CSV,
      details: { issues: [expect.objectContaining({ path })] },
    });
    // The tool still draws the next good chart.
    await expect(
      tools.invoke(CHART_CSV, { aggregate: 'count', groupBy: 'region' }),
    ).resolves.toMatch(/^Number of rows by region\n/);
  });
});
