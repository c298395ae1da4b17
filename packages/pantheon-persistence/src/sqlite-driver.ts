import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { GroupCommitDriver } from './group-commit';
import { migrationsTable, pendingMigrations } from './schema';
import type { SqlStatement, SqlValue } from './sql-driver';

/**
 * SQLite result codes (primary, the low byte of `errcode`) that mean a statement's own data or
 * SQL is at fault: SQLITE_ERROR, SQLITE_TOOBIG, SQLITE_CONSTRAINT, SQLITE_MISMATCH,
 * SQLITE_RANGE. Busy, locked, I/O, full or closed databases are not.
 */
const STATEMENT_ERRORS = new Set([1, 18, 19, 20, 25]);

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
export class SqliteDriver implements GroupCommitDriver {
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
      const mismatch = this.runChecked(statements);
      if (mismatch) throw mismatch;
      this.prepare('COMMIT').run();
    } catch (error) {
      if (this.db.isTransaction) this.prepare('ROLLBACK').run();
      throw error;
    }
  }

  /**
   * Commits the units in one `BEGIN IMMEDIATE` transaction, each inside its own savepoint: a
   * unit whose `expect` fails is rolled back to its savepoint (its outcome the mismatch) and the
   * others commit. Synchronous, like `batch`. (Every commit is equally durable here: with WAL and
   * `synchronous = NORMAL` no commit waits for a flush.)
   */
  async commitGroup(units: readonly (readonly SqlStatement[])[]): Promise<(Error | undefined)[]> {
    const outcomes: (Error | undefined)[] = [];
    this.prepare('BEGIN IMMEDIATE').run();
    try {
      for (const statements of units) {
        this.prepare('SAVEPOINT pantheon_unit').run();
        const mismatch = this.runChecked(statements);
        if (mismatch) this.prepare('ROLLBACK TO pantheon_unit').run();
        this.prepare('RELEASE pantheon_unit').run();
        outcomes.push(mismatch);
      }
      this.prepare('COMMIT').run();
    } catch (error) {
      if (this.db.isTransaction) this.prepare('ROLLBACK').run();
      throw error;
    }
    return outcomes;
  }

  isStatementError(error: unknown): boolean {
    const code = (error as { errcode?: unknown })?.errcode;
    return typeof code === 'number' && STATEMENT_ERRORS.has(code & 0xff);
  }

  /** Runs statements in order; the mismatch of the first failed `expect` stops them. */
  private runChecked(statements: readonly SqlStatement[]): Error | undefined {
    for (const statement of statements) {
      const prepared = this.prepare(statement.sql);
      const changes = /^\s*SELECT\b/i.test(statement.sql)
        ? prepared.all(...statement.params).length
        : Number(prepared.run(...statement.params).changes);
      if (statement.expect && changes !== statement.expect.changes)
        return statement.expect.mismatch();
    }
    return undefined;
  }

  /**
   * Applies the pending migrations in one `BEGIN IMMEDIATE` transaction that also reads the
   * applied version, synchronously: another connection opening the same file waits for the
   * lock and then finds nothing to do, and no other caller of this connection runs in between.
   */
  async migrate(now: number): Promise<number> {
    this.db.exec(migrationsTable('sqlite'));
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const row = this.db.prepare('SELECT MAX(version) AS version FROM pantheon_migrations').get();
      const from = Number(row?.version ?? 0);
      const migrations = pendingMigrations(from, 'sqlite', now);
      for (const migration of migrations) {
        for (const statement of migration.statements) this.db.exec(statement);
      }
      this.db.exec('COMMIT');
      return from + migrations.length;
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
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
