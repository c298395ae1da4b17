import type { ActorStatePort } from './actor-state-port';
import type { ContextPort } from './context-port';
import type { BusMessage } from './message-bus';

/**
 * One durable tick as a unit of work, from `MailboxStore.beginTick`. The tick runs against
 * `state` and `context`: views of the store's own ports whose reads see the transaction's writes
 * and whose writes (state updates and spawns, history appends, key/value writes and deletes) go
 * into the transaction only — nothing is visible through the store's ports, or to another
 * transaction, before `commit`. A transaction ends with its first `commit` or `abort`; using it
 * afterwards (`commit`, or a write through a view) rejects with `PantheonError` `TICK_ENDED`
 * and writes nothing.
 */
export interface TickTransaction {
  /** The tick's view of the store's `ActorStatePort`. */
  readonly state: ActorStatePort;
  /** The tick's view of the store's `ContextPort`. */
  readonly context: ContextPort;
  /**
   * Applies, in one database transaction: the views' writes, the acknowledgement of `messageId`
   * (absent for ticks without input), `deliver` stored as new mailbox messages and `publish`
   * stored as unpublished outbound messages (both ignoring ids stored before). All or nothing:
   * a commit that rejects wrote nothing. When `messageId` was acknowledged already — an earlier
   * attempt's commit reached the store although its answer was lost — it applies nothing and
   * resolves. Ends the transaction, whether it resolves or rejects.
   */
  commit(
    messageId: string | undefined,
    deliver: readonly BusMessage[],
    publish: readonly BusMessage[],
  ): Promise<void>;
  /** Discards the transaction's writes and ends it; does nothing once it has ended. */
  abort(): void;
}

/**
 * Durable mailboxes and outboxes for `PantheonSystem`. A store comes with its own
 * `ActorStatePort` and `ContextPort` over the same database (`owns` says which); each tick runs
 * in a `TickTransaction` from `beginTick`, so a tick's effects and the acknowledgement of the
 * message it handled are committed together or not at all. `PantheonSystem` rejects a store
 * paired with other state or context ports (`ConfigError` `STORE_PORTS_MISMATCH`): their writes
 * would bypass the transaction. `describeMailboxStoreContract` of
 * `@promethean-os/pantheon-test/contracts` checks an implementation.
 */
export interface MailboxStore {
  /**
   * Stores a message for its recipient (`message.to`, an actor id); resolves `false` when a
   * message with the same `id` was stored before, so redelivered messages are ignored. A message
   * without an `id` is `INVALID_MESSAGE`.
   */
  enqueue(message: BusMessage): Promise<boolean>;
  /** Every stored message not yet acknowledged, oldest first. */
  pending(): Promise<BusMessage[]>;
  /** Outbound messages committed by ticks but not yet marked published, oldest first. */
  unpublished(): Promise<BusMessage[]>;
  /** Starts one tick of `actorId`: the transaction its writes go into until `commit`. */
  beginTick(actorId: string): TickTransaction;
  /** Marks outbound messages published; unknown or already published ids are ignored. */
  markPublished(ids: readonly string[]): Promise<void>;
  /**
   * True for the store's own state and context ports — the ones whose data its transactions
   * commit into (with `@promethean-os/pantheon-persistence`, `db.actors` and `db.context`).
   */
  owns(port: ActorStatePort | ContextPort): boolean;
  /**
   * The recorded result of a `once` tool call (`ToolSpec.once`) by its idempotency key, or
   * `undefined` when no call with that key has returned yet. Optional: a store without it has
   * `once` tools remembered in memory only, which covers retries but not a restart.
   */
  toolEffect?(key: string): Promise<{ result: unknown } | undefined>;
  /**
   * Records the result of a `once` tool call as soon as the tool returned: right away, outside
   * any tick's transaction, since the effect happened whether or not the tick commits. A key
   * recorded before keeps its first result. Kept at least as long as acknowledged message ids.
   */
  recordToolEffect?(key: string, result: unknown): Promise<void>;
}
