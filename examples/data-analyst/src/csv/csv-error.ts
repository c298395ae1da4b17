import { ConfigError } from '@promethean-os/pantheon-core';

// The example's own error code, added to Pantheon's registry the documented way, so that
// `new ConfigError(…, { code: 'CSV_INVALID' })` type-checks and callers can branch on it.
declare module '@promethean-os/pantheon-core' {
  interface PantheonErrorCodes {
    CSV_INVALID: 'the CSV file cannot be read, or is not a table: an unclosed quote, a row with the wrong number of fields, an empty or repeated column name; `details.file`, `details.line`';
  }
}

/** Where a CSV problem is: the file (or other source) and the 1-based line, when known. */
export interface CsvProblem {
  file: string;
  line?: number;
  reason: string;
}

/** A `ConfigError` with code `CSV_INVALID` naming the file, the line and what is wrong. */
export function csvInvalid(problem: CsvProblem, cause?: unknown): ConfigError {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  return new ConfigError(
    `${where}: ${problem.reason}`,
    { ...problem },
    { code: 'CSV_INVALID', cause },
  );
}
