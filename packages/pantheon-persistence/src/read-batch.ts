import { realTimers } from './group-commit';
import type { SqlDriver } from './sql-driver';

/**
 * Reads of the same kind asked for in the same turn of the event loop, answered by one query:
 * with many actors ticking at once on PostgreSQL, every tick reading its actor and its recent
 * history one round trip at a time would queue on the pool's connections. Each caller gets its
 * own answer; a failed query rejects every caller of its batch with the database's error.
 */
class ReadBatcher<Key, Value> {
  private pending: { key: Key; resolve(value: Value): void; reject(error: unknown): void }[] = [];

  constructor(
    /** Answers the keys, in order. */
    private readonly fetch: (keys: Key[]) => Promise<Value[]>,
    private readonly underWay: ReadsUnderWay,
  ) {}

  load(key: Key): Promise<Value> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) realTimers.setImmediate(() => this.flush());
      this.pending.push({ key, resolve, reject });
      this.underWay.started();
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.fetch(batch.map((entry) => entry.key)).then(
      (values) => {
        this.underWay.ended(batch.length);
        for (const [index, entry] of batch.entries()) entry.resolve(values[index]!);
      },
      (error: unknown) => {
        this.underWay.ended(batch.length);
        for (const entry of batch) entry.reject(error);
      },
    );
  }
}

/** Counts the reads asked for and not answered yet, over every batcher of a store. */
class ReadsUnderWay {
  private count = 0;
  private waiting: (() => void)[] = [];

  started(): void {
    this.count++;
  }

  ended(reads: number): void {
    this.count -= reads;
    if (this.count === 0) for (const resolve of this.waiting.splice(0)) resolve();
  }

  /** Resolves once no read is under way; `undefined` when none is now. */
  done(): Promise<void> | undefined {
    if (this.count === 0) return undefined;
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

/** A history read: the last `count` entries of one actor's conversation. */
export interface RecentKey {
  actorId: string;
  conversation: string;
  count: number;
}

/**
 * The stores' per-tick reads, batched on PostgreSQL (one query for everything asked in the same
 * turn, with the keys passed as one JSON parameter). Not used on SQLite: its calls are
 * synchronous, so there is no round trip to save.
 */
export class PostgresReads<ActorRow> {
  readonly actors: ReadBatcher<string, ActorRow | undefined>;
  readonly recent: ReadBatcher<RecentKey, string[]>;
  readonly values: ReadBatcher<{ scope: string; key: string }, string | undefined>;
  private readonly underWay = new ReadsUnderWay();

  /** `actorColumns`: what an actor is loaded from. */
  constructor(driver: SqlDriver, actorColumns: string) {
    this.actors = new ReadBatcher(async (ids) => {
      const rows = await driver.all<ActorRow & { id: string }>(
        `SELECT ${actorColumns} FROM pantheon_actors WHERE id IN (SELECT json_array_elements_text(?::json))`,
        [JSON.stringify(ids)],
      );
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id));
    }, this.underWay);
    this.recent = new ReadBatcher(async (keys) => {
      const rows = await driver.all<{ position: number; message: string }>(
        `SELECT wanted.position, history.message
          FROM json_to_recordset(?::json) AS wanted(position int, actor_id text, conversation text, count int)
          CROSS JOIN LATERAL (
            SELECT message, seq FROM pantheon_history
            WHERE actor_id = wanted.actor_id AND conversation_id = wanted.conversation
            ORDER BY seq DESC LIMIT wanted.count
          ) history
          ORDER BY wanted.position, history.seq`,
        [
          JSON.stringify(
            keys.map((key, position) => ({
              position,
              actor_id: key.actorId,
              conversation: key.conversation,
              count: key.count,
            })),
          ),
        ],
      );
      const entries = keys.map((): string[] => []);
      for (const row of rows) entries[row.position]!.push(row.message);
      return entries;
    }, this.underWay);
    this.values = new ReadBatcher(async (keys) => {
      const rows = await driver.all<{ position: number; value: string }>(
        `SELECT wanted.position, kv.value
          FROM json_to_recordset(?::json) AS wanted(position int, scope text, key text)
          JOIN pantheon_kv kv ON kv.scope = wanted.scope AND kv.key = wanted.key`,
        [JSON.stringify(keys.map((key, position) => ({ position, ...key })))],
      );
      const values = keys.map((): string | undefined => undefined);
      for (const row of rows) values[row.position] = row.value;
      return values;
    }, this.underWay);
  }

  /**
   * Resolves once the reads asked for so far are answered; `undefined` when none is under way.
   * Ticks that read now will likely commit soon after.
   */
  done(): Promise<void> | undefined {
    return this.underWay.done();
  }
}
