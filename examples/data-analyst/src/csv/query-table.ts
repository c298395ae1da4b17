import { ConfigError } from '@promethean-os/pantheon-core';
import type { CsvColumn, CsvTable, CsvValue } from './csv-table';

/** How the matching rows (or each group's rows) become one value. */
export const AGGREGATES = ['count', 'sum', 'avg', 'min', 'max'] as const;
export type Aggregate = (typeof AGGREGATES)[number];

/** Comparisons a filter can make. Text compares case-insensitively. */
export const FILTER_OPERATORS = ['=', '!=', '>', '>=', '<', '<=', 'contains'] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** Keeps the rows whose `column` compares to `value`; empty cells never match. */
export interface CsvFilter {
  column: string;
  op: FilterOperator;
  value: string | number;
}

/** One aggregation over the rows that pass every filter, optionally per group. */
export interface CsvQuery {
  filters?: CsvFilter[];
  /** One result per distinct value of this column. */
  groupBy?: string;
  aggregate: Aggregate;
  /** The column aggregated; `count` without one counts rows. */
  column?: string;
  /** Sorts groups by their value; by default groups come in key order. */
  order?: 'asc' | 'desc';
  /** Keeps the first `limit` groups. */
  limit?: number;
}

/** One group of a grouped query. */
export interface CsvGroup {
  key: CsvValue;
  value: CsvValue;
  /** Rows in the group. */
  rows: number;
}

/** What a query found. Numbers are rounded to 6 decimals. */
export interface CsvQueryResult {
  aggregate: Aggregate;
  column?: string;
  filters: CsvFilter[];
  /** Rows that passed the filters. */
  matchedRows: number;
  /** The result of an ungrouped query. */
  value?: CsvValue;
  groupBy?: string;
  /** The results of a grouped query. */
  groups?: CsvGroup[];
}

/** A query that does not fit the table: where in the query, and why. */
export interface QueryIssue {
  path: Array<string | number>;
  message: string;
}

function columnOf(table: CsvTable, name: string): CsvColumn | undefined {
  return table.columns.find((column) => column.name === name);
}

function numberColumns(table: CsvTable): string {
  const names = table.columns.filter((column) => column.type === 'number').map(({ name }) => name);
  return names.length > 0 ? `number columns: ${names.join(', ')}` : 'the table has none';
}

/**
 * What is wrong with `query` for `table` beyond its shape: unknown columns, `sum`/`avg` of a text
 * column, a filter value of the wrong type, `contains` on a number column, `order`/`limit`
 * without `groupBy`. Empty when the query can run.
 */
export function queryIssues(table: CsvTable, query: CsvQuery): QueryIssue[] {
  const issues: QueryIssue[] = [];
  const known = (name: string, path: QueryIssue['path']) => {
    const column = columnOf(table, name);
    if (!column) {
      const names = table.columns.map((entry) => entry.name).join(', ');
      issues.push({ path, message: `no column "${name}"; the columns are ${names}` });
    }
    return column;
  };

  (query.filters ?? []).forEach((filter, index) => {
    const column = known(filter.column, ['filters', index, 'column']);
    if (!column) return;
    const path = ['filters', index, 'value'];
    if (column.type === 'number' && filter.op === 'contains') {
      issues.push({
        path: ['filters', index, 'op'],
        message: `"contains" compares text; "${column.name}" holds numbers`,
      });
    } else if (column.type === 'number' && typeof filter.value !== 'number') {
      issues.push({ path, message: `"${column.name}" holds numbers; compare it with a number` });
    } else if (column.type === 'text' && typeof filter.value !== 'string') {
      issues.push({ path, message: `"${column.name}" holds text; compare it with a string` });
    }
  });

  if (query.groupBy !== undefined) known(query.groupBy, ['groupBy']);

  if (query.column === undefined) {
    if (query.aggregate !== 'count') {
      issues.push({ path: ['column'], message: `${query.aggregate} needs a column` });
    }
  } else {
    const column = known(query.column, ['column']);
    if (column?.type === 'text' && (query.aggregate === 'sum' || query.aggregate === 'avg')) {
      issues.push({
        path: ['column'],
        message: `${query.aggregate} needs numbers; "${column.name}" holds text (${numberColumns(table)})`,
      });
    }
  }

  if (query.groupBy === undefined) {
    for (const option of ['order', 'limit'] as const) {
      if (query[option] !== undefined) {
        issues.push({ path: [option], message: `${option} sorts or cuts groups; add groupBy` });
      }
    }
  }
  return issues;
}

