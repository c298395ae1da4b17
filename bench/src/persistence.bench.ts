import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import {
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import { PantheonSystem } from '@promethean-os/pantheon-core';
import {
  migratePostgres,
  openPostgresPersistence,
  openSqlitePersistence,
  Persistence,
  ScriptRegistry,
} from '@promethean-os/pantheon-persistence';
import pg from 'pg';
import { instantModel, okScript } from './fixtures';
import { round } from './measure';

const POSTGRES_URL =
  process.env.PANTHEON_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** One actor that answers every message with one reply to `'user'`. */

const benchScripts = new ScriptRegistry().register(okScript);

/** The raw driver: the same rows, written with plain SQL. */
interface RawDriver {
  run(sql: string, params?: (string | number | null)[]): Promise<void>;
  /** Runs the statements in one transaction. */
  transaction(statements: [string, (string | number | null)[]][]): Promise<void>;
  close(): Promise<void>;
}

function rawSqlite(file: string): RawDriver {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000');
  const cache = new Map<string, ReturnType<DatabaseSync['prepare']>>();
  const prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
  return {
    async run(sql, params = []) {
      prepare(sql).run(...params);
    },
    async transaction(statements) {
      prepare('BEGIN IMMEDIATE').run();
      for (const [sql, params] of statements) prepare(sql).run(...params);
      prepare('COMMIT').run();
    },
    async close() {
      db.close();
    },
  };
}

function rawPostgres(schema: string): RawDriver {
  const pool = new pg.Pool({
    connectionString: POSTGRES_URL,
    max: 4,
    options: `-c search_path=${schema}`,
  });
  const numbered = (sql: string) => {
    let index = 0;
    return sql.replace(/\?/g, () => `$${++index}`);
  };
  return {
    async run(sql, params = []) {
      await pool.query(numbered(sql), params);
    },
    async transaction(statements) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        for (const [sql, params] of statements) await client.query(numbered(sql), params);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** The raw baseline writes into the same tables (same indexes), created by the migrations. */
const INSERT_ACTOR = `INSERT INTO pantheon_actors (id, script_name, script_data, goals, state,
  created_at, updated_at, version) VALUES (?, 'bench-replier', '{}', '["bench"]', 'idle', 0, 0, 1)`;

/** Actors kept busy at once in the group-commit scenario. */
const BUSY_ACTORS = 100;

interface Rates {
  durablePerSecond: number;
  rawPerSecond: number;
  /** durable / raw. */
  ratio: number;
}

function rates(count: number, durableMs: number, rawMs: number): Rates {
  const durablePerSecond = (count / durableMs) * 1000;
  const rawPerSecond = (count / rawMs) * 1000;
  return {
    durablePerSecond: round(durablePerSecond, 0),
    rawPerSecond: round(rawPerSecond, 0),
    ratio: round(durablePerSecond / rawPerSecond, 2),
  };
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** Actor state updates: `actors.update` (versioned merge) vs one raw UPDATE per change. */
async function stateUpdates(db: Persistence, raw: RawDriver, count: number): Promise<Rates> {
  await db.actors.spawn(okScript, 'bench', { id: 'updates' });
  await raw.run(INSERT_ACTOR, ['updates']);
  const durableMs = await timed(async () => {
    for (let index = 0; index < count; index++) {
      await db.actors.update('updates', { state: index % 2 === 0 ? 'running' : 'idle' });
    }
  });
  const rawMs = await timed(async () => {
    for (let index = 0; index < count; index++) {
      await raw.run(
        'UPDATE pantheon_actors SET state = ?, updated_at = ?, version = version + 1 WHERE id = ?',
        [index % 2 === 0 ? 'running' : 'idle', Date.now(), 'updates'],
      );
    }
  });
  return rates(count, durableMs, rawMs);
}

/** A durable `PantheonSystem` over `db` with `actors` started reply actors `actor-<n>`. */
async function replySystem(db: Persistence, actors: number, prefix: string) {
  const system = new PantheonSystem({
    contextAdapter: db.context,
    toolAdapter: new InMemoryToolAdapter(),
    llmAdapter: instantModel,
    messageBus: new InMemoryMessageBus(),
    scheduler: new NodeScheduler(),
    actorStateAdapter: db.actors,
    store: db.mailbox,
    limits: { maxConcurrentTicks: Math.max(actors, 1) },
  });
  const ids = Array.from({ length: actors }, (_, index) => `${prefix}-${index}`);
  for (const id of ids) {
    await system.createActor({ id, name: id, script: okScript, goals: ['bench'] });
    await system.startActor(id);
  }
  return { system, ids };
}

/**
 * The rows one handled message writes, as the durable runtime writes them: the mailbox insert,
 * its acknowledgement, the actor's update, two history rows, the reply in the outbox and its
 * published mark.
 */
function messageRows(actor: string, index: number): [string, (string | number | null)[]][] {
  const id = `raw-${actor}-${index}`;
  const message = JSON.stringify({ id, from: 'user', to: actor, content: `message ${index}` });
  const now = Date.now();
  return [
    [
      'INSERT INTO pantheon_mailbox (id, recipient, message, enqueued_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      [id, actor, message, now],
    ],
    ['UPDATE pantheon_mailbox SET acked_at = ? WHERE id = ? AND acked_at IS NULL', [now, id]],
    [
      'UPDATE pantheon_actors SET state = ?, metadata = ?, updated_at = ?, version = version + 1 WHERE id = ?',
      ['idle', JSON.stringify({ lastTick: { at: now } }), now, actor],
    ],
    [
      'INSERT INTO pantheon_history (actor_id, message, created_at) VALUES (?, ?, ?), (?, ?, ?)',
      [actor, message, now, actor, '{"role":"assistant","content":"ok"}', now],
    ],
    [
      'INSERT INTO pantheon_outbox (id, message, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING',
      [`${id}:0`, message, now],
    ],
    [
      'UPDATE pantheon_outbox SET published_at = ? WHERE published_at IS NULL AND id IN (?)',
      [now, `${id}:0`],
    ],
  ];
}

/** Milliseconds `actors` actors take to handle `rounds` messages each through a durable system. */
async function durableRun(
  db: Persistence,
  actors: number,
  rounds: number,
  prefix: string,
): Promise<number> {
  const { system, ids } = await replySystem(db, actors, prefix);
  const ms = await timed(async () => {
    if (actors === 1) {
      for (let index = 0; index < rounds; index++) {
        await system.sendMessage(ids[0]!, `message ${index}`);
        await system.whenIdle();
      }
      return;
    }
    for (let round = 0; round < rounds; round++) {
      await Promise.all(ids.map((id) => system.sendMessage(id, `message ${round}`)));
    }
    await system.whenIdle();
  });
  await system.shutdown();
  return ms;
}

/** Durable messages/s through `PantheonSystem` next to the raw driver writing the same rows. */
interface MessageRates {
  actors: number;
  messages: number;
  /** With group commit (the default). */
  durablePerSecond: number;
  /** The same database with `groupCommit: false`: every write in its own transaction. */
  ungroupedPerSecond: number;
  /** The raw driver, one transaction per message. */
  rawPerMessagePerSecond: number;
  /** The raw driver, one transaction per batch of `actors` messages (one per actor). */
  rawPerBatchPerSecond: number;
  /** durable / raw one transaction per message. */
  ratioPerMessage: number;
  /** durable / raw one transaction per batch. */
  ratioPerBatch: number;
}

/**
 * Messages through durable mailboxes: `sendMessage` stores each message, the runtime ticks its
 * actor and commits state, history, acknowledgement and reply, then marks the reply published.
 * One actor: each message is sent and handled before the next (the latency of one durable
 * message). Several actors: every actor is kept busy — each round sends one message to every
 * actor without waiting for the previous ones to be handled — so their commits meet (group
 * commit). The raw driver writes the same rows into the same tables, one transaction per
 * message and one transaction per batch of `actors` messages.
 */
async function durableMessages(
  db: Persistence,
  raw: RawDriver,
  actors: number,
  messages: number,
): Promise<MessageRates> {
  const rounds = Math.ceil(messages / actors);
  const handled = rounds * actors;
  // The same database without group commit: every write in its own transaction, as before.
  const ungrouped = new Persistence(db.driver, { scripts: benchScripts, groupCommit: false });
  // Each half of the messages with group commit and without, the first half grouped first and
  // the second ungrouped first, so that the machine's drift and the warm-up fall on both alike.
  let durableMs = 0;
  let ungroupedMs = 0;
  for (const half of [0, 1]) {
    const halfRounds = half === 0 ? Math.floor(rounds / 2) : rounds - Math.floor(rounds / 2);
    const grouped = () => durableRun(db, actors, halfRounds, `grouped${actors}.${half}`);
    const alone = () => durableRun(ungrouped, actors, halfRounds, `ungrouped${actors}.${half}`);
    if (half === 0) {
      durableMs += await grouped();
      ungroupedMs += await alone();
    } else {
      ungroupedMs += await alone();
      durableMs += await grouped();
    }
  }
  const ids = Array.from({ length: actors }, (_, index) => `raw${actors}-${index}`);

  const rawIds = ids.map((id) => `raw-${id}`);
  for (const id of rawIds) await raw.run(INSERT_ACTOR, [id]);
  const perMessageMs = await timed(async () => {
    for (let round = 0; round < rounds; round++) {
      for (const id of rawIds) await raw.transaction(messageRows(id, round));
    }
  });
  const perBatchMs = await timed(async () => {
    for (let round = 0; round < rounds; round++) {
      await raw.transaction(rawIds.flatMap((id) => messageRows(id, rounds + round)));
    }
  });
  const durablePerSecond = (handled / durableMs) * 1000;
  const perMessage = (handled / perMessageMs) * 1000;
  const perBatch = (handled / perBatchMs) * 1000;
  return {
    actors,
    messages: handled,
    durablePerSecond: round(durablePerSecond, 0),
    ungroupedPerSecond: round((handled / ungroupedMs) * 1000, 0),
    rawPerMessagePerSecond: round(perMessage, 0),
    rawPerBatchPerSecond: round(perBatch, 0),
    ratioPerMessage: round(durablePerSecond / perMessage, 2),
    ratioPerBatch: round(durablePerSecond / perBatch, 2),
  };
}

async function backend(
  open: () => Promise<{ db: Persistence; raw: RawDriver; cleanup: () => Promise<void> }>,
  count: number,
  busyMessages: number,
) {
  const { db, raw, cleanup } = await open();
  try {
    return {
      count,
      stateUpdates: await stateUpdates(db, raw, count),
      durableMessages: await durableMessages(db, raw, 1, count),
      busyActors: await durableMessages(db, raw, BUSY_ACTORS, busyMessages),
    };
  } finally {
    await raw.close();
    await db.close();
    await cleanup();
  }
}

/** Creates Pantheon's tables in a SQLite file for the raw driver. */
async function migrated(file: string, scripts: ScriptRegistry): Promise<string> {
  await (await openSqlitePersistence({ file, scripts })).close();
  return file;
}

/**
 * Durable rates on SQLite and PostgreSQL next to the raw driver writing the same rows in the
 * same run. PostgreSQL is skipped (with the reason) when the server is not reachable.
 */
export async function benchPersistence() {
  const scripts = benchScripts;
  const sqlite = await backend(
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pantheon-bench-'));
      return {
        db: await openSqlitePersistence({ file: join(dir, 'durable.sqlite'), scripts }),
        raw: rawSqlite(await migrated(join(dir, 'raw.sqlite'), scripts)),
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
    3_000,
    10_000,
  );
  let postgres: Awaited<ReturnType<typeof backend>> | { skipped: string };
  try {
    postgres = await backend(
      async () => {
        const schema = `pantheon_bench_${process.pid}`;
        const rawSchema = `${schema}_raw`;
        const admin = new pg.Client({ connectionString: POSTGRES_URL });
        await admin.connect();
        await migratePostgres({ connectionString: POSTGRES_URL, schema: rawSchema });
        return {
          db: await openPostgresPersistence({ connectionString: POSTGRES_URL, schema, scripts }),
          raw: rawPostgres(rawSchema),
          cleanup: async () => {
            await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
            await admin.query(`DROP SCHEMA IF EXISTS ${rawSchema} CASCADE`);
            await admin.end();
          },
        };
      },
      500,
      10_000,
    );
  } catch (error) {
    postgres = { skipped: error instanceof Error ? error.message : String(error) };
  }
  return { sqlite, postgres };
}
