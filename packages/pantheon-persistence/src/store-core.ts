import type { Actor, ActorScript, Message, Scheduler } from '@promethean-os/pantheon-core';
import {
  APPEND_HISTORY,
  bulkStatement,
  INSERT_ACTOR,
  SCRIPT_FIELDS,
  UPDATE_ACTOR,
  UPDATE_ACTOR_STATE,
} from './bulk-writes';
import { guarded } from './errors';
import { type GroupCommitOptions, GroupCommitter } from './group-commit';
import { PostgresReads } from './read-batch';
import type { ScriptRegistry } from './script-registry';
import type { SqlDriver, SqlStatement } from './sql-driver';

/** An actor as a durable store returns it: with the version its optimistic concurrency checks. */
export type StoredActor = Actor & {
  /** Increases by one with every committed change; pass it as `expectedVersion` to `update`. */
  readonly version: number;
};

/**
 * The columns of `pantheon_actors` an actor is loaded from (`script_data` is kept for reference
 * only: the script comes from the registry).
 */
export const ACTOR_COLUMNS =
  'id, script_name, script_version, name, goals, state, metadata, created_at, updated_at, version';

const LOAD_ACTOR = `SELECT ${ACTOR_COLUMNS} FROM pantheon_actors WHERE id = ?`;

const RECENT_HISTORY = `SELECT message FROM pantheon_history WHERE actor_id = ? AND conversation_id = ?
  ORDER BY seq DESC LIMIT`;
const recentHistoryTexts = new Map<number, string>();

/** The recent-history query with its limit spelled out, made once per limit. */
function recentHistorySql(count: number): string {
  let sql = recentHistoryTexts.get(count);
  if (sql === undefined) {
    sql = `${RECENT_HISTORY} ${count}`;
    if (recentHistoryTexts.size < 16) recentHistoryTexts.set(count, sql);
  }
  return sql;
}

/** A row of `pantheon_actors`, as `ACTOR_COLUMNS` reads it. */
export interface ActorRow {
  id: string;
  script_name: string;
  script_version: string | null;
  name: string | null;
  goals: string;
  state: string | null;
  metadata: string | null;
  created_at: number | string;
  updated_at: number | string;
  version: number | string;
}

/** An actor as a tick transaction holds it until the commit. */
export interface BufferedActor {
  /** The actor as the tick sees it. */
  value: StoredActor;
  /** The stored version the tick read, checked by the commit; `undefined` when it spawned it. */
  baseVersion: number | undefined;
  /** The script of the stored row, when read: a commit that kept it leaves its columns alone. */
  storedScript?: ActorScript;
  /** Changed by the tick (or spawned by it): the commit writes it. */
  dirty: boolean;
}

/** The writes of one tick transaction, applied by its commit. */
export interface TickBuffer {
  /** The actor whose tick this is (for error details). */
  readonly actorId: string;
  /** Every actor the tick read or wrote, by id, in the order it first did. */
  actors: Map<string, BufferedActor>;
  /** History appends, in order, each with its actor and `conversation_id` (`ACTOR_WIDE` or an id). */
  history: { actorId: string; json: string; at: number; conversation: string }[];
  /** Key/value writes by scope, then key; `null` deletes. */
  kv: Map<string, Map<string, string | null>>;
  /** False once the transaction committed or aborted: its views refuse writes. */
  open: boolean;
}

/** A new, empty buffer for a tick of `actorId`. */
export function tickBuffer(actorId: string): TickBuffer {
  return { actorId, actors: new Map(), history: [], kv: new Map(), open: true };
}

/** `pantheon_history.conversation_id` of the actor-wide history; conversation ids are non-empty. */
export const ACTOR_WIDE = '';

/** How long rows are kept; see `PersistenceOptions.retention`. */
export interface RetentionOptions {
  /**
   * History entries kept per actor and conversation (the newest N of each conversation; the
   * actor-wide history counts as one conversation). Default: all.
   */
  historyEntries?: number;
  /**
   * History entries older than this many days are deleted, in every conversation — so a
   * conversation idle for that long is gone entirely. Default: never.
   */
  historyDays?: number;
  /**
   * Acknowledged mailbox rows, published outbox rows and recorded `once` tool results older than
   * this many days are deleted; until then their ids de-duplicate redelivered messages and
   * replayed tool calls. Default 7.
   */
  messageDays?: number;
  /** Runs `prune()` this often (milliseconds) while the store is open. Default: only on demand. */
  pruneIntervalMs?: number;
}

