import {
  type ActorStatePort,
  type BusMessage,
  type ContextPort,
  type MailboxStore,
  PantheonError,
  type TickTransaction,
} from '@promethean-os/pantheon-core';
import { TickActorState } from './durable-actor-state';
import { TickContext } from './durable-context';
import { actorExists, guarded, tickEnded, versionConflict } from './errors';
import type { SqlStatement } from './sql-driver';
import { type StoreCore, type TickBuffer, tickBuffer } from './store-core';

/** Ids per `markPublished` statement. */
const MARK_CHUNK = 200;

function idOf(message: BusMessage): string {
  if (typeof message.id !== 'string' || message.id === '') {
    throw new PantheonError(
      'A durable mailbox needs messages with an id (used to de-duplicate them)',
      'INVALID_MESSAGE',
      { from: message.from, to: message.to },
    );
  }
  return message.id;
}

/**
 * One tick of a `DurableMailbox`: its `state` and `context` views buffer the tick's writes in
 * memory, and `commit` applies them in one database transaction with the acknowledgement of
 * the handled message and the messages the tick sent.
 */
class DurableTickTransaction implements TickTransaction {
  readonly state: TickActorState;
  readonly context: TickContext;
  private readonly buffer: TickBuffer;

  constructor(
    private readonly core: StoreCore,
    actorId: string,
  ) {
    this.buffer = tickBuffer(actorId);
    this.state = new TickActorState(core, this.buffer);
    this.context = new TickContext(core, this.buffer);
  }

  async commit(
    messageId: string | undefined,
    deliver: readonly BusMessage[],
    publish: readonly BusMessage[],
  ): Promise<void> {
    const { buffer, core } = this;
    if (!buffer.open) throw tickEnded(buffer.actorId, 'commit');
    buffer.open = false;
    const now = core.now();
    const statements: SqlStatement[] = [];
    const alreadyHandled = new Error('already acknowledged');
    if (messageId !== undefined) {
      // First, so that a tick whose message was acknowledged meanwhile applies nothing.
      statements.push({
        sql: 'UPDATE pantheon_mailbox SET acked_at = ? WHERE id = ? AND acked_at IS NULL',
        params: [now, messageId],
        expect: { changes: 1, mismatch: () => alreadyHandled },
      });
    }
    for (const [id, actor] of buffer.actors) {
      if (!actor.dirty) continue;
      const base = actor.baseVersion;
      statements.push(
        base === undefined
          ? core.actorInsert(actor.value, () => actorExists(id))
          : core.actorUpdate(actor.value, base, () => versionConflict(id, base, undefined)),
      );
    }
    statements.push(...core.historyInserts(buffer), ...core.kvStatements(buffer));
    if (deliver.length > 0) {
      statements.push({
        sql: `INSERT INTO pantheon_mailbox (id, recipient, message, enqueued_at) VALUES ${deliver
          .map(() => '(?, ?, ?, ?)')
          .join(', ')} ON CONFLICT (id) DO NOTHING`,
        params: deliver.flatMap((message) => [
          idOf(message),
          message.to,
          JSON.stringify(message),
          now,
        ]),
      });
    }
    if (publish.length > 0) {
      statements.push({
        sql: `INSERT INTO pantheon_outbox (id, message, created_at) VALUES ${publish
          .map(() => '(?, ?, ?)')
          .join(', ')} ON CONFLICT (id) DO NOTHING`,
        params: publish.flatMap((message) => [idOf(message), JSON.stringify(message), now]),
      });
    }
    this.release();
    await guarded('mailbox', buffer.actorId, async () => {
      try {
        await core.commits.submit(statements);
      } catch (error) {
        if (error !== alreadyHandled) throw error;
        await this.replayed(messageId as string, statements);
      }
    });
  }

  abort(): void {
    this.buffer.open = false;
    this.release();
  }

  /** Frees the buffered writes (the statements hold what the commit needs). */
  private release(): void {
    this.buffer.actors.clear();
    this.buffer.history.length = 0;
    this.buffer.kv.clear();
  }

  /**
   * The tick's message was not waiting. Acknowledged already — the commit of an earlier attempt
   * reached the database although its answer was lost (e.g. the connection dropped): that
   * attempt's effects stand and this replay's are discarded; its messages keep their ids, so
   * handing them on again is harmless. Never stored (a caller outside `PantheonSystem`): the
   * tick commits without an acknowledgement.
   */
  private async replayed(messageId: string, statements: SqlStatement[]): Promise<void> {
    const rows = await this.core.driver.all<{ acked_at: unknown }>(
      'SELECT acked_at FROM pantheon_mailbox WHERE id = ?',
      [messageId],
    );
    if (rows.length > 0) return;
    const rest = statements.slice(1);
    if (rest.length > 0) await this.core.commits.submit(rest);
  }
}

