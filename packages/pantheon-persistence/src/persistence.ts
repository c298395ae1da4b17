import { ConfigError, type Scheduler } from '@promethean-os/pantheon-core';
import { errorMessage } from '@promethean-os/pantheon-core/adapter-kit';
import { backgroundScheduler } from './background-scheduler';
import { DurableActorState } from './durable-actor-state';
import { DurableContext } from './durable-context';
import { DurableMailbox } from './durable-mailbox';
import { guarded } from './errors';
import type { GroupCommitOptions } from './group-commit';
import { PostgresDriver, type PostgresDriverOptions } from './postgres-driver';
import { migrationsTable, pendingMigrations } from './schema';
import type { ScriptRegistry } from './script-registry';
import type { SqlDriver } from './sql-driver';
// Types only: the driver itself is imported by `openSqlitePersistence`, so that importing this
// package for PostgreSQL never loads `node:sqlite` (an ExperimentalWarning on Node 22, and
// missing on runtimes without it).
import type { SqliteDriverOptions } from './sqlite-driver';
import { type PruneReport, type RetentionOptions, StoreCore } from './store-core';

/** Settings both back ends share. */
export interface PersistenceOptions {
  /** The scripts stored actors are re-attached to, by name and version. */
  scripts: ScriptRegistry;
  /** Clock in milliseconds for timestamps and retention; defaults to `Date.now`. */
  now?: () => number;
  /** How long history and message rows are kept; see `RetentionOptions`. */
  retention?: RetentionOptions;
  /** Default `recentLimit` of `context.compile`. Default 20. */
  recentLimit?: number;
  /**
   * Runs the store's timers (`retention.pruneIntervalMs`); pass the application's scheduler, or
   * a virtual-time one in tests. Default: real timers that do not keep the process alive.
   */
  scheduler?: Scheduler;
  /**
   * Group commit: the commits of ticks of different actors that finish together — and messages
   * stored and publish marks — are written in one database transaction, each still all or
   * nothing and each promise resolving only once its transaction committed. A tick whose own
   * check fails (`VERSION_CONFLICT`, or its message acknowledged already) is left out without
   * failing the others; a database failure fails each with the same typed error as alone. A
   * lone write waits at most `windowMs` (default 0: the next event-loop turn). `false` gives
   * each write its own transaction. Default `{ windowMs: 0, maxBatch: 1000 }`.
   */
  groupCommit?: GroupCommitOptions | false;
}

/** Options of `openSqlitePersistence`. */
export interface SqlitePersistenceOptions extends PersistenceOptions, SqliteDriverOptions {}

/** Options of `openPostgresPersistence`. */
export interface PostgresPersistenceOptions extends PersistenceOptions, PostgresDriverOptions {}

/**
 * One database behind the three ports a durable `PantheonSystem` needs: `actors`
 * (`ActorStatePort`), `context` (`ContextPort`) and `mailbox` (`MailboxStore`, which `owns` the
 * other two). A tick runs in a transaction of `mailbox` whose views of `actors` and `context`
 * hold its writes until they commit together with the acknowledgement of its message; pass all
 * three to the system (another state or context port is a `ConfigError`
 * `STORE_PORTS_MISMATCH`). Open one with `openSqlitePersistence` or `openPostgresPersistence`.
 *
 * @example
 * const db = await openSqlitePersistence({ file: 'pantheon.db', scripts });
 * const pantheon = new PantheonSystem({ contextAdapter: db.context, actorStateAdapter: db.actors,
 *   store: db.mailbox, toolAdapter, llmAdapter, messageBus, scheduler });
 * // … later
 * await pantheon.shutdown();
 * await db.close();
 */
export class Persistence {
  readonly actors: DurableActorState;
  readonly context: DurableContext;
  readonly mailbox: DurableMailbox;
  private readonly core: StoreCore;

  constructor(
    readonly driver: SqlDriver,
    options: PersistenceOptions,
  ) {
    this.core = new StoreCore(
      driver,
      options.scripts,
      options.now ?? Date.now,
      options.retention ?? {},
      options.recentLimit ?? 20,
      options.scheduler ?? backgroundScheduler(),
      options.groupCommit,
    );
    this.actors = new DurableActorState(this.core);
    this.context = new DurableContext(this.core);
    this.mailbox = new DurableMailbox(this.core, new Set([this.actors, this.context]));
  }

