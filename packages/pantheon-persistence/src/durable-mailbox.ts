import { type BusMessage, type MailboxStore, PantheonError } from '@promethean-os/pantheon-core';
import { guarded, versionConflict } from './errors';
import type { SqlStatement } from './sql-driver';
import type { StoreCore } from './store-core';

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
 * The durable `MailboxStore` of `PantheonSystem` (pass it as `store`). Mailbox rows are
 * de-duplicated by message id and acknowledged only by the commit of the tick that handled them;
 * that commit also writes the actor's buffered state, history and key/value changes, stores
 * the messages it sends to local actors (`deliver`, ignored when already stored) and its outbound
 * messages (`publish`) — all in one transaction. Database failures reject with `PantheonError`
 * `STORE_UNAVAILABLE`; a concurrent change of the actor with `ActorError` `VERSION_CONFLICT`.
 *
 * @example
 * const db = await openSqlitePersistence({ file: 'pantheon.db', scripts });
 * const pantheon = new PantheonSystem({ ...ports, actorStateAdapter: db.actors,
 *   contextAdapter: db.context, store: db.mailbox });
 */
export class DurableMailbox implements MailboxStore {
  constructor(private readonly core: StoreCore) {}

  async enqueue(message: BusMessage): Promise<boolean> {
    const id = idOf(message);
    const changed = await guarded('mailbox', message.to, () =>
      this.core.driver.run(
        `INSERT INTO pantheon_mailbox (id, recipient, message, enqueued_at) VALUES (?, ?, ?, ?)
          ON CONFLICT (id) DO NOTHING`,
        [id, message.to, JSON.stringify(message), this.core.now()],
      ),
    );
    return changed === 1;
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

  beginTick(actorId: string): void {
    this.core.buffers.set(actorId, { actor: undefined, history: [], kv: new Map() });
  }

  abortTick(actorId: string): void {
    this.core.buffers.delete(actorId);
  }

  async commitTick(
    actorId: string,
    messageId: string | undefined,
    deliver: readonly BusMessage[],
    publish: readonly BusMessage[],
  ): Promise<void> {
    const now = this.core.now();
    const buffer = this.core.buffers.get(actorId);
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
    if (buffer) {
      const actor = buffer.actor;
      if (actor?.dirty) {
        statements.push(
          this.core.actorUpdate(actor.value, actor.baseVersion, () =>
            versionConflict(actorId, actor.baseVersion, undefined),
          ),
        );
      }
      statements.push(...this.core.historyInserts(actorId, buffer));
      statements.push(...this.core.kvStatements(actorId, buffer));
    }
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
    await guarded('mailbox', actorId, async () => {
      try {
        await this.core.driver.batch(statements);
      } catch (error) {
        if (error !== alreadyHandled) throw error;
        await this.replayed(messageId as string, statements);
      }
    });
    // Only a committed tick drops its buffer; a failed commit leaves it to `abortTick`.
    this.core.buffers.delete(actorId);
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
    if (rest.length > 0) await this.core.driver.batch(rest);
  }

  async markPublished(ids: readonly string[]): Promise<void> {
    const now = this.core.now();
    for (let start = 0; start < ids.length; start += MARK_CHUNK) {
      const chunk = ids.slice(start, start + MARK_CHUNK);
      const marks = chunk.map(() => '?').join(', ');
      await guarded('mailbox', undefined, () =>
        this.core.driver.run(
          `UPDATE pantheon_outbox SET published_at = ? WHERE published_at IS NULL AND id IN (${marks})`,
          [now, ...chunk],
        ),
      );
    }
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
