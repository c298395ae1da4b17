/** A parameter value both back ends accept. */
export type SqlValue = string | number | null;

/** One statement of a batch; `expect` checks the number of changed rows (found rows, for a SELECT). */
export interface SqlStatement {
  sql: string;
  params: readonly SqlValue[];
  /** When set, a different number of changed rows aborts the batch with `mismatch()`. */
  expect?: { changes: number; mismatch: () => Error };
}

/**
 * What the stores need from a database. Statements use `?` placeholders (the PostgreSQL driver
 * numbers them). Internal: not exported from the package.
 */
export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgres';
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs one statement; resolves the number of changed rows. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs the statements in one transaction, in order; all or nothing. */
  batch(statements: readonly SqlStatement[]): Promise<void>;
  /**
   * Applies the pending schema migrations, reading the applied version in the same transaction
   * under the write lock; resolves the schema version. Optional: without it, `Persistence`
   * reads the version and then applies the migrations in one `batch`.
   */
  migrate?(now: number): Promise<number>;
  close(): Promise<void>;
}
