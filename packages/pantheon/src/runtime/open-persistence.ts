import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  type ActorStatePort,
  type ContextPort,
  type MailboxStore,
  PantheonError,
  rememberSecret,
} from '@promethean-os/pantheon-core';
import { errorMessage } from '@promethean-os/pantheon-core/adapter-kit';
import type { Persistence, ScriptRegistry } from '@promethean-os/pantheon-persistence';
import { redactUrl } from '../config/config-environment';
import type { PersistenceConfig } from '../config/config-schema';
import type { Resource } from './resource';

/** The ports a durable store provides, and the store as a resource. */
export interface OpenedPersistence {
  actors: ActorStatePort;
  /** The store's own context port (a durable store compiles context from its history). */
  context: ContextPort;
  store: MailboxStore;
  resource: Resource;
  /** The persistence itself (what `PantheonCluster` runs on). */
  db: Persistence;
}

function storeResource(db: Persistence, description: string): Resource {
  return {
    name: 'persistence',
    description,
    // A real round trip to the database, through the pool the actors use.
    probe: async () => {
      await db.driver.all('SELECT 1');
    },
    close: () => db.close(),
  };
}

function unreachable(description: string, error: unknown): PantheonError {
  return new PantheonError(
    `Cannot open the database (${description}): ${errorMessage(error)}. Check that it is running and reachable, and adapters.persistence (or PANTHEON_PERSISTENCE_URL)`,
    'STORE_UNAVAILABLE',
    { field: 'adapters.persistence', database: description },
    { cause: error },
  );
}

/**
 * Opens the SQLite file (creating its folder) or connects to PostgreSQL, and applies the schema
 * migrations; `undefined` for `memory`. A database that cannot be reached is `STORE_UNAVAILABLE`
 * naming it (its password masked).
 */
export async function openPersistence(
  config: PersistenceConfig,
  scripts: ScriptRegistry,
): Promise<OpenedPersistence | undefined> {
  if (config.type === 'memory') return undefined;
  const { openPostgresPersistence, openSqlitePersistence } = await import(
    '@promethean-os/pantheon-persistence'
  );
  let db: Persistence;
  let description: string;
  if (config.type === 'sqlite') {
    description = `sqlite ${config.file}`;
    try {
      if (config.file !== ':memory:') mkdirSync(dirname(config.file), { recursive: true });
      db = await openSqlitePersistence({ file: config.file, scripts });
    } catch (error) {
      throw unreachable(description, error);
    }
  } else {
    const password = safeUrl(config.url)?.password;
    if (password) rememberSecret(decodeURIComponent(password));
    description = `postgres ${redactUrl(config.url)}${config.schema ? ` schema ${config.schema}` : ''}`;
    try {
      db = await openPostgresPersistence({
        connectionString: config.url,
        schema: config.schema,
        poolSize: config.poolSize,
        scripts,
      });
    } catch (error) {
      throw unreachable(description, error);
    }
  }
  return {
    actors: db.actors,
    context: db.context,
    store: db.mailbox,
    resource: storeResource(db, description),
    db,
  };
}

function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