  /** Applies the schema migrations this version needs; safe to call any number of times. */
  migrate(): Promise<number> {
    return guarded('mailbox', undefined, () => migrate(this.driver, this.core.now()));
  }

  /** Deletes the rows the retention settings no longer keep; see `RetentionOptions`. */
  prune(): Promise<PruneReport> {
    return this.core.prune();
  }

  /** Closes the database (and stops the prune timer). */
  close(): Promise<void> {
    return this.core.close();
  }
}

/**
 * Applies the pending migrations; resolves the schema version. A driver that can read the
 * applied version under its write lock does it all itself (`SqlDriver.migrate`).
 */
async function migrate(driver: SqlDriver, now: number): Promise<number> {
  if (driver.migrate) return driver.migrate(now);
  await driver.run(migrationsTable(driver.dialect));
  const applied = await driver.all<{ version: number | null }>(
    'SELECT MAX(version) AS version FROM pantheon_migrations',
  );
  const from = Number(applied[0]?.version ?? 0);
  const migrations = pendingMigrations(from, driver.dialect, now);
  await driver.batch(
    migrations.flatMap((migration) => migration.statements.map((sql) => ({ sql, params: [] }))),
  );
  return from + migrations.length;
}

/**
 * Opens (creating when missing) a SQLite database with `node:sqlite` — one file or `':memory:'`,
 * WAL journal, a busy timeout — and applies the migrations. The embedded default for one process.
 * `node:sqlite` is loaded here, on the first call, not when the package is imported; a runtime
 * without it is a `ConfigError` (`CONFIG_ERROR`).
 *
 * @example
 * const scripts = new ScriptRegistry().register(supportScript);
 * const db = await openSqlitePersistence({ file: './pantheon.db', scripts,
 *   retention: { historyEntries: 500, messageDays: 7, pruneIntervalMs: 3_600_000 } });
 */
export async function openSqlitePersistence(
  options: SqlitePersistenceOptions,
): Promise<Persistence> {
  let sqlite: typeof import('./sqlite-driver');
  try {
    sqlite = await import('./sqlite-driver');
  } catch (error) {
    throw new ConfigError(
      `SQLite persistence needs node:sqlite (Node 22.5 or later), which this runtime cannot load: ${errorMessage(error)}. Use openPostgresPersistence, or run on Node 22.`,
      { module: 'node:sqlite', runtime: process.version },
      { cause: error },
    );
  }
  return openMigrated(new sqlite.SqliteDriver(options), options);
}

/**
 * Connects a `pg` pool to PostgreSQL, creates `schema` when missing and applies the migrations
 * (idempotent, serialized across processes by an advisory lock). For several processes sharing
 * one database.
 *
 * @example
 * const db = await openPostgresPersistence({
 *   connectionString: 'postgres://pantheon@db:5432/app', schema: 'pantheon', scripts });
 */
export async function openPostgresPersistence(
  options: PostgresPersistenceOptions,
): Promise<Persistence> {
  return openMigrated(new PostgresDriver(options), options);
}

/** A `Persistence` over `driver` with its migrations applied; the driver is closed if they fail. */
async function openMigrated(
  driver: SqlDriver,
  options: SqlitePersistenceOptions | PostgresPersistenceOptions,
): Promise<Persistence> {
  const persistence = new Persistence(driver, options);
  try {
    await persistence.migrate();
  } catch (error) {
    await driver.close();
    throw error;
  }
  return persistence;
}

/**
 * Applies the PostgreSQL migrations without keeping a pool open, e.g. from a deploy step.
 * Resolves the schema version.
 *
 * @example
 * await migratePostgres({ connectionString: process.env.DATABASE_URL!, schema: 'pantheon' });
 */
export async function migratePostgres(options: PostgresDriverOptions): Promise<number> {
  const driver = new PostgresDriver({ ...options, poolSize: 1 });
  try {
    return await guarded('mailbox', undefined, () => driver.migrate(Date.now()));
  } finally {
    await driver.close();
  }
}