/** What `prune` deleted. */
export interface PruneReport {
  history: number;
  mailbox: number;
  outbox: number;
  /** Recorded results of `once` tool calls. */
  toolEffects: number;
}

const DAY_MS = 86_400_000;

const scriptDataCache = new WeakMap<ActorScript, string>();

/**
 * A script's data, without its functions, as stored next to the actor for reference. Cached per
 * script object: every state update writes it, and scripts are not meant to change in place.
 */
function scriptData(script: ActorScript): string {
  let data = scriptDataCache.get(script);
  if (data === undefined) {
    data = JSON.stringify(script, (_key, value) =>
      typeof value === 'function' ? undefined : value,
    );
    scriptDataCache.set(script, data);
  }
  return data;
}

/** What the three ports of one database share: the driver, the scripts and the settings. */
export class StoreCore {
  private stopPruning: (() => void) | undefined;
  /** Where tick commits, stored messages and publish marks are written, grouped. */
  readonly commits: GroupCommitter;
  /**
   * Batched reads on PostgreSQL (a round trip saved per read); none on SQLite, or with
   * `groupCommit: false`.
   */
  private readonly reads: PostgresReads<ActorRow> | undefined;

  constructor(
    readonly driver: SqlDriver,
    readonly scripts: ScriptRegistry,
    readonly now: () => number,
    readonly retention: RetentionOptions,
    readonly recentLimit: number,
    scheduler: Scheduler,
    groupCommit: GroupCommitOptions | false = {},
  ) {
    this.reads =
      driver.dialect === 'postgres' && groupCommit !== false
        ? new PostgresReads(driver, ACTOR_COLUMNS)
        : undefined;
    this.commits = new GroupCommitter(driver, groupCommit, () => this.reads?.done());
    if (retention.pruneIntervalMs !== undefined && retention.pruneIntervalMs > 0) {
      // A failed prune (database down) is retried at the next interval.
      this.stopPruning = scheduler.every(retention.pruneIntervalMs, () =>
        this.prune().then(
          () => {},
          () => {},
        ),
      );
    }
  }

  toActor(row: ActorRow): StoredActor {
    const script = this.scripts.resolve(row.script_name, row.script_version ?? undefined, {
      actorId: row.id,
    });
    const actor: Actor & { version: number } = {
      id: row.id,
      script,
      goals: JSON.parse(row.goals) as string[],
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
      version: Number(row.version),
    };
    if (row.name !== null) actor.name = row.name;
    if (row.state !== null) actor.state = row.state as Actor['state'];
    if (row.metadata !== null) actor.metadata = JSON.parse(row.metadata) as Record<string, unknown>;
    return actor;
  }

  /** The columns an actor is stored in, in `ACTOR_COLUMNS` order (without `id` and `version`). */
  actorValues(actor: Actor): (string | number | null)[] {
    return [
      actor.script.name,
      actor.script.version ?? null,
      scriptData(actor.script),
      actor.name ?? null,
      JSON.stringify(actor.goals),
      actor.state ?? null,
      actor.metadata === undefined ? null : JSON.stringify(actor.metadata),
      actor.createdAt ?? this.now(),
      actor.updatedAt ?? this.now(),
    ];
  }

  /**
   * The statement that inserts a new actor at version 1; it changes no row when the id is
   * taken (`mismatch`, when given, then aborts the batch).
   */
  actorInsert(actor: Actor, mismatch?: () => Error): SqlStatement {
    return bulkStatement(INSERT_ACTOR, [[actor.id, ...this.actorValues(actor)]], mismatch);
  }

  /**
   * The statement that writes a buffered actor, checking it was not changed meanwhile; without
   * its script columns when its script is still `storedScript`.
   */
  actorUpdate(
    actor: StoredActor,
    baseVersion: number,
    mismatch: () => Error,
    storedScript?: ActorScript,
  ): SqlStatement {
    const values = this.actorValues(actor);
    if (actor.script === storedScript) {
      return bulkStatement(
        UPDATE_ACTOR_STATE,
        [[actor.id, baseVersion, ...values.slice(SCRIPT_FIELDS)]],
        mismatch,
      );
    }
    return bulkStatement(UPDATE_ACTOR, [[actor.id, baseVersion, ...values]], mismatch);
  }

