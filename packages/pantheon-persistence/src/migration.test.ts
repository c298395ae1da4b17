import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { contractScripts, dropSchema, POSTGRES_URL, testSchema } from './backends.test-support';
import { openPostgresPersistence, openSqlitePersistence, type Persistence } from './persistence';
import { migrationsTable, pendingMigrations, SCHEMA_VERSION } from './schema';

/** Rows of a database written by version 1 of the schema (history without conversations). */
const V1_ROWS = [
  `INSERT INTO pantheon_actors (id, script_name, script_version, script_data, name, goals, state,
    metadata, created_at, updated_at, version)
    VALUES ('support-1', 'support', NULL, '{}', NULL, '["Help"]', 'idle', NULL, 1, 1, 3)`,
  `INSERT INTO pantheon_history (actor_id, message, created_at) VALUES
    ('support-1', '{"role":"user","content":"old question"}', 10),
    ('support-1', '{"role":"assistant","content":"old answer"}', 11),
    ('other', '{"role":"user","content":"other actor"}', 12)`,
  `INSERT INTO pantheon_kv (scope, key, value, updated_at) VALUES ('support-1', 'count', '2', 1)`,
  `INSERT INTO pantheon_mailbox (id, recipient, message, enqueued_at)
    VALUES ('m1', 'support-1', '{"id":"m1","from":"user","to":"support-1","content":"waiting"}', 1)`,
];

/** A database of one back end, created at schema version 1 and then opened by this version. */
interface LegacyDatabase {
  name: 'sqlite' | 'postgres';
  /** Creates the version 1 tables (migration 1 and its bookkeeping row) holding `V1_ROWS`. */
  createV1(): Promise<void>;
  /** Opens the database with this package (which migrates it). */
  open(): Promise<Persistence>;
  /** `pantheon_history`'s column names. */
  historyColumns(): Promise<string[]>;
  /** The `conversation_id` column: whether it is NOT NULL, and its default as SQL text. */
  conversationColumn(store: Persistence): Promise<{ notNull: boolean; default: string }>;
  /** The indexes of `pantheon_history` (primary key aside) with their columns, by name. */
  historyIndexes(store: Persistence): Promise<Record<string, string[]>>;
  cleanup(): Promise<void>;
}

const v1Statements = (dialect: 'sqlite' | 'postgres') => {
  const [first] = pendingMigrations(0, dialect, 1);
  return [migrationsTable(dialect), ...first!.statements, ...V1_ROWS];
};