function compareValues(left: number | string, right: number | string): number {
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  return String(left).localeCompare(String(right), 'en', { sensitivity: 'base' });
}

function matches(row: Record<string, CsvValue>, filter: CsvFilter): boolean {
  const cell = row[filter.column];
  if (cell === null || cell === undefined) return false;
  if (filter.op === 'contains') {
    return String(cell).toLowerCase().includes(String(filter.value).toLowerCase());
  }
  const order = compareValues(cell, filter.value);
  switch (filter.op) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
  }
}

function round(value: number): number {
  return Number.parseFloat(value.toFixed(6));
}

function aggregate(rows: ReadonlyArray<Record<string, CsvValue>>, query: CsvQuery): CsvValue {
  if (query.column === undefined) return rows.length; // count of rows
  const cells = rows
    .map((row) => row[query.column as string])
    .filter((cell): cell is number | string => cell !== null && cell !== undefined);
  switch (query.aggregate) {
    case 'count':
      return cells.length;
    case 'sum':
      return round((cells as number[]).reduce((total, cell) => total + cell, 0));
    case 'avg':
      return cells.length === 0
        ? null
        : round((cells as number[]).reduce((total, cell) => total + cell, 0) / cells.length);
    case 'min':
    case 'max': {
      if (cells.length === 0) return null;
      const sign = query.aggregate === 'min' ? -1 : 1;
      return cells.reduce((best, cell) => (sign * compareValues(cell, best) > 0 ? cell : best));
    }
  }
}

/**
 * Runs `query` over `table`: keeps the rows that pass every filter, then aggregates them, or each
 * group of them. `count` counts rows (or the non-empty cells of `column`); `sum`, `avg`, `min` and
 * `max` skip empty cells; `min`/`max` of a text column compare alphabetically (ISO dates sort).
 *
 * @throws ConfigError `INVALID_ARGUMENT` listing `queryIssues` when the query does not fit the
 *   table (the tools check this before they run it, so their callers get `TOOL_INVALID_ARGS`).
 */
export function queryTable(table: CsvTable, query: CsvQuery): CsvQueryResult {
  const issues = queryIssues(table, query);
  if (issues.length > 0) {
    throw new ConfigError(
      `The query does not fit ${table.source}: ${issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      { issues },
      { code: 'INVALID_ARGUMENT' },
    );
  }
  const filters = query.filters ?? [];
  const matched = table.rows.filter((row) => filters.every((filter) => matches(row, filter)));
  const result: CsvQueryResult = {
    aggregate: query.aggregate,
    ...(query.column === undefined ? {} : { column: query.column }),
    filters,
    matchedRows: matched.length,
  };
  if (query.groupBy === undefined) return { ...result, value: aggregate(matched, query) };

  const byKey = new Map<CsvValue, Array<Record<string, CsvValue>>>();
  for (const row of matched) {
    const key = row[query.groupBy] ?? null;
    const group = byKey.get(key);
    if (group) group.push(row);
    else byKey.set(key, [row]);
  }
  const groups = [...byKey].map(
    ([key, rows]): CsvGroup => ({
      key,
      value: aggregate(rows, query),
      rows: rows.length,
    }),
  );
  // Empty keys and values sort last in either direction.
  const direction = query.order === 'desc' ? -1 : 1;
  const sortOrder = (left: CsvValue, right: CsvValue, sign = 1) =>
    left === null || right === null
      ? Number(left === null) - Number(right === null)
      : sign * compareValues(left, right);
  groups.sort(
    (left, right) =>
      (query.order === undefined ? 0 : sortOrder(left.value, right.value, direction)) ||
      sortOrder(left.key, right.key),
  );
  return {
    ...result,
    groupBy: query.groupBy,
    groups: query.limit === undefined ? groups : groups.slice(0, query.limit),
  };
}
