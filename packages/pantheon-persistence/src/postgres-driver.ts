import pg from 'pg';
import type { GroupCommitDriver } from './group-commit';
import { migrationsTable, pendingMigrations } from './schema';
import type { SqlStatement, SqlValue } from './sql-driver';

/**
 * SQLSTATE classes that are about the connection or the server, not a statement: connection
 * exceptions, insufficient resources, operator intervention (including a statement timeout),
 * system and internal errors.
 */
const UNAVAILABLE_CLASSES = new Set(['08', '53', '57', '58', 'XX']);

/** A parameter as an SQL literal; `undefined` for a number SQL cannot spell. */
function literal(value: SqlValue): string | undefined {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    return value < 0 ? `(${value})` : String(value);
  }
  return pg.escapeLiteral(value);
}

/** Clients whose `ROLLBACK` failed: their connection is not reused. */
const brokenClients = new WeakMap<pg.PoolClient, Error>();

/** Ends the client's transaction; a client that cannot is marked broken. */
async function rollBack(client: pg.PoolClient): Promise<void> {
  try {
    await client.query('ROLLBACK');
  } catch (error) {
    brokenClients.set(client, error as Error);
  }
}

/** Lets a transaction's commit return before the server flushed its log. */
const LAZY_COMMIT = 'SET LOCAL synchronous_commit TO OFF';

/** Marks the error a failed `expect` raises inside a group's text. */
const EXPECT_TAG = 'pantheon-expect-failed';

/**
 * One statement with its parameters spelled as literals; with an `expect`, wrapped so that the
 * server itself checks the count and fails the whole text when it differs (casting a string
 * that names the tag to an integer: an error no data can cause). `undefined` when it cannot be
 * spelled: a non-finite number, or an `expect` on a statement that is not a SELECT, INSERT,
 * UPDATE or DELETE or that has its own RETURNING (the group is then written statement by
 * statement). A SELECT's `expect` counts the rows it finds (e.g. a fence that locks a row).
 */
function spelled(statement: SqlStatement): string | undefined {
  let index = 0;
  let spellable = true;
  const text = statement.sql.replace(/\?/g, () => {
    const value = literal(statement.params[index++] ?? null);
    if (value === undefined) spellable = false;
    return value ?? 'NULL';
  });
  if (!spellable) return undefined;
  if (!statement.expect) return text;
  const { sql } = statement;
  if (/\bRETURNING\b/i.test(sql)) return undefined;
  const select = /^\s*SELECT\b/i.test(sql);
  if (!select && !/^\s*(INSERT|UPDATE|DELETE)\b/i.test(sql)) return undefined;
  // The count is not a constant, so the cast is evaluated only when the counts differ.
  return `WITH changed AS (${select ? text : `${text} RETURNING 1`}),
    counted AS (SELECT count(*) AS n FROM changed)
    SELECT CASE WHEN n = ${statement.expect.changes} THEN 0
      ELSE CAST('${EXPECT_TAG}:' || n AS integer) END FROM counted`;
}

/**
 * The units as one text that begins, writes and commits — the whole group in one round trip —
 * with every `expect` checked by the server; `undefined` when a statement cannot be spelled.
 */
function groupText(
  units: readonly (readonly SqlStatement[])[],
  durable: boolean,
): string | undefined {
  const texts = durable ? ['BEGIN'] : ['BEGIN', LAZY_COMMIT];
  for (const statements of units) {
    for (const statement of statements) {
      const text = spelled(statement);
      if (text === undefined) return undefined;
      texts.push(text);
    }
  }
  texts.push('COMMIT');
  return texts.join(';\n');
}

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
export class PostgresDriver implements GroupCommitDriver {
  readonly dialect = 'postgres';
  readonly pool: pg.Pool;
  readonly schema: string;
  private readonly texts = new Map<string, string>();
  private readonly names = new Map<string, string>();

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

