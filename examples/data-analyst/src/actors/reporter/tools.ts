import { basename } from 'node:path';
import { defineTool } from '@promethean-os/pantheon-core';
import type { CsvTable, CsvValue } from '../../csv/csv-table';
import { formatFigure } from '../../csv/format-figure';
import { csvChartParameters } from '../../csv/query-schema';
import { type CsvGroup, type CsvQuery, queryTable } from '../../csv/query-table';

export const CHART_CSV = 'chart-csv';

/** The longest bar, in characters. */
const BAR_WIDTH = 30;

function label(value: CsvValue): string {
  return value === null ? '(empty)' : String(value);
}

/** The default title: what was aggregated, and by what (`Sum of units by product`). */
export function chartTitle(query: CsvQuery & { groupBy: string }): string {
  const measure =
    query.column === undefined ? 'Number of rows' : `${query.aggregate} of ${query.column}`;
  return `${measure[0]?.toUpperCase()}${measure.slice(1)} by ${query.groupBy}`;
}

/**
 * A horizontal bar chart in plain text: one line per group, its label, a bar as long as its share
 * of the largest value, and the value. Groups without a value get no bar.
 */
export function renderBarChart(title: string, groups: readonly CsvGroup[]): string {
  const labels = groups.map((group) => label(group.key));
  const width = Math.max(0, ...labels.map((text) => text.length));
  const largest = Math.max(
    0,
    ...groups.map((group) => (typeof group.value === 'number' ? Math.abs(group.value) : 0)),
  );
  const lines = groups.map((group, index) => {
    const value = group.value;
    const length =
      typeof value === 'number' && largest > 0
        ? Math.max(value === 0 ? 0 : 1, Math.round((Math.abs(value) / largest) * BAR_WIDTH))
        : 0;
    const shown =
      typeof value === 'number' ? formatFigure(value) : value === null ? 'no value' : value;
    return `${(labels[index] as string).padEnd(width)}  ${'█'.repeat(length)}${length > 0 ? ' ' : ''}${shown}`;
  });
  return [title, ...lines].join('\n');
}

/** Draws a bar chart of one grouped aggregation over the table, as text. */
export function chartCsvTool(table: CsvTable) {
  return defineTool({
    name: CHART_CSV,
    description: `Draws a text bar chart of the CSV table ${basename(table.source)}: keep the rows that pass the filters, group them by a column, and draw one bar per group with its count, or the sum, average, minimum or maximum of a column. Returns the chart as text.`,
    parameters: csvChartParameters(table),
    execute({ title, ...query }): string {
      const result = queryTable(table, query);
      return renderBarChart(title ?? chartTitle(query), result.groups ?? []);
    },
  });
}
