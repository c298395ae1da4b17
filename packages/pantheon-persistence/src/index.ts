export { DurableActorState, type UpdateOptions } from './durable-actor-state';
export { DurableContext } from './durable-context';
export { DurableMailbox } from './durable-mailbox';
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
