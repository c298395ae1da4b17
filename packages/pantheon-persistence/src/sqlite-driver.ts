import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { SqlDriver, SqlStatement, SqlValue } from './sql-driver';

/** SQLite settings of `openSqlitePersistence`. */
export interface SqliteDriverOptions {
  /** A file path, or `':memory:'`. */
  file: string;
  /** Milliseconds a statement waits for another connection's lock. Default 5,000. */
  busyTimeoutMs?: number;
  /**
   * `'normal'` (default) survives a process crash — with WAL a committed transaction is never
   * lost when the process dies; `'full'` also survives an operating-system crash or power loss.
   */
  synchronous?: 'normal' | 'full';
}

/** `node:sqlite` behind the `SqlDriver` interface: one connection, statements cached. */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite';
  readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();

  constructor(options: SqliteDriverOptions) {
    this.db = new DatabaseSync(options.file);
    this.db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    if (options.file !== ':memory:') this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec(`PRAGMA synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.exec('PRAGMA foreign_keys = ON');
  }

  private prepare(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.prepare(sql).all(...params) as T[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return Number(this.prepare(sql).run(...params).changes);
  }

  /** Synchronous on purpose: nothing else can run on this connection inside the transaction. */
  async batch(statements: readonly SqlStatement[]): Promise<void> {
    this.prepare('BEGIN IMMEDIATE').run();
    try {
      for (const statement of statements) {
        const changes = Number(this.prepare(statement.sql).run(...statement.params).changes);
        if (statement.expect && changes !== statement.expect.changes)
          throw statement.expect.mismatch();
      }
      this.prepare('COMMIT').run();
    } catch (error) {
      if (this.db.isTransaction) this.prepare('ROLLBACK').run();
      throw error;
    }
  }

  /** Runs `sql` (several statements allowed) as is. */
  exec(sql: string): void {
    this.db.exec(sql);
  }

  async close(): Promise<void> {
    this.statements.clear();
    if (this.db.isOpen) this.db.close();
  }
}
