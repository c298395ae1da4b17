import { ConfigError } from '@promethean-os/pantheon-core';
import pg from 'pg';
import {
  type CommitUnit,
  DEFERRED,
  type GroupCommitDriver,
  type UnitOutcome,
  unitStatements,
} from './group-commit';
import { failedUnits, groupText, LAZY_COMMIT, unitKeys } from './postgres-group';
import { migrationsTable, pendingMigrations } from './schema';
import type { SqlStatement, SqlValue } from './sql-driver';

/**
 * SQLSTATE classes that are about the connection or the server, not a statement: connection
 * exceptions, insufficient resources, operator intervention (including a statement timeout),
 * system and internal errors.
 */
const UNAVAILABLE_CLASSES = new Set(['08', '53', '57', '58', 'XX']);

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

/**
 * The indexes of the units a group can write together: each unit whose keys (`unitKeys`) no
 * earlier unit writes. The first unit always; the keys of a unit left out count too, so that two
 * units writing the same key are written in their order.
 */
function withoutConflicts(units: readonly CommitUnit[]): number[] {
  const claimed = new Set<string>();
  const chosen: number[] = [];
  units.forEach((unit, index) => {
    const keys = unitKeys(unit);
    if (index === 0 || !keys.some((key) => claimed.has(key))) chosen.push(index);
    for (const key of keys) claimed.add(key);
  });
  return chosen;
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
 * A schema name PostgreSQL takes as given: `ConfigError` (`CONFIG_ERROR`) for one it refuses
 * (empty, or `pg_…`, reserved for system schemas) or would cut to 63 bytes without a word —
 * two long names sharing their first 63 bytes would then share their tables.
 */
function checkSchemaName(schema: string): void {
  let reason: string | undefined;
  if (typeof schema !== 'string' || schema === '') reason = 'it is empty';
  else if (/^pg_/i.test(schema))
    reason = 'names starting with "pg_" are reserved for system schemas';
  else if (Buffer.byteLength(schema) > 63)
    reason = 'it is longer than 63 bytes, which PostgreSQL cuts it to';
  if (reason === undefined) return;
  throw new ConfigError(`PostgreSQL schema ${JSON.stringify(schema)} cannot be used: ${reason}`, {
    schema,
  });
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
    checkSchemaName(this.schema);
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
   * statement with its `expect` checked by the server, commit — goes in one round trip, the
   * statements of one bulk kind (acknowledgements, actor updates, history, stored and outbound
   * messages, publish marks) merged into one statement per kind, and a guard shared by several
   * units run once. A unit writing a key an earlier unit of the group writes (the same message or
   * actor) is left for the next transaction (`DEFERRED`), so that every row of a merged statement
   * is one unit's. When a check fails nothing was written: the server names the failed check, the
   * units it fails are left out (their outcome the mismatch) and the rest is sent again. A group
   * that cannot be sent as one text is written unit by unit, each inside a savepoint. A lone
   * statement is sent alone (no transaction around it). `durable: false` sets
   * `synchronous_commit` off for the transaction.
   */
  async commitGroup(
    units: readonly CommitUnit[],
    { durable }: { durable: boolean },
  ): Promise<UnitOutcome[]> {
    const lone = units.length === 1 && !units[0]!.guard && units[0]!.statements.length === 1;
    if (durable && lone) {
      const only = units[0]!.statements[0]!;
      const result = await this.pool.query(this.text(only.sql), only.params as SqlValue[]);
      const held = !only.expect || (result.rowCount ?? 0) === only.expect.changes;
      return [held ? undefined : only.expect!.mismatch()];
    }
    const outcomes: UnitOutcome[] = units.map(() => DEFERRED);
    let remaining = withoutConflicts(units);
    while (remaining.length > 0) {
      const batch = remaining.map((index) => units[index]!);
      const group = groupText(batch, durable);
      const failed =
        group && (await this.sendGroup(group.text, (error) => failedUnits(group, error)));
      if (failed === undefined || failed.size === 0) {
        // Sent (`failed` empty), or it must be written unit by unit.
        const written = failed ? batch.map(() => undefined) : await this.unitByUnit(batch, durable);
        remaining.forEach((index, position) => {
          outcomes[index] = written[position];
        });
        break;
      }
      for (const [position, mismatch] of failed) outcomes[remaining[position]!] = mismatch();
      remaining = remaining.filter((_, position) => !failed.has(position));
    }
    return outcomes;
  }

  /**
   * Sends a group's text. Resolves an empty map when it committed; the units a failed check
   * fails (nothing was written) as `failures` reads them from the error; `undefined` when a
   * failed check names no unit (the group is then written unit by unit). Rejects with any other
   * error.
   */
  private sendGroup(
    text: string,
    failures: (error: unknown) => Map<number, () => Error> | undefined,
  ): Promise<Map<number, () => Error> | undefined> {
    return this.withClient(async (client) => {
      try {
        await client.query(text);
        return new Map();
      } catch (error) {
        // The text stopped at the error, inside its transaction.
        await rollBack(client);
        const failed = failures(error);
        if (failed === undefined) throw error;
        return failed.size === 0 ? undefined : failed;
      }
    });
  }

  /** The units in one transaction, each inside a savepoint, statement by statement. */
  private unitByUnit(units: readonly CommitUnit[], durable: boolean): Promise<UnitOutcome[]> {
    return this.transaction(async (client) => {
      if (!durable) await client.query(LAZY_COMMIT);
      const outcomes: UnitOutcome[] = [];
      for (const unit of units) {
        await client.query('SAVEPOINT pantheon_unit');
        const mismatch = await this.runChecked(client, unitStatements(unit));
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
