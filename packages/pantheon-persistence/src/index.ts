/**
 * `@promethean-os/pantheon-persistence`: durable actor state, mailboxes, outboxes and context
 * history on SQLite (embedded) or PostgreSQL, opened with `openSqlitePersistence` /
 * `openPostgresPersistence`.
 *
 * @packageDocumentation
 */
// The stores are created by `Persistence` (their constructors take internals): types only.
export type { BulkKind, BulkRow, BulkRows } from './bulk-writes';
export type {
  ActorListOptions,
  DurableActorState,
  UpdateOptions,
} from './durable-actor-state';
export type { DurableContext } from './durable-context';
export type { BeginTickOptions, DurableMailbox } from './durable-mailbox';
export type { GroupCommitOptions } from './group-commit';
export {
  migratePostgres,
  openPostgresPersistence,
  openSqlitePersistence,
  Persistence,
  type PersistenceOptions,
  type PostgresPersistenceOptions,
  type SqlitePersistenceOptions,
} from './persistence';
export type { PostgresDriverOptions } from './postgres-driver';
export { SCHEMA_VERSION } from './schema';
export { ScriptRegistry } from './script-registry';
export type { SqlDriver, SqlStatement, SqlValue } from './sql-driver';
export type { SqliteDriverOptions } from './sqlite-driver';
export type { PruneReport, RetentionOptions, StoredActor } from './store-core';