/**
 * The durable `MailboxStore` of `PantheonSystem` (pass it as `store`, with `db.actors` and
 * `db.context` as the system's state and context ports — the ports it `owns`). Mailbox rows are
 * de-duplicated by message id and acknowledged only by the commit of the tick that handled
 * them. Each tick runs in a transaction from `beginTick`: its views buffer the tick's state,
 * history and key/value writes, and its commit applies them, stores the messages the tick sends
 * to local actors (`deliver`, ignored when already stored) and its outbound messages (`publish`)
 * — all in one database transaction with the acknowledgement. Database failures reject with
 * `PantheonError` `STORE_UNAVAILABLE`; a concurrent change of an actor the tick wrote with
 * `ActorError` `VERSION_CONFLICT`.
 *
 * @example
 * const db = await openSqlitePersistence({ file: 'pantheon.db', scripts });
 * const pantheon = new PantheonSystem({ ...ports, actorStateAdapter: db.actors,
 *   contextAdapter: db.context, store: db.mailbox });
 */
export class DurableMailbox implements MailboxStore {
  constructor(
    private readonly core: StoreCore,
    private readonly ports: ReadonlySet<ActorStatePort | ContextPort>,
  ) {}

  /** Stores the message, in a transaction shared with other writes (group commit). */
  async enqueue(message: BusMessage): Promise<boolean> {
    const id = idOf(message);
    const duplicate = new Error('stored before');
    return guarded('mailbox', message.to, async () => {
      try {
        await this.core.commits.submit([
          {
            sql: `INSERT INTO pantheon_mailbox (id, recipient, message, enqueued_at) VALUES (?, ?, ?, ?)
              ON CONFLICT (id) DO NOTHING`,
            params: [id, message.to, JSON.stringify(message), this.core.now()],
            expect: { changes: 1, mismatch: () => duplicate },
          },
        ]);
        return true;
      } catch (error) {
        if (error === duplicate) return false;
        throw error;
      }
    });
  }

  async pending(): Promise<BusMessage[]> {
    const rows = await guarded('mailbox', undefined, () =>
      this.core.driver.all<{ message: string }>(
        'SELECT message FROM pantheon_mailbox WHERE acked_at IS NULL ORDER BY seq',
      ),
    );
    return rows.map((row) => JSON.parse(row.message) as BusMessage);
  }

  async unpublished(): Promise<BusMessage[]> {
    const rows = await guarded('mailbox', undefined, () =>
      this.core.driver.all<{ message: string }>(
        'SELECT message FROM pantheon_outbox WHERE published_at IS NULL ORDER BY seq',
      ),
    );
    return rows.map((row) => JSON.parse(row.message) as BusMessage);
  }

  /** Starts a tick of `actorId`: a transaction over this database, committed by its `commit`. */
  beginTick(actorId: string): TickTransaction {
    return new DurableTickTransaction(this.core, actorId);
  }

  /** True for `db.actors` and `db.context` of the same `Persistence`. */
  owns(port: ActorStatePort | ContextPort): boolean {
    return this.ports.has(port);
  }

  /**
   * Marks them in a transaction shared with other writes (group commit). On PostgreSQL a group of
   * marks only does not wait for the server's log flush: a crash of the server may forget the
   * latest marks, and those messages are published again under their ids (at least once).
   */
  async markPublished(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const now = this.core.now();
    const statements: SqlStatement[] = [];
    for (let start = 0; start < ids.length; start += MARK_CHUNK) {
      const chunk = ids.slice(start, start + MARK_CHUNK);
      statements.push({
        sql: `UPDATE pantheon_outbox SET published_at = ? WHERE published_at IS NULL AND id IN (${chunk
          .map(() => '?')
          .join(', ')})`,
        params: [now, ...chunk],
      });
    }
    // A mark a crash of the database server forgets only publishes the message again, under
    // the same id: it need not wait for the log flush.
    await guarded('mailbox', undefined, () =>
      this.core.commits.submit(statements, { durable: false }),
    );
  }

  async toolEffect(key: string): Promise<{ result: unknown } | undefined> {
    const rows = await guarded('mailbox', undefined, () =>
      this.core.driver.all<{ result: string }>(
        'SELECT result FROM pantheon_tool_effects WHERE key = ?',
        [key],
      ),
    );
    const row = rows[0];
    return row ? (JSON.parse(row.result) as { result: unknown }) : undefined;
  }

  async recordToolEffect(key: string, result: unknown): Promise<void> {
    await guarded('mailbox', undefined, () =>
      this.core.driver.run(
        `INSERT INTO pantheon_tool_effects (key, result, created_at) VALUES (?, ?, ?)
          ON CONFLICT (key) DO NOTHING`,
        [key, JSON.stringify({ result }), this.core.now()],
      ),
    );
  }

  /** Counts of rows, for monitoring: messages waiting, acknowledged and outbound not yet published. */
  async stats(): Promise<{ pending: number; acknowledged: number; unpublished: number }> {
    const rows = await guarded('mailbox', undefined, () =>
      this.core.driver.all<{
        pending: number | string;
        acknowledged: number | string;
        unpublished: number | string;
      }>(
        `SELECT
          (SELECT COUNT(*) FROM pantheon_mailbox WHERE acked_at IS NULL) AS pending,
          (SELECT COUNT(*) FROM pantheon_mailbox WHERE acked_at IS NOT NULL) AS acknowledged,
          (SELECT COUNT(*) FROM pantheon_outbox WHERE published_at IS NULL) AS unpublished`,
      ),
    );
    const row = rows[0];
    return {
      pending: Number(row?.pending ?? 0),
      acknowledged: Number(row?.acknowledged ?? 0),
      unpublished: Number(row?.unpublished ?? 0),
    };
  }
}