  /**
   * Reads run as named prepared statements (the server parses and plans each once per
   * connection): the stores' reads are a handful of fixed texts, run once or more per tick.
   */
  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const result = await this.pool.query({
      name: this.statementName(sql),
      text: this.text(sql),
      values: params as SqlValue[],
    });
    return result.rows as T[];
  }

  private statementName(sql: string): string {
    let name = this.names.get(sql);
    if (name === undefined) {
      name = `pantheon_read_${this.names.size}`;
      this.names.set(sql, name);
    }
    return name;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    const result = await this.pool.query(this.text(sql), params as SqlValue[]);
    return result.rowCount ?? 0;
  }

  async batch(statements: readonly SqlStatement[]): Promise<void> {
    await this.transaction(async (client) => {
      const mismatch = await this.runChecked(client, statements);
      if (mismatch) throw mismatch;
    });
  }

  /**
   * Commits the units in one transaction. Optimistically the whole group — begin, every
   * statement with its `expect` checked by the server, commit — goes in one round trip. When an
   * `expect` fails (a version conflict, an acknowledged message) nothing of it was written: the
   * group is written again unit by unit, each inside a savepoint — a unit whose `expect` fails
   * is rolled back to its savepoint (its outcome the mismatch) and the others commit. A lone
   * statement is sent alone (no transaction around it). `durable: false` sets
   * `synchronous_commit` off for the transaction.
   */
  async commitGroup(
    units: readonly (readonly SqlStatement[])[],
    { durable }: { durable: boolean },
  ): Promise<(Error | undefined)[]> {
    const only =
      durable && units.length === 1 && units[0]!.length === 1 ? units[0]![0]! : undefined;
    if (only) {
      const result = await this.pool.query(this.text(only.sql), only.params as SqlValue[]);
      const held = !only.expect || (result.rowCount ?? 0) === only.expect.changes;
      return [held ? undefined : only.expect!.mismatch()];
    }
    if (units.every((statements) => statements.length === 0)) return units.map(() => undefined);
    const text = groupText(units, durable);
    if (text !== undefined) {
      const held = await this.withClient(async (client) => {
        try {
          await client.query(text);
          return true;
        } catch (error) {
          // The text stopped at the error, inside its transaction.
          await rollBack(client);
          if (error instanceof pg.DatabaseError && error.message.includes(EXPECT_TAG)) {
            return false;
          }
          throw error;
        }
      });
      if (held) return units.map(() => undefined);
    }
    return this.transaction(async (client) => {
      if (!durable) await client.query(LAZY_COMMIT);
      const outcomes: (Error | undefined)[] = [];
      for (const statements of units) {
        await client.query('SAVEPOINT pantheon_unit');
        const mismatch = await this.runChecked(client, statements);
        if (mismatch) await client.query('ROLLBACK TO SAVEPOINT pantheon_unit');
        await client.query('RELEASE SAVEPOINT pantheon_unit');
        outcomes.push(mismatch);
      }
      return outcomes;
    });
  }

  isStatementError(error: unknown): boolean {
    return (
      error instanceof pg.DatabaseError &&
      typeof error.code === 'string' &&
      !UNAVAILABLE_CLASSES.has(error.code.slice(0, 2))
    );
  }

  /** Runs statements in order; the mismatch of the first failed `expect` stops them. */
  private async runChecked(
    client: pg.PoolClient,
    statements: readonly SqlStatement[],
  ): Promise<Error | undefined> {
    for (const statement of statements) {
      const result = await client.query(this.text(statement.sql), statement.params as SqlValue[]);
      if (statement.expect && (result.rowCount ?? 0) !== statement.expect.changes) {
        return statement.expect.mismatch();
      }
    }
    return undefined;
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
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await rollBack(client);
        throw error;
      }
    });
  }

  /**
   * Runs `work` on one pooled client, given back afterwards — destroyed instead when its
   * connection broke (an `error` event, or a failed `rollBack`).
   */
  private async withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A connection dying between two queries is reported as an event; without a listener it
    // would crash the process. The failing query rejects anyway.
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      return await work(client);
    } finally {
      client.off('error', onError);
      client.release(broken ?? brokenClients.get(client));
      brokenClients.delete(client);
    }
  }

  async close(): Promise<void> {
    if (this.pool.ended || this.pool.ending) return;
    await this.pool.end();
  }
}
