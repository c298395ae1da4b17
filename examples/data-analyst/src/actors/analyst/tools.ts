import { basename } from 'node:path';
import { defineTool } from '@promethean-os/pantheon-core';
import { z } from 'zod';
import type { CsvTable, CsvValue } from '../../csv/csv-table';
import { csvQueryParameters } from '../../csv/query-schema';
import { queryTable } from '../../csv/query-table';

export const DESCRIBE_CSV = 'describe-csv';
export const QUERY_CSV = 'query-csv';

/** How many distinct values of a text column `describe-csv` lists. */
const LISTED_VALUES = 12;

/** A column as `describe-csv` shows it to the model. */
export type ColumnDescription =
  | { name: string; type: 'number'; empty: number; min: number | null; max: number | null }
  | { name: string; type: 'text'; empty: number; distinct: number; values: string[] };

/** What `describe-csv` returns. */
export interface TableDescription {
  file: string;
  rows: number;
  columns: ColumnDescription[];
}

/** The columns of `table` with their types, ranges and (for text) their most common values. */
export function describeTable(table: CsvTable): TableDescription {
  const columns = table.columns.map(({ name, type }): ColumnDescription => {
    const cells = table.rows.map((row) => row[name]).filter((cell) => cell !== null) as Array<
      Exclude<CsvValue, null>
    >;
    const empty = table.rows.length - cells.length;
    if (type === 'number') {
      const numbers = cells as number[];
      return {
        name,
        type,
        empty,
        min: numbers.length > 0 ? numbers.reduce((low, cell) => Math.min(low, cell)) : null,
        max: numbers.length > 0 ? numbers.reduce((high, cell) => Math.max(high, cell)) : null,
      };
    }
    const counts = new Map<string, number>();
    for (const cell of cells as string[]) counts.set(cell, (counts.get(cell) ?? 0) + 1);
    const values = [...counts]
      .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b))
      .slice(0, LISTED_VALUES)
      .map(([value]) => value);
    return { name, type, empty, distinct: counts.size, values };
  });
  return { file: basename(table.source), rows: table.rows.length, columns };
}

/** Shows the model what is in the table before it writes a query. */
export function describeCsvTool(table: CsvTable) {
  return defineTool({
    name: DESCRIBE_CSV,
    description: `Describes the CSV table ${basename(table.source)}: its row count, and each column's type (number or text), range of numbers, and most common text values (up to ${LISTED_VALUES}).`,
    parameters: z.strictObject({}),
    execute: (): TableDescription => describeTable(table),
  });
}

/**
 * Answers a question about the table with one aggregation: filters, an optional group-by, and
 * count/sum/avg/min/max. The arguments are validated against the table's columns and their types
 * before it runs (`TOOL_INVALID_ARGS` naming the field, e.g. `column: sum needs numbers`).
 */
export function queryCsvTool(table: CsvTable) {
  return defineTool({
    name: QUERY_CSV,
    description: `Runs one aggregation over the CSV table ${basename(table.source)}: keep the rows that pass the filters, optionally group them by a column, then count them or take the sum, average, minimum or maximum of a column. Call ${DESCRIBE_CSV} first to see the columns.`,
    parameters: csvQueryParameters(table),
    execute: (query) => queryTable(table, query),
  });
}
