import {
  type ActorStatePort,
  type ApprovalDecisionRecord,
  type ApprovalRecord,
  type BusMessage,
  type ContextPort,
  type MailboxStore,
  PantheonError,
  type TickTransaction,
} from '@promethean-os/pantheon-core';
import {
  type ApprovalRow,
  approvalDecide,
  approvalInsert,
  approvalOf,
  approvalSettle,
} from './approval-statements';
import { TickActorState } from './durable-actor-state';
import { TickContext } from './durable-context';
import { actorExists, guarded, tickEnded, versionConflict } from './errors';
import type { SqlStatement } from './sql-driver';
import { type StoreCore, type TickBuffer, tickBuffer } from './store-core';

/**
 * Options of `DurableMailbox.beginTick`, for runtimes that own actors under a lease (e.g.
 * `@promethean-os/pantheon-cluster`).
 */
export interface BeginTickOptions {
  /**
   * A statement run first in the commit's transaction; when it does not change (a SELECT: find)
   * exactly `guard.expect.changes` rows, the commit writes nothing and rejects with
   * `guard.expect.mismatch()`. A fence: e.g. a `SELECT … FOR KEY SHARE` (PostgreSQL) of the lease
   * row matching the owner and epoch the tick started under, so a process that lost ownership
   * cannot commit (the row lock also holds a concurrent takeover until the commit ends).
   */
  guard?: SqlStatement & { expect: NonNullable<SqlStatement['expect']> };
}

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
  /** Approvals the tick asked for, and those it resumed from: written by the commit. */
  private readonly requested: ApprovalRecord[] = [];
  private readonly settled: string[] = [];

  constructor(
    private readonly core: StoreCore,
    actorId: string,
    private readonly guard?: BeginTickOptions['guard'],
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
    if (this.guard) statements.push(this.guard);
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
    for (const approval of this.requested) statements.push(approvalInsert(approval, now));
    statements.push(...approvalSettle(this.settled, now));
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
        await this.replayed(messageId as string, this.guard ? statements.slice(1) : statements);
      }
    });
  }

  abort(): void {
    this.buffer.open = false;
    this.release();
  }

  requestApproval(approval: ApprovalRecord): void {
    if (!this.buffer.open) throw tickEnded(this.buffer.actorId, 'requestApproval');
    this.requested.push(structuredClone(approval));
  }

  settleApproval(id: string): void {
    if (!this.buffer.open) throw tickEnded(this.buffer.actorId, 'settleApproval');
    this.settled.push(id);
  }

  /** Frees the buffered writes (the statements hold what the commit needs). */
  private release(): void {
    this.buffer.actors.clear();
    this.buffer.history.length = 0;
    this.buffer.kv.clear();
    this.requested.length = 0;
    this.settled.length = 0;
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
    if (rest.length > 0) await this.core.commits.submit(this.guard ? [this.guard, ...rest] : rest);
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

  /**
   * Stores `message` for its recipient, in a transaction shared with other writes (group
   * commit); `false` when its id was stored before. With `options.guard` (see
   * `BeginTickOptions`), the guard runs first in the same transaction and a mismatch rejects
   * with its error, storing nothing.
   */
  async enqueue(message: BusMessage, options: BeginTickOptions = {}): Promise<boolean> {
    const id = idOf(message);
    const duplicate = new Error('stored before');
    const insert = {
      sql: `INSERT INTO pantheon_mailbox (id, recipient, message, enqueued_at) VALUES (?, ?, ?, ?)
          ON CONFLICT (id) DO NOTHING`,
      params: [id, message.to, JSON.stringify(message), this.core.now()],
      expect: { changes: 1, mismatch: () => duplicate },
    };
    return guarded('mailbox', message.to, async () => {
      try {
        await this.core.commits.submit(options.guard ? [options.guard, insert] : [insert]);
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

  /**
   * Starts a tick of `actorId`: a transaction over this database, committed by its `commit`.
   * `options.guard` fences the commit (see `BeginTickOptions`).
   */
  beginTick(actorId: string, options: BeginTickOptions = {}): TickTransaction {
    return new DurableTickTransaction(this.core, actorId, options.guard);
  }

  /** True for `db.actors` and `db.context` of the same `Persistence`. */
  owns(port: ActorStatePort | ContextPort): boolean {
    return this.ports.has(port);
  }

  async approvals(): Promise<ApprovalRecord[]> {
    const rows = await guarded('mailbox', undefined, () =>
      this.core.driver.all<ApprovalRow>(
        'SELECT record, status, decision, settled_at FROM pantheon_approvals WHERE settled_at IS NULL ORDER BY seq',
      ),
    );
    return rows.map(approvalOf);
  }

  async approval(id: string): Promise<ApprovalRecord | undefined> {
    const rows = await guarded('mailbox', undefined, () =>
      this.core.driver.all<ApprovalRow>(
        'SELECT record, status, decision, settled_at FROM pantheon_approvals WHERE id = ?',
        [id],
      ),
    );
    return rows[0] && approvalOf(rows[0]);
  }

  /**
   * Decides a pending approval and stores its decision message, in one transaction; `false`
   * (nothing written) when it is unknown or decided already.
   */
  async decideApproval(
    id: string,
    decision: ApprovalDecisionRecord,
    message: BusMessage,
  ): Promise<boolean> {
    const notPending = new Error('not pending');
    try {
      await guarded('mailbox', message.to, () =>
        this.core.driver.batch([
          approvalDecide(id, decision, () => notPending),
          {
            sql: `INSERT INTO pantheon_mailbox (id, recipient, message, enqueued_at) VALUES (?, ?, ?, ?)
              ON CONFLICT (id) DO NOTHING`,
            params: [idOf(message), message.to, JSON.stringify(message), this.core.now()],
          },
        ]),
      );
      return true;
    } catch (error) {
      if (error === notPending || (error as { cause?: unknown }).cause === notPending) return false;
      throw error;
    }
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