function legacySqlite(): LegacyDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'pantheon-migration-'));
  const file = join(dir, 'v1.sqlite');
  const stores: Persistence[] = [];
  const raw = <T>(sql: string): T[] => {
    const db = new DatabaseSync(file);
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  };
  return {
    name: 'sqlite',
    async createV1() {
      const db = new DatabaseSync(file);
      try {
        for (const statement of v1Statements('sqlite')) db.exec(statement);
      } finally {
        db.close();
      }
    },
    async open() {
      const store = await openSqlitePersistence({ file, scripts: contractScripts() });
      stores.push(store);
      return store;
    },
    async historyColumns() {
      return raw<{ name: string }>('PRAGMA table_info(pantheon_history)').map((row) => row.name);
    },
    async conversationColumn(store) {
      const rows = await store.driver.all<{ name: string; notnull: number; dflt_value: string }>(
        'PRAGMA table_info(pantheon_history)',
      );
      const column = rows.find((row) => row.name === 'conversation_id')!;
      return { notNull: column.notnull === 1, default: column.dflt_value };
    },
    async historyIndexes(store) {
      const indexes = await store.driver.all<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'pantheon_history'",
      );
      const out: Record<string, string[]> = {};
      for (const { name } of indexes) {
        const columns = await store.driver.all<{ name: string; seqno: number }>(
          `PRAGMA index_info(${name})`,
        );
        out[name] = columns.sort((a, b) => a.seqno - b.seqno).map((column) => column.name);
      }
      return out;
    },
    async cleanup() {
      for (const store of stores) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function legacyPostgres(): LegacyDatabase {
  const schema = testSchema();
  const stores: Persistence[] = [];
  const withClient = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query(`SET search_path TO "${schema}"`);
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    name: 'postgres',
    async createV1() {
      await withClient(async (client) => {
        await client.query(`CREATE SCHEMA "${schema}"`);
        for (const statement of v1Statements('postgres')) await client.query(statement);
      });
    },
    async open() {
      const store = await openPostgresPersistence({
        connectionString: POSTGRES_URL,
        schema,
        poolSize: 2,
        scripts: contractScripts(),
      });
      stores.push(store);
      return store;
    },
    historyColumns: () =>
      withClient(async (client) => {
        const result = await client.query<{ column_name: string }>(
          `SELECT column_name FROM information_schema.columns
            WHERE table_schema = $1 AND table_name = 'pantheon_history' ORDER BY ordinal_position`,
          [schema],
        );
        return result.rows.map((row) => row.column_name);
      }),
    async conversationColumn(store) {
      const rows = await store.driver.all<{ is_nullable: string; column_default: string }>(
        `SELECT is_nullable, column_default FROM information_schema.columns
          WHERE table_schema = ? AND table_name = 'pantheon_history' AND column_name = 'conversation_id'`,
        [schema],
      );
      return { notNull: rows[0]!.is_nullable === 'NO', default: rows[0]!.column_default };
    },
    async historyIndexes(store) {
      const rows = await store.driver.all<{ indexname: string; indexdef: string }>(
        `SELECT indexname, indexdef FROM pg_indexes
          WHERE schemaname = ? AND tablename = 'pantheon_history' AND indexname <> 'pantheon_history_pkey'`,
        [schema],
      );
      const out: Record<string, string[]> = {};
      for (const row of rows) {
        const columns = /\(([^)]*)\)\s*$/.exec(row.indexdef)?.[1] ?? '';
        out[row.indexname] = columns.split(',').map((column) => column.trim());
      }
      return out;
    },
    async cleanup() {
      for (const store of stores) await store.close();
      await dropSchema(schema);
    },
  };
}

const contents = (messages: { content: string }[]) => messages.map((message) => message.content);

