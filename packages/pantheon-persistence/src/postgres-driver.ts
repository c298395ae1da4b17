import pg from 'pg';
import { migrationsTable, pendingMigrations } from './schema';
import type { SqlDriver, SqlStatement, SqlValue } from './sql-driver';

/** PostgreSQL settings of `openPostgresPersistence`. */
export interface PostgresDriverOptions {
  /** e.g. `postgres://user@127.0.0.1:5432/app`. */
  connectionString: string;
  /** Schema holding Pantheon's tables (created when missing). Default `'public'`. */
  schema?: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** Milliseconds to wait for a connection before failing. Default 5,000. */
  connectionTimeoutMs?: number;
  /** Milliseconds a statement may run before the server cancels it. Default 30,000. */
  statementTimeoutMs?: number;
  /**
   * `false` sets `synchronous_commit = off` for Pantheon's connections: commits return before
   * the server flushed its WAL — faster, still atomic and still safe when *this* process dies,
   * but a crash of the database server may lose the last few hundred milliseconds of commits.
   * Default `true`.
   */
  synchronousCommit?: boolean;
}

/** Numbers the `?` placeholders (the stores' SQL has no `?` inside literals). */
function numbered(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}

/** Quotes an identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * `pg` behind the `SqlDriver` interface. Every call checks a client out of the pool and gives it
 * back; a client whose connection broke is destroyed rather than reused, so the pool reconnects
 * by itself once the server is reachable again.
 */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres';
  readonly pool: pg.Pool;
  readonly schema: string;
  private readonly texts = new Map<string, string>();

  constructor(options: PostgresDriverOptions) {
    this.schema = options.schema ?? 'public';
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
      statement_timeout: options.statementTimeoutMs ?? 30_000,
      options: `-c search_path=${quoteIdentifier(this.schema)}${
        options.synchronousCommit === false ? ' -c synchronous_commit=off' : ''
      }`,
    });
    // An idle client losing its connection must not crash the process; the pool drops it.
    this.pool.on('error', () => {});
  }

  private text(sql: string): string {
    let text = this.texts.get(sql);
    if (text === undefined) {
      text = numbered(sql);
      this.texts.set(sql, text);
    }
    return text;
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const result = await this.pool.query(this.text(sql), params as SqlValue[]);
    return result.rows as T[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    const result = await this.pool.query(this.text(sql), params as SqlValue[]);
    return result.rowCount ?? 0;
  }

  async batch(statements: readonly SqlStatement[]): Promise<void> {
    await this.transaction(async (client) => {
      for (const statement of statements) {
        const result = await client.query(this.text(statement.sql), statement.params as SqlValue[]);
        if (statement.expect && (result.rowCount ?? 0) !== statement.expect.changes)
          throw statement.expect.mismatch();
      }
    });
  }

  /**
   * Applies the pending migrations in one transaction that first takes an advisory lock (per
   * schema) and reads the applied version: several processes may start at once; one migrates,
   * the others wait and find it done. Creates the schema when missing.
   */
  migrate(now: number): Promise<number> {
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `pantheon-migrations:${this.schema}`,
      ]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(this.schema)}`);
      await client.query(migrationsTable('postgres'));
      const applied = await client.query<{ version: number | null }>(
        'SELECT MAX(version) AS version FROM pantheon_migrations',
      );
      const from = Number(applied.rows[0]?.version ?? 0);
      const migrations = pendingMigrations(from, 'postgres', now);
      for (const migration of migrations) {
        for (const statement of migration.statements) await client.query(statement);
      }
      return from + migrations.length;
    });
  }

  /** Runs `work` in one transaction on one pooled client. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A connection dying between two queries is reported as an event; without a listener it
    // would crash the process. The failing query rejects anyway.
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError as Error;
      }
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.pool.ended || this.pool.ending) return;
    await this.pool.end();
  }
}
