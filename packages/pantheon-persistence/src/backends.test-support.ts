import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActorScript, Behavior } from '@promethean-os/pantheon-core';
import pg from 'pg';
import {
  openPostgresPersistence,
  openSqlitePersistence,
  type Persistence,
  type PersistenceOptions,
} from './persistence';
import { ScriptRegistry } from './script-registry';

/** The test server: trust auth on loopback. */
export const POSTGRES_URL =
  process.env.PANTHEON_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A script with one behavior that does nothing. */
export function quietScript(name: string, version?: string): ActorScript {
  const reply: Behavior = { name: 'reply', mode: 'active', plan: () => ({ actions: [] }) };
  const script: ActorScript = {
    name,
    description: `The ${name} script`,
    talents: [{ name: 'talk', behaviors: [reply] }],
    contextSources: [{ type: 'text', content: 'Be helpful.' }],
  };
  if (version !== undefined) script.version = version;
  return script;
}

/** Every script name the port contract suites spawn. */
export function contractScripts(): ScriptRegistry {
  const registry = new ScriptRegistry();
  for (const name of ['support', 'worker', 'first', 'second', 'third', 'temporary', 'keeper']) {
    registry.register(quietScript(name));
  }
  return registry;
}

/** A back end the shared tests run against: opens fresh databases and cleans them up. */
export interface Backend {
  name: 'sqlite' | 'postgres';
  /** A new, empty database. */
  create(options?: Partial<PersistenceOptions>): Promise<Persistence>;
  /** Another connection to the database `persistence` was created on. */
  reopen(persistence: Persistence, options?: Partial<PersistenceOptions>): Promise<Persistence>;
  /** Closes every store it opened and deletes the databases. */
  cleanup(): Promise<void>;
}

const defaults = (options: Partial<PersistenceOptions>): PersistenceOptions => ({
  scripts: contractScripts(),
  ...options,
});

export function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'pantheon-persistence-'));
  const files = new Map<Persistence, string>();
  let count = 0;
  return {
    name: 'sqlite',
    async create(options = {}) {
      const file = join(dir, `db-${count++}.sqlite`);
      const store = await openSqlitePersistence({ file, ...defaults(options) });
      files.set(store, file);
      return store;
    },
    async reopen(persistence, options = {}) {
      const file = files.get(persistence)!;
      const store = await openSqlitePersistence({ file, ...defaults(options) });
      files.set(store, file);
      return store;
    },
    async cleanup() {
      for (const store of files.keys()) await store.close();
      files.clear();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Drops a test schema. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** A unique schema name for one test database. */
export function testSchema(): string {
  return `pantheon_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
}

export function postgresBackend(): Backend {
  const schemas = new Map<Persistence, string>();
  return {
    name: 'postgres',
    async create(options = {}) {
      const schema = testSchema();
      const store = await openPostgresPersistence({
        connectionString: POSTGRES_URL,
        schema,
        poolSize: 4,
        ...defaults(options),
      });
      schemas.set(store, schema);
      return store;
    },
    async reopen(persistence, options = {}) {
      const schema = schemas.get(persistence)!;
      const store = await openPostgresPersistence({
        connectionString: POSTGRES_URL,
        schema,
        poolSize: 4,
        ...defaults(options),
      });
      schemas.set(store, schema);
      return store;
    },
    async cleanup() {
      for (const store of schemas.keys()) await store.close();
      for (const schema of new Set(schemas.values())) await dropSchema(schema);
      schemas.clear();
    },
  };
}

export const backends: readonly (() => Backend)[] = [sqliteBackend, postgresBackend];

/** A TCP proxy to the test server that can cut every connection and refuse new ones. */
export class CuttableProxy {
  private readonly sockets = new Set<Socket>();
  private down = false;
  readonly server: Server;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => {
      if (this.down) {
        client.destroy();
        return;
      }
      const upstream = connect(this.target);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('proxy has no port');
    return address.port;
  }

  cut(): void {
    this.down = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.down = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
