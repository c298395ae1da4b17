import { readFile } from 'node:fs/promises';
import { csvInvalid } from './csv-error';

/** A column holds numbers when every non-empty cell is a number; text otherwise. */
export type ColumnType = 'number' | 'text';

/** A cell: a number in a number column, a string in a text column, `null` when empty. */
export type CsvValue = number | string | null;

/** One column of a table. */
export interface CsvColumn {
  name: string;
  type: ColumnType;
}

/** A parsed CSV file: typed columns and one record per data row. */
export interface CsvTable {
  /** Where it came from (the file path), for messages. */
  source: string;
  columns: CsvColumn[];
  rows: Array<Record<string, CsvValue>>;
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** One record of the file: its fields and the line it starts on. */
interface RawRecord {
  fields: string[];
  line: number;
}

/**
 * Splits CSV text into records (RFC 4180): fields separated by commas, records by LF or CRLF;
 * a quoted field may hold commas, line breaks and `""` for a quote. Empty lines are skipped.
 *
 * @throws ConfigError `CSV_INVALID` for an unclosed quote, a quote inside an unquoted field, or
 *   text after a closing quote, naming the line.
 */
function splitRecords(text: string, source: string): RawRecord[] {
  const records: RawRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let index = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark is not data
  let fieldStarted = false;

  const endField = () => {
    fields.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    // A line with nothing on it is not a record of one empty field.
    if (!(fields.length === 1 && fields[0] === '')) records.push({ fields, line: recordLine });
    fields = [];
  };

  while (index < text.length) {
    const char = text[index];
    if (char === '"' && !fieldStarted) {
      // A quoted field: runs to the next quote that is not doubled.
      const openedOn = line;
      index++;
      for (;;) {
        if (index >= text.length) {
          throw csvInvalid({
            file: source,
            line: openedOn,
            reason: 'a quoted field is not closed',
          });
        }
        const inner = text[index];
        if (inner === '"') {
          if (text[index + 1] === '"') {
            field += '"';
            index += 2;
            continue;
          }
          index++;
          break;
        }
        if (inner === '\n') line++;
        field += inner;
        index++;
      }
      fieldStarted = true;
      const next = text[index];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw csvInvalid({ file: source, line, reason: 'text after the closing quote of a field' });
      }
      continue;
    }
    if (char === ',') {
      endField();
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index++;
      endRecord();
      line++;
      recordLine = line;
    } else if (char === '"') {
      throw csvInvalid({
        file: source,
        line,
        reason: 'a quote inside an unquoted field (quote the whole field and double the quote)',
      });
    } else {
      field += char;
      fieldStarted = true;
    }
    index++;
  }
  if (fieldStarted || fields.length > 0) endRecord();
  return records;
}

/**
 * Parses CSV text whose first record names the columns. Cells are trimmed; an empty cell is
 * `null`. A column whose non-empty cells are all numbers (`12`, `-3.5`, `1e3`) is a number column.
 *
 * @throws ConfigError `CSV_INVALID` naming the line: no header, an empty or repeated column name,
 *   a row with more or fewer fields than the header, or a quoting error.
 */
export function parseCsv(text: string, source = 'CSV text'): CsvTable {
  const [header, ...records] = splitRecords(text, source);
  if (header === undefined) throw csvInvalid({ file: source, reason: 'the file is empty' });
  const names = header.fields.map((name) => name.trim());
  names.forEach((name, position) => {
    if (name === '') {
      throw csvInvalid({
        file: source,
        line: header.line,
        reason: `column ${position + 1} has no name`,
      });
    }
    if (names.indexOf(name) !== position) {
      throw csvInvalid({
        file: source,
        line: header.line,
        reason: `column name "${name}" is used twice`,
      });
    }
  });

  const cells = records.map(({ fields, line }) => {
    if (fields.length !== names.length) {
      throw csvInvalid({
        file: source,
        line,
        reason: `the row has ${count(fields.length, 'field')}; the header has ${count(names.length, 'column')}`,
      });
    }
    return fields.map((cell) => cell.trim());
  });

  const columns: CsvColumn[] = names.map((name, position) => {
    const filled = cells.map((row) => row[position] as string).filter((cell) => cell !== '');
    const numeric = filled.length > 0 && filled.every((cell) => NUMBER.test(cell));
    return { name, type: numeric ? 'number' : 'text' };
  });
  const rows = cells.map((row) =>
    Object.fromEntries(
      columns.map(({ name, type }, position): [string, CsvValue] => {
        const cell = row[position] as string;
        if (cell === '') return [name, null];
        return [name, type === 'number' ? Number(cell) : cell];
      }),
    ),
  );
  return { source, columns, rows };
}

/**
 * Reads and parses a CSV file (UTF-8).
 *
 * @throws ConfigError `CSV_INVALID` when the file cannot be read (the file-system error is the
 *   `cause`) or is not a table (see `parseCsv`).
 */
export async function loadCsvTable(file: string): Promise<CsvTable> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot be read';
    throw csvInvalid({ file, reason }, error);
  }
  return parseCsv(text, file);
}
