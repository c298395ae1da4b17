import type { SqlDriver } from './sql-driver';

/**
 * The tables, as migrations applied in order; never edit one that shipped, add the next.
 * `{serial}`, `{bigint}` and `{ifNotExists}` are replaced per dialect. The statements are
 * idempotent where the dialect allows it (SQLite has no `ADD COLUMN IF NOT EXISTS`); both
 * back ends read the applied version and apply what is pending in one transaction that holds
 * the write lock (an advisory lock on PostgreSQL, `BEGIN IMMEDIATE` on SQLite), so concurrent
 * openers never apply a migration twice.
 */
const MIGRATIONS: readonly (readonly string[])[] = [
  // 1: actors, history, key/value store, mailbox and outbox.
  [
    `CREATE TABLE IF NOT EXISTS pantheon_actors (
      seq {serial},
      id TEXT NOT NULL UNIQUE,
      script_name TEXT NOT NULL,
      script_version TEXT,
      script_data TEXT NOT NULL,
      name TEXT,
      goals TEXT NOT NULL,
      state TEXT,
      metadata TEXT,
      created_at {bigint} NOT NULL,
      updated_at {bigint} NOT NULL,
      version {bigint} NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS pantheon_history (
      seq {serial},
      actor_id TEXT NOT NULL,
      message TEXT NOT NULL,
      created_at {bigint} NOT NULL
    )`,
    // Superseded by pantheon_history_conversation (migration 2).
    'CREATE INDEX IF NOT EXISTS pantheon_history_actor ON pantheon_history (actor_id, seq)',
    'CREATE INDEX IF NOT EXISTS pantheon_history_created ON pantheon_history (created_at)',
    `CREATE TABLE IF NOT EXISTS pantheon_kv (
      scope TEXT NOT NULL,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      updated_at {bigint} NOT NULL,
      PRIMARY KEY (scope, key)
    )`,
    `CREATE TABLE IF NOT EXISTS pantheon_mailbox (
      seq {serial},
      id TEXT NOT NULL UNIQUE,
      recipient TEXT NOT NULL,
      message TEXT NOT NULL,
      enqueued_at {bigint} NOT NULL,
      acked_at {bigint}
    )`,
    'CREATE INDEX IF NOT EXISTS pantheon_mailbox_pending ON pantheon_mailbox (seq) WHERE acked_at IS NULL',
    'CREATE INDEX IF NOT EXISTS pantheon_mailbox_acked ON pantheon_mailbox (acked_at) WHERE acked_at IS NOT NULL',
    `CREATE TABLE IF NOT EXISTS pantheon_outbox (
      seq {serial},
      id TEXT NOT NULL UNIQUE,
      message TEXT NOT NULL,
      created_at {bigint} NOT NULL,
      published_at {bigint}
    )`,
    'CREATE INDEX IF NOT EXISTS pantheon_outbox_unpublished ON pantheon_outbox (seq) WHERE published_at IS NULL',
    'CREATE INDEX IF NOT EXISTS pantheon_outbox_published ON pantheon_outbox (published_at) WHERE published_at IS NOT NULL',
  ],
  // 2: history per actor and conversation. `''` is the actor-wide history (conversation ids are
  // non-empty), so the entries of a database from before become the actor-wide history. On
  // PostgreSQL (11+) a constant default adds the column without rewriting the table. The new
  // index serves every history query (its first column is the old index's), so that one goes
  // (and is replaced in turn by migration 5).
  [
    `ALTER TABLE pantheon_history ADD COLUMN{ifNotExists} conversation_id TEXT NOT NULL DEFAULT ''`,
    'CREATE INDEX IF NOT EXISTS pantheon_history_conversation ON pantheon_history (actor_id, conversation_id, seq)',
    'DROP INDEX IF EXISTS pantheon_history_actor',
  ],
  // 3: results of `once` tool calls by idempotency key (`result` is JSON of `{ result }`, so an
  // `undefined` result is kept too), pruned with acknowledged messages.
  [
    `CREATE TABLE IF NOT EXISTS pantheon_tool_effects (
      key TEXT PRIMARY KEY,
      result TEXT NOT NULL,
      created_at {bigint} NOT NULL
    )`,
    'CREATE INDEX IF NOT EXISTS pantheon_tool_effects_created ON pantheon_tool_effects (created_at)',
  ],
  // 4: tool calls waiting for human approval. `record` holds what the actor resumes from (the
  // behavior's state, the conversation's addresses) as JSON; `status` is 'pending' until a
  // decision (approved, denied, expired) written with its decision message in one transaction;
  // `settled_at` is set by the commit of the tick that resumed from it.
  [
    `CREATE TABLE IF NOT EXISTS pantheon_approvals (
      seq {serial},
      id TEXT NOT NULL UNIQUE,
      actor_id TEXT NOT NULL,
      record TEXT NOT NULL,
      status TEXT NOT NULL,
      decision TEXT,
      requested_at {bigint} NOT NULL,
      decided_at {bigint},
      settled_at {bigint}
    )`,
    'CREATE INDEX IF NOT EXISTS pantheon_approvals_open ON pantheon_approvals (seq) WHERE settled_at IS NULL',
  ],
  // 5: the history index leads with the conversation. Every history query gives both the actor
  // and the conversation, so it serves them as well; and since new conversations' ids grow (a
  // counter), the entries of many busy actors' new conversations land on a few index pages
  // instead of one page per actor: a group commit writes 2.5 times fewer pages.
  [
    'CREATE INDEX IF NOT EXISTS pantheon_history_by_conversation ON pantheon_history (conversation_id, actor_id, seq)',
    'DROP INDEX IF EXISTS pantheon_history_conversation',
  ],
];

/** The schema version this package writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS pantheon_migrations (
  version INTEGER PRIMARY KEY,
  applied_at {bigint} NOT NULL
)`;

function render(sql: string, dialect: SqlDriver['dialect']): string {
  return dialect === 'sqlite'
    ? sql
        .replaceAll('{serial}', 'INTEGER PRIMARY KEY AUTOINCREMENT')
        .replaceAll('{bigint}', 'INTEGER')
        .replaceAll('{ifNotExists}', '')
    : sql
        .replaceAll('{serial}', 'BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY')
        .replaceAll('{bigint}', 'BIGINT')
        .replaceAll('{ifNotExists}', ' IF NOT EXISTS');
}

/** The statements of every migration after `applied`, each followed by its bookkeeping row. */
export function pendingMigrations(
  applied: number,
  dialect: SqlDriver['dialect'],
  now: number,
): { version: number; statements: string[] }[] {
  return MIGRATIONS.slice(applied)
    .map((statements, index) => ({
      version: applied + index + 1,
      statements: statements.map((sql) => render(sql, dialect)),
    }))
    .map((migration) => ({
      ...migration,
      statements: [
        ...migration.statements,
        `INSERT INTO pantheon_migrations (version, applied_at) VALUES (${migration.version}, ${now}) ON CONFLICT (version) DO NOTHING`,
      ],
    }));
}

/** The statement creating the bookkeeping table. */
export function migrationsTable(dialect: SqlDriver['dialect']): string {
  return render(MIGRATIONS_TABLE, dialect);
}
