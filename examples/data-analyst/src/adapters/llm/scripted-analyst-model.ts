import {
  HANDOFF_TOOL_NAME,
  type LlmCompleteOptions,
  type LlmPort,
  type Message,
} from '@promethean-os/pantheon-core';
import { DESCRIBE_CSV, QUERY_CSV, type TableDescription } from '../../actors/analyst/tools';
import { REPORTER_ID } from '../../actors/reporter';
import { CHART_CSV } from '../../actors/reporter/tools';
import { formatFigure } from '../../csv/format-figure';
import type { CsvFilter, CsvQuery, CsvQueryResult } from '../../csv/query-table';

const CHART_WORDS = /\b(chart|plot|graph|draw)/i;
/** Trailing name parts a question leaves out: "revenue" for `revenue_eur`. */
const UNIT_SUFFIXES = new Set(['eur', 'usd', 'gbp', 'kg', 'pct']);
const COMPARISONS: ReadonlyArray<[RegExp, CsvFilter['op']]> = [
  [/^(more than|over|above)$/, '>'],
  [/^at least$/, '>='],
  [/^(fewer than|less than|under|below)$/, '<'],
  [/^at most$/, '<='],
];
const AGGREGATE_WORDS = { sum: 'total', avg: 'average', min: 'lowest', max: 'highest' } as const;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How a question may name a column: `unit_price_eur` → "unit price eur", "unit price". */
function phrases(column: string): string[] {
  const words = column.toLowerCase().split(/[_\s]+/);
  const names = [words.join(' ')];
  if (words.length > 1 && UNIT_SUFFIXES.has(words.at(-1) as string)) {
    names.push(words.slice(0, -1).join(' '));
  }
  return names;
}

/** A regex source matching any phrase of `column`, with an optional plural "s". */
function columnPattern(column: string): string {
  return `(?:${phrases(column).map(escapeRegExp).join('|')})s?\\b`;
}

function mentions(text: string, pattern: string): RegExpExecArray | null {
  return new RegExp(`\\b${pattern}`, 'i').exec(text);
}

function formatNumber(value: unknown): string {
  return typeof value === 'number' ? formatFigure(value) : String(value);
}

function describeFilters(filters: readonly CsvFilter[]): string {
  return filters
    .map(({ column, op, value }) => `${column} ${op} ${formatNumber(value)}`)
    .join(' and ');
}

/**
 * The query a question asks for, read with fixed rules against the table's description: a
 * column named after "by"/"per" groups; words such as "total", "average", "highest", "how many"
 * pick the aggregate; a text value of the table ("North", "sleeping bags") or "more than 15
 * units" filters. `undefined` when the question names nothing the rules know.
 */
function readQuestion(question: string, table: TableDescription): CsvQuery | undefined {
  const text = question.toLowerCase();
  const columns = table.columns;
  const filters: CsvFilter[] = [];
  const used = new Set<string>();

  const groupBy = columns.find((column) =>
    mentions(text, `(?:by|per|for each|across)\\s+(?:the\\s+)?${columnPattern(column.name)}`),
  )?.name;
  if (groupBy) used.add(groupBy);

  for (const column of columns) {
    if (column.type !== 'number') continue;
    const match = mentions(
      text,
      `(more than|over|above|at least|fewer than|less than|under|below|at most)\\s+€?(-?\\d+(?:\\.\\d+)?)\\s*${columnPattern(column.name)}`,
    );
    const op = match && COMPARISONS.find(([words]) => words.test(match[1] as string))?.[1];
    if (match && op) {
      filters.push({ column: column.name, op, value: Number(match[2]) });
      used.add(column.name);
    }
  }
  for (const column of columns) {
    if (column.type !== 'text') continue;
    const value = column.values.find((candidate) =>
      mentions(text, `${escapeRegExp(candidate)}s?\\b`),
    );
    if (value !== undefined) filters.push({ column: column.name, op: '=', value });
  }

  const picked: CsvQuery['aggregate'] | undefined = /\b(average|mean)\b/.test(text)
    ? 'avg'
    : /\b(highest|largest|biggest|maximum|max|latest)\b/.test(text)
      ? 'max'
      : /\b(lowest|smallest|minimum|min|earliest)\b/.test(text)
        ? 'min'
        : undefined;
  // The measure: the longest-named column the question mentions that nothing else uses; a
  // number column, except for min and max (the latest date).
  const measure = columns
    .filter(
      (column) =>
        !used.has(column.name) &&
        (column.type === 'number' || picked === 'min' || picked === 'max'),
    )
    .map((column) => ({ name: column.name, match: mentions(text, columnPattern(column.name)) }))
    .filter((candidate) => candidate.match !== null)
    .sort((a, b) => (b.match?.[0].length ?? 0) - (a.match?.[0].length ?? 0))[0]?.name;

  const countsRows =
    /\bhow many\b|\bnumber of\b|\bcount\b/.test(text) &&
    !(measure && mentions(text, `how many\\s+${columnPattern(measure)}`));
  const aggregate = picked ?? (countsRows || !measure ? 'count' : 'sum');
  if (aggregate !== 'count' && !measure) return undefined;
  if (aggregate === 'count' && !groupBy && filters.length === 0 && !countsRows) return undefined;

  const query: CsvQuery = { aggregate };
  if (aggregate !== 'count') query.column = measure;
  if (filters.length > 0) query.filters = filters;
  if (groupBy) {
    query.groupBy = groupBy;
    query.order = 'desc';
  }
  return query;
}

