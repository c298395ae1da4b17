import { errorMessage } from '../errors';
import type { LogFunction } from '../orchestrator/types';
import type { MailboxStore } from '../ports/mailbox-store';
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
 * The outbox side of durable mode: holds each durable tick's messages until the tick commits
 * (with the acknowledgement of the message it handled), then publishes what leaves the system —
 * at least once, retried with backoff until the store marks it published.
 */
export class DurableOutbox {
  /** Per actor with a durable tick in progress: the messages that tick sent, held until commit. */
  private readonly held = new Map<string, BusMessage[]>();
  private retryPending = false;

  constructor(
    readonly store: MailboxStore,
    private readonly bus: MessageBus,
    private readonly options: DurableOutboxOptions,
  ) {}

  /** The bus ticks send on: during a durable tick its messages are held, not sent. */
  tickBus(): MessageBus {
    return {
      send: async (message) => {
        const held = this.held.get(message.from);
        if (held) held.push(message);
        else await this.bus.send(message);
      },
      subscribe: (handler, options) => this.bus.subscribe(handler, options),
    };
  }

  begin(actorId: string): void {
    this.held.set(actorId, []);
    this.store.beginTick(actorId);
  }

  /** Discards the tick's buffered writes; its held messages are dropped with `finish`. */
  abort(actorId: string): void {
    this.store.abortTick(actorId);
  }

  finish(actorId: string): void {
    this.held.delete(actorId);
  }

  /**
   * Commits the tick's writes with the acknowledgement of `messageId`, storing the messages it
   * sent as `where` says: `deliver` into local mailboxes, `publish` as unpublished outbound.
   * Returns them, split; the caller hands `deliver` to the mailboxes, then calls `publish`.
   */
  async commit(
    actorId: string,
    messageId: string | undefined,
    where: (message: BusMessage) => Destination,
  ): Promise<{ deliver: BusMessage[]; publish: BusMessage[] }> {
    const deliver: BusMessage[] = [];
    const publish: BusMessage[] = [];
    for (const message of this.held.get(actorId) ?? []) {
      const destination = where(message);
      if (destination === 'deliver') deliver.push(message);
      else if (destination === 'publish') publish.push(message);
    }
    await this.store.commitTick(actorId, messageId, deliver, publish);
    return { deliver, publish };
  }

  /** Publishes committed messages; a failure is retried with backoff, never thrown. */
  publish(messages: readonly BusMessage[]): Promise<void> {
    return this.send(messages).catch((error: unknown) => this.retry(error, 1));
  }

  /** Publishes whatever the store still holds as unpublished (on restore). */
  async publishUnpublished(): Promise<void> {
    await this.send(await this.store.unpublished());
  }

  private async send(messages: readonly BusMessage[]): Promise<void> {
    if (messages.length === 0) return;
    for (const message of messages) await this.bus.send(message);
    await this.store.markPublished(messages.map((message) => message.id as string));
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
