import type { ApprovalRecord } from '../approval-types';
import { errorMessage } from '../errors';
import type { LogFunction } from '../orchestrator/types';
import type { ActorStatePort } from '../ports/actor-state-port';
import type { ContextPort } from '../ports/context-port';
import type { MailboxStore, TickTransaction } from '../ports/mailbox-store';
import type { BusMessage, MessageBus } from '../ports/message-bus';
import type { Scheduler } from '../ports/scheduler';

/** Where a message a durable tick sent goes once the tick commits. */
export type Destination = 'deliver' | 'publish' | 'drop';

export interface DurableOutboxOptions {
  scheduler: Scheduler;
  log: LogFunction;
  /** First retry delay of a failed publish; doubles per failure up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** True once the system shut down: no more retries. */
  isClosed(): boolean;
}

/**
 * One durable tick: the store's transaction and the messages the tick sent, held until the
 * transaction commits.
 */
export class DurableTick {
  /** What the tick runs against: the transaction's views, and a bus that holds what it sends. */
  readonly ports: { state: ActorStatePort; context: ContextPort; bus: MessageBus };
  private readonly held: BusMessage[] = [];

  constructor(
    private readonly transaction: TickTransaction,
    bus: MessageBus,
  ) {
    this.ports = {
      state: transaction.state,
      context: transaction.context,
      bus: {
        send: async (message) => {
          this.held.push(message);
        },
        subscribe: (handler, options) => bus.subscribe(handler, options),
      },
    };
  }

  /**
   * Commits the tick's writes with the acknowledgement of `messageId`, storing the messages it
   * sent as `where` says: `deliver` into local mailboxes, `publish` as unpublished outbound.
   * Returns them, split; the caller hands `deliver` to the mailboxes, then publishes `publish`.
   */
  async commit(
    messageId: string | undefined,
    where: (message: BusMessage) => Destination,
  ): Promise<{ deliver: BusMessage[]; publish: BusMessage[] }> {
    const deliver: BusMessage[] = [];
    const publish: BusMessage[] = [];
    for (const message of this.held) {
      const destination = where(message);
      if (destination === 'deliver') deliver.push(message);
      else if (destination === 'publish') publish.push(message);
    }
    await this.transaction.commit(messageId, deliver, publish);
    return { deliver, publish };
  }

  /** Discards the tick's writes and the messages it sent; nothing once it committed. */
  abort(): void {
    this.transaction.abort();
  }

  /** Stores an approval the tick asked for with its commit. */
  requestApproval(approval: ApprovalRecord): void {
    this.transaction.requestApproval(approval);
  }

  /** Settles the approval the tick resumed from with its commit. */
  settleApproval(id: string): void {
    this.transaction.settleApproval(id);
  }
}

/**
 * The outbox side of durable mode: runs each durable tick in a transaction of the store, its
 * messages held until the tick commits (with the acknowledgement of the message it handled),
 * then publishes what leaves the system — at least once, retried with backoff until the store
 * marks it published.
 */
export class DurableOutbox {
  private retryPending = false;
  /** Publish marks being written; the turns that published go on meanwhile. */
  private readonly marking = new Set<Promise<void>>();
  /** Ids published but not yet handed to `markPublished`: the ticks of a turn mark them together. */
  private unmarked: string[] = [];

  constructor(
    readonly store: MailboxStore,
    private readonly bus: MessageBus,
    private readonly options: DurableOutboxOptions,
  ) {}

  /** Starts a tick of `actorId` in a new transaction of the store. */
  begin(actorId: string): DurableTick {
    return new DurableTick(this.store.beginTick(actorId), this.bus);
  }

  /**
   * Publishes committed messages: resolves once the bus took them; their publish mark is written
   * meanwhile (see `marked`), so the actor's next tick need not wait for it — its commit can share
   * the mark's transaction — and the marks of the ticks that publish at the same moment go to the
   * store in one `markPublished`. A failure is retried with backoff, never thrown.
   */
  publish(messages: readonly BusMessage[]): Promise<void> {
    return this.send(messages, false).catch((error: unknown) => this.retry(error, 1));
  }

  /** Publishes whatever the store still holds as unpublished (on restore), marks included. */
  async publishUnpublished(): Promise<void> {
    await this.send(await this.store.unpublished(), true);
  }

  /** Resolves once every publish mark started so far is written (or failed, and retried). */
  async marked(): Promise<void> {
    while (this.marking.size > 0 || this.unmarked.length > 0) {
      await (this.marking.size > 0 ? Promise.all(this.marking) : Promise.resolve());
    }
  }

  private async send(messages: readonly BusMessage[], awaitMark: boolean): Promise<void> {
    if (messages.length === 0) return;
    for (const message of messages) await this.bus.send(message);
    if (awaitMark) {
      await this.store.markPublished(messages.map((message) => message.id as string));
      return;
    }
    if (this.unmarked.length === 0) queueMicrotask(() => this.markUnmarked());
    for (const message of messages) this.unmarked.push(message.id as string);
  }

  /** Marks what was published since the last call, in one `markPublished`. */
  private markUnmarked(): void {
    const ids = this.unmarked;
    this.unmarked = [];
    // A mark that is lost only publishes its messages again, under their ids (at least once).
    const settled: Promise<void> = Promise.resolve()
      .then(() => this.store.markPublished(ids))
      .catch((error: unknown) => this.retry(error, 1))
      .finally(() => this.marking.delete(settled));
    this.marking.add(settled);
  }

  private retry(error: unknown, attempt: number): void {
    if (this.retryPending || this.options.isClosed()) return;
    this.retryPending = true;
    const { backoffMs, maxBackoffMs, scheduler, log } = this.options;
    const delay = Math.min(backoffMs * 2 ** (attempt - 1), maxBackoffMs);
    log('Publishing committed messages failed; retrying', {
      level: 'warn',
      attempt,
      delay,
      error: errorMessage(error),
    });
    scheduler.once(delay, () => {
      this.retryPending = false;
      this.publishUnpublished().catch((retryError: unknown) => this.retry(retryError, attempt + 1));
    });
  }
}