  async loadActor(id: string): Promise<ActorRow | undefined> {
    if (this.reads) return this.reads.actors.load(id);
    const rows = await this.driver.all<ActorRow>(LOAD_ACTOR, [id]);
    return rows[0];
  }

  /** The last `count` stored history entries (JSON) of one conversation, oldest first. */
  async recentHistory(actorId: string, conversation: string, count: number): Promise<string[]> {
    if (this.reads) return this.reads.recent.load({ actorId, conversation, count });
    // A whole count goes into the text: SQLite answers `LIMIT ?` several times slower than a
    // constant limit (every tick runs this query).
    const constant = Number.isSafeInteger(count);
    const rows = await this.driver.all<{ message: string }>(
      constant ? recentHistorySql(count) : `${RECENT_HISTORY} ?`,
      constant ? [actorId, conversation] : [actorId, conversation, count],
    );
    return rows.reverse().map((row) => row.message);
  }

  /** The stored value (JSON) of a key/value entry; `undefined` when there is none. */
  async storedValue(scope: string, key: string): Promise<string | undefined> {
    if (this.reads) return this.reads.values.load({ scope, key });
    const rows = await this.driver.all<{ value: string }>(
      'SELECT value FROM pantheon_kv WHERE scope = ? AND key = ?',
      [scope, key],
    );
    return rows[0]?.value;
  }

  /** The statement inserting a buffer's history entries (one multi-row insert, in order). */
  historyInserts(buffer: TickBuffer): SqlStatement[] {
    if (buffer.history.length === 0) return [];
    return [
      bulkStatement(
        APPEND_HISTORY,
        buffer.history.map((entry) => [entry.actorId, entry.conversation, entry.json, entry.at]),
      ),
    ];
  }

  kvStatements(buffer: TickBuffer): SqlStatement[] {
    const statements: SqlStatement[] = [];
    for (const [scope, entries] of buffer.kv) {
      for (const [key, value] of entries) statements.push(this.kvStatement(scope, key, value));
    }
    return statements;
  }

  kvStatement(scope: string, key: string, value: string | null): SqlStatement {
    return value === null
      ? { sql: 'DELETE FROM pantheon_kv WHERE scope = ? AND key = ?', params: [scope, key] }
      : {
          sql: `INSERT INTO pantheon_kv (scope, key, value, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
          params: [scope, key, value, this.now()],
        };
  }

  /** Deletes what the retention settings no longer keep. */
  prune(): Promise<PruneReport> {
    return guarded('mailbox', undefined, async () => {
      const now = this.now();
      const report: PruneReport = { history: 0, mailbox: 0, outbox: 0, toolEffects: 0 };
      const { historyEntries, historyDays, messageDays = 7 } = this.retention;
      if (historyEntries !== undefined) {
        report.history += await this.driver.run(
          `DELETE FROM pantheon_history WHERE seq IN (
            SELECT seq FROM (
              SELECT seq, ROW_NUMBER() OVER (
                PARTITION BY actor_id, conversation_id ORDER BY seq DESC
              ) AS position
              FROM pantheon_history
            ) ranked WHERE position > ?
          )`,
          [Math.max(0, Math.floor(historyEntries))],
        );
      }
      if (historyDays !== undefined) {
        report.history += await this.driver.run(
          'DELETE FROM pantheon_history WHERE created_at < ?',
          [now - historyDays * DAY_MS],
        );
      }
      const cutoff = now - messageDays * DAY_MS;
      report.mailbox = await this.driver.run(
        'DELETE FROM pantheon_mailbox WHERE acked_at IS NOT NULL AND acked_at < ?',
        [cutoff],
      );
      report.outbox = await this.driver.run(
        'DELETE FROM pantheon_outbox WHERE published_at IS NOT NULL AND published_at < ?',
        [cutoff],
      );
      report.toolEffects = await this.driver.run(
        'DELETE FROM pantheon_tool_effects WHERE created_at < ?',
        [cutoff],
      );
      return report;
    });
  }

  async close(): Promise<void> {
    this.stopPruning?.();
    this.stopPruning = undefined;
    await this.commits.drain();
    await this.driver.close();
  }
}

/** Messages stored as history come back marked `metadata.source = 'history'`. */
export function historyMessage(json: string): Message {
  const message = JSON.parse(json) as Message;
  return { ...message, metadata: { ...message.metadata, source: 'history' } };
}
