import { DatabaseSync, type StatementSync } from 'node:sqlite';
import {
  type CommitUnit,
  type GroupCommitDriver,
  type UnitOutcome,
  unitStatements,
} from './group-commit';
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
  /** Whether each statement run with an `expect` is a SELECT (which counts the rows it finds). */
  private readonly selects = new Map<string, boolean>();

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
   * Commits the units in one `BEGIN IMMEDIATE` transaction. Optimistically every unit's
   * statements run one after the other; when an `expect` fails, the transaction is rolled back
   * and written again with each unit inside its own savepoint: a unit whose `expect` fails is
   * rolled back to its savepoint (its outcome the mismatch) and the others commit. Synchronous,
   * like `batch`. (Every commit is equally durable here: with WAL and `synchronous = NORMAL` no
   * commit waits for a flush.)
   */
  async commitGroup(units: readonly CommitUnit[]): Promise<UnitOutcome[]> {
    this.prepare('BEGIN IMMEDIATE').run();
    try {
      let held = true;
      for (const unit of units) {
        if (this.runChecked(unitStatements(unit))) {
          held = false;
          break;
        }
      }
      if (held) {
        this.prepare('COMMIT').run();
        return units.map(() => undefined);
      }
      this.prepare('ROLLBACK').run();
      this.prepare('BEGIN IMMEDIATE').run();
      const outcomes: UnitOutcome[] = [];
      for (const unit of units) {
        this.prepare('SAVEPOINT pantheon_unit').run();
        const mismatch = this.runChecked(unitStatements(unit));
        if (mismatch) this.prepare('ROLLBACK TO pantheon_unit').run();
        this.prepare('RELEASE pantheon_unit').run();
        outcomes.push(mismatch);
      }
      this.prepare('COMMIT').run();
      return outcomes;
    } catch (error) {
      if (this.db.isTransaction) this.prepare('ROLLBACK').run();
      throw error;
    }
  }

  isStatementError(error: unknown): boolean {
    const code = (error as { errcode?: unknown })?.errcode;
    return typeof code === 'number' && STATEMENT_ERRORS.has(code & 0xff);
  }

  /** Runs statements in order; the mismatch of the first failed `expect` stops them. */
  private runChecked(statements: readonly SqlStatement[]): Error | undefined {
    for (const statement of statements) {
      const { sql, params, expect } = statement;
      const prepared = this.prepare(sql);
      if (!expect) {
        prepared.run(...params);
        continue;
      }
      // A SELECT's expectation counts the rows it finds.
      const changes = this.isSelect(sql)
        ? prepared.all(...params).length
        : Number(prepared.run(...params).changes);
      if (changes !== expect.changes) return expect.mismatch();
    }
    return undefined;
  }

  private isSelect(sql: string): boolean {
    let select = this.selects.get(sql);
    if (select === undefined) {
      select = /^\s*SELECT\b/i.test(sql);
      this.selects.set(sql, select);
    }
    return select;
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
    this.selects.clear();
    if (this.db.isOpen) this.db.close();
  }
}