// Named here rather than by calling the factory, which would create a database to name it.
for (const [name, makeLegacy] of [
  ['sqlite', legacySqlite],
  ['postgres', legacyPostgres],
] as const) {
  describe(`migration to schema version ${SCHEMA_VERSION} (${name})`, () => {
    const opened: LegacyDatabase[] = [];
    const legacy = () => {
      const database = makeLegacy();
      opened.push(database);
      return database;
    };
    afterAll(async () => {
      for (const database of opened) await database.cleanup();
    });

    it('upgrades a version 1 database in place, its history becoming the actor-wide history', async () => {
      const database = legacy();
      await database.createV1();
      expect(await database.historyColumns()).not.toContain('conversation_id');

      const store = await database.open();
      expect(SCHEMA_VERSION).toBe(5);
      expect(await store.migrate()).toBe(SCHEMA_VERSION);
      const versions = await store.driver.all<{ version: number | string }>(
        'SELECT version FROM pantheon_migrations ORDER BY version',
      );
      expect(versions.map((row) => Number(row.version))).toEqual([1, 2, 3, 4, 5]);

      // The old entries are the actor-wide history: in order, and in no conversation.
      const { context } = store;
      expect(contents(await context.getHistory('support-1'))).toEqual([
        'old question',
        'old answer',
      ]);
      expect(contents(await context.compile({ sources: [], actorId: 'support-1' }))).toEqual([
        'old question',
        'old answer',
      ]);
      expect(
        await context.compile({ sources: [], actorId: 'support-1', conversationId: 'c-1' }),
      ).toEqual([]);
      expect(contents(await context.getHistory('other'))).toEqual(['other actor']);

      // Everything else is kept as it was.
      expect(await store.actors.get('support-1')).toMatchObject({ goals: ['Help'], version: 3 });
      expect(await context.read('count', { actorId: 'support-1' })).toBe(2);
      expect((await store.mailbox.pending()).map((message) => message.id)).toEqual(['m1']);

      // New entries go to their conversation.
      await context.append(
        'support-1',
        { role: 'user', content: 'new' },
        { conversationId: 'c-1' },
      );
      expect(
        contents(
          await context.compile({ sources: [], actorId: 'support-1', conversationId: 'c-1' }),
        ),
      ).toEqual(['new']);
      expect(contents(await context.getHistory('support-1'))).toEqual([
        'old question',
        'old answer',
      ]);

      expect(await database.conversationColumn(store)).toEqual({
        notNull: true,
        default: database.name === 'sqlite' ? "''" : "''::text",
      });
      expect(await database.historyIndexes(store)).toEqual({
        pantheon_history_by_conversation: ['conversation_id', 'actor_id', 'seq'],
        pantheon_history_created: ['created_at'],
      });

      // Opening it again finds nothing to do and changes nothing.
      const again = await database.open();
      expect(await again.migrate()).toBe(SCHEMA_VERSION);
      expect(contents(await again.context.getHistory('support-1'))).toEqual([
        'old question',
        'old answer',
      ]);
      expect(contents(await again.context.getHistory('support-1', 'c-1'))).toEqual(['new']);
    });

    it('upgrades once when several stores open the same version 1 database at once', async () => {
      const database = legacy();
      await database.createV1();
      const stores = await Promise.all([database.open(), database.open(), database.open()]);
      for (const store of stores) expect(await store.migrate()).toBe(SCHEMA_VERSION);
      const [store] = stores;
      const versions = await store!.driver.all<{ version: number | string }>(
        'SELECT version FROM pantheon_migrations ORDER BY version',
      );
      expect(versions.map((row) => Number(row.version))).toEqual([1, 2, 3, 4, 5]);
      const rows = await store!.driver.all<{ count: number | string }>(
        'SELECT COUNT(*) AS count FROM pantheon_history',
      );
      expect(Number(rows[0]!.count)).toBe(3);
      expect(contents(await store!.context.getHistory('support-1'))).toEqual([
        'old question',
        'old answer',
      ]);
    });

    it('upgrades a version 1 database to keep approvals (migration 4), its messages untouched', async () => {
      const database = legacy();
      await database.createV1();
      const store = await database.open();
      expect(await store.migrate()).toBe(SCHEMA_VERSION);
      expect(await store.mailbox.approvals()).toEqual([]);
      const tick = store.mailbox.beginTick('support-1');
      const approval = {
        id: 'a-1',
        actorId: 'support-1',
        tool: 'refund',
        args: { amount: 250 },
        toolCallId: 'call-1',
        requestedBy: 'user',
        requestedAt: 10,
        behavior: 'desk',
        state: { step: 1 },
        status: 'pending' as const,
        settled: false,
      };
      tick.requestApproval(approval);
      await tick.commit('m1', [], []);
      expect(await store.mailbox.approvals()).toEqual([approval]);
      expect(await store.mailbox.pending()).toEqual([]);
      // A store opened again finds the approval.
      const again = await database.open();
      expect(await again.mailbox.approval('a-1')).toEqual(approval);
    });

    it('creates a new database at the current version, with the conversation column', async () => {
      const database = legacy();
      const store = await database.open();
      expect(await store.migrate()).toBe(SCHEMA_VERSION);
      expect(await database.historyColumns()).toContain('conversation_id');
      expect(Object.keys(await database.historyIndexes(store)).sort()).toEqual([
        'pantheon_history_by_conversation',
        'pantheon_history_created',
      ]);
    });
  });
}

describe('openPostgresPersistence schema names', () => {
  it.each([
    ['pg_app', 'names starting with "pg_" are reserved for system schemas'],
    ['', 'it is empty'],
    [`s${'x'.repeat(63)}`, 'it is longer than 63 bytes'],
  ])('refuses %j with CONFIG_ERROR before connecting', async (schema, reason) => {
    const opened = openPostgresPersistence({
      connectionString: POSTGRES_URL,
      schema,
      scripts: contractScripts(),
    });
    await expect(opened).rejects.toMatchObject({
      name: 'ConfigError',
      code: 'CONFIG_ERROR',
      details: { schema },
    });
    await expect(opened).rejects.toThrow(reason);
  });
});
