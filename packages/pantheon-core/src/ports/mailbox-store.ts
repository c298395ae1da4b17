import type { BusMessage } from './message-bus';

/**
 * Durable mailboxes and outboxes for `PantheonSystem`. A store usually also implements the
 * `ActorStatePort` and `ContextPort` over the same database: between `beginTick(actorId)` and
 * `commitTick`/`abortTick` those ports buffer that actor's writes (reads see them), and
 * `commitTick` applies them in the same transaction that acknowledges the handled message, so a
 * tick's effects and its acknowledgement are committed together or not at all.
 */
export interface MailboxStore {
  /**
   * Stores a message for its recipient (`message.to`, an actor id); resolves `false` when a
   * message with the same `id` was stored before, so redelivered messages are ignored.
   */
  enqueue(message: BusMessage): Promise<boolean>;
  /** Every stored message not yet acknowledged, oldest first. */
  pending(): Promise<BusMessage[]>;
  /** Outbound messages committed by ticks but not yet marked published, oldest first. */
  unpublished(): Promise<BusMessage[]>;
  /** Starts buffering `actorId`'s writes for one tick. */
  beginTick(actorId: string): void;
  /**
   * In one transaction: the actor's buffered writes, the acknowledgement of `messageId` (absent
   * for ticks without input), `deliver` stored as new mailbox messages (duplicates ignored) and
   * `publish` stored as unpublished outbound messages.
   */
  commitTick(
    actorId: string,
    messageId: string | undefined,
    deliver: readonly BusMessage[],
    publish: readonly BusMessage[],
  ): Promise<void>;
  /** Discards the actor's buffered writes. */
  abortTick(actorId: string): void;
  markPublished(ids: readonly string[]): Promise<void>;
}
