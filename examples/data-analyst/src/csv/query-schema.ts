import { z } from 'zod';
import type { CsvTable } from './csv-table';
import { AGGREGATES, type CsvQuery, FILTER_OPERATORS, queryIssues } from './query-table';

/**
 * The fields of a query, with the table's column names as an enum: the model is shown the
 * columns in the tool's JSON Schema, and a name that is not one of them fails validation.
 */
function queryShape(table: CsvTable) {
  const column = z.enum(table.columns.map(({ name }) => name) as [string, ...string[]]);
  return {
    filters: z
      .array(
        z.strictObject({
          column,
          op: z.enum(FILTER_OPERATORS),
          value: z.union([z.string(), z.number()]).describe('A number for a number column'),
        }),
      )
      .max(20)
      .optional()
      .describe('Keep only the rows that pass every filter; text compares case-insensitively'),
    groupBy: column.optional().describe('One result per distinct value of this column'),
    aggregate: z
      .enum(AGGREGATES)
      .describe('count rows, or sum/avg/min/max of `column` (sum and avg need a number column)'),
    column: column.optional().describe('The column to aggregate; count may leave it out'),
    order: z.enum(['asc', 'desc']).optional().describe('Sort the groups by their value'),
    limit: z.int().min(1).max(100).optional().describe('Keep only the first groups'),
  };
}

/** Adds what `queryIssues` finds (a sum of a text column, …) as validation issues. */
function checkAgainst(table: CsvTable) {
  return (query: CsvQuery, context: z.RefinementCtx) => {
    for (const issue of queryIssues(table, query)) {
      context.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
  };
}

/** The arguments of a query over `table`, checked against its columns and their types. */
export function csvQueryParameters(table: CsvTable) {
  return z.strictObject(queryShape(table)).superRefine(checkAgainst(table));
}

/** The arguments of a chart over `table`: a grouped query and a title. */
export function csvChartParameters(table: CsvTable) {
  const shape = queryShape(table);
  return z
    .strictObject({
      ...shape,
      groupBy: shape.groupBy.unwrap().describe('One bar per distinct value of this column'),
      title: z.string().min(1).max(120).optional().describe('The title above the chart'),
    })
    .superRefine(checkAgainst(table));
}