/** The answer to a query's result, in one sentence. */
function answerFrom(result: CsvQueryResult, table: TableDescription): string {
  const where = result.filters.length > 0 ? ` where ${describeFilters(result.filters)}` : '';
  const measure =
    result.column === undefined
      ? 'number of rows'
      : result.aggregate === 'count'
        ? `number of ${result.column} values`
        : `${AGGREGATE_WORDS[result.aggregate]} ${result.column}`;
  const rows = `${result.matchedRows} of ${table.rows} rows`;
  if (result.groups) {
    const groups = result.groups
      .map((group) => `${group.key ?? '(empty)'} ${formatNumber(group.value)}`)
      .join(', ');
    return `${measure[0]?.toUpperCase()}${measure.slice(1)} by ${result.groupBy}${where}: ${groups} (${rows}).`;
  }
  if (result.column === undefined)
    return `${rows} match${where ? `: ${describeFilters(result.filters)}` : ''}.`;
  return `The ${measure}${where} is ${formatNumber(result.value)} (${rows}).`;
}

/** A question the rules can read, from the table's own columns. */
function example(table: TableDescription): string {
  const numbers = table.columns.filter((column) => column.type === 'number');
  const groups = table.columns
    .filter((column) => column.type === 'text')
    .filter((column) => column.distinct > 1)
    .sort((a, b) => a.distinct - b.distinct);
  const measure = numbers.at(-1)?.name;
  if (measure === undefined) return `How many rows are there by ${groups[0]?.name ?? 'a column'}?`;
  return groups[0]
    ? `What is the total ${measure} by ${groups[0].name}?`
    : `What is the total ${measure}?`;
}

/**
 * OFFLINE SCRIPTED STAND-IN FOR A REAL MODEL, so the example runs without a network or an API
 * key. It does not understand language: fixed rules on the last user message pick its moves.
 * Offered the hand-off tool and asked for a chart, it hands the conversation to the reporter.
 * Otherwise it first calls `describe-csv`, then reads a query from the question against the
 * columns it was shown (`readQuestion`) and calls `query-csv` — or `chart-csv` when that is the
 * tool it was offered — and finally words the result (`answerFrom`) or returns the chart. A
 * failed tool call is reported as it came back. Its tool call ids are numbered, so runs repeat.
 */
export class ScriptedAnalystModel implements LlmPort {
  static readonly label = 'SCRIPTED STAND-IN (fixed rules, not a language model)';
  private calls = 0;

  async complete(messages: Message[], options: LlmCompleteOptions = {}): Promise<Message> {
    const offered = new Set((options.tools ?? []).map((tool) => tool.name));
    const question = messages.findLast((message) => message.role === 'user')?.content ?? '';
    const last = messages.at(-1);

    if (offered.has(HANDOFF_TOOL_NAME) && CHART_WORDS.test(question)) {
      return this.call(HANDOFF_TOOL_NAME, { to: REPORTER_ID, reason: 'a chart was asked for' });
    }
    const described = messages.findLast(
      (message) => message.role === 'tool' && message.name === DESCRIBE_CSV,
    );
    if (!described) return this.call(DESCRIBE_CSV, {});
    if (described.metadata?.isError === true) return this.say(described.content);
    const table = JSON.parse(described.content) as TableDescription;

    if (last?.role === 'tool' && last.name !== DESCRIBE_CSV) {
      if (last.metadata?.isError === true) return this.say(`That did not work: ${last.content}`);
      if (last.name === CHART_CSV) return this.say(last.content);
      return this.say(answerFrom(JSON.parse(last.content) as CsvQueryResult, table));
    }

    const query = readQuestion(question, table);
    const columns = table.columns.map((column) => column.name).join(', ');
    if (!query) {
      return this.say(
        `I am a scripted stand-in, not a language model: I can only answer questions that name a column of the table (${columns}), e.g. "${example(table)}"`,
      );
    }
    if (offered.has(CHART_CSV)) {
      if (!query.groupBy) {
        return this.say(`A chart needs groups: ask for it "by" one of the columns (${columns}).`);
      }
      return this.call(CHART_CSV, { ...query });
    }
    return this.call(QUERY_CSV, { ...query });
  }

  private say(content: string): Message {
    return { role: 'assistant', content };
  }

  private call(name: string, args: Record<string, unknown>): Message {
    this.calls++;
    return {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: `call_scripted_${this.calls}`, name, args }],
    };
  }
}
