import type { MessagePriority } from '../types';

/** A message between actors (or between an actor and `'user'`). */
export interface BusMessage {
  from: string;
  to: string;
  content: string;
  /** Unique id; used for de-duplication by durable and distributed buses. */
  id?: string;
  /** Milliseconds since the epoch. */
  timestamp?: number;
  priority?: MessagePriority;
  /** Ties a reply to the request it answers; carried through every hop of the request's chain. */
  correlationId?: string;
  /**
   * The conversation (thread) the message belongs to. Actors keep their history per
   * conversation, and every message sent while handling this one carries the same id.
   */
  conversationId?: string;
  /**
   * Who started the conversation and receives its answers: `'user'`, a user id, or an address
   * outside the system. A `message` action without a `target` goes here.
   */
  replyTo?: string;
  metadata?: Record<string, unknown>;
}

export type BusHandler = (message: BusMessage) => void | Promise<void>;

export interface SubscribeOptions {
  /** Only messages addressed to this recipient. */
  to?: string;
}

/**
 * Delivers messages to subscribers. A handler that throws or rejects never breaks `send` nor
 * the other handlers.
 */
export interface MessageBus {
  send(message: BusMessage): Promise<void>;
  /** Returns the function that unsubscribes. */
  subscribe(handler: BusHandler, options?: SubscribeOptions): () => void;
}
