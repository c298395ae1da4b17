import type { ContextSource, Message } from '../types';

/** What `ContextPort.compile` is asked to assemble. */
export interface CompileContextOptions {
  /** The input texts of this tick (e.g. the user's message); each comes back as a `user` message. */
  texts?: readonly string[];
  sources: readonly ContextSource[];
  /** At most this many history entries per actor. */
  recentLimit?: number;
  /** At most this many retrieved documents per query source. */
  queryLimit?: number;
  /** At most this many messages overall. */
  limit?: number;
  /** Whose history and store to use. */
  actorId?: string;
  /**
   * With `actorId`, only this conversation's history is used. Without it, the actor-wide
   * history (entries appended without a conversation). Conversations never see each other's
   * entries.
   */
  conversationId?: string;
  /** Who sent `texts` (another actor's id); becomes the input messages' `name`. */
  from?: string;
  signal?: AbortSignal;
}

/** Where `ContextPort.append` files a history entry. */
export interface AppendOptions {
  /** The conversation the entry belongs to; the actor-wide history when absent. */
  conversationId?: string;
}

/** Scope of a key/value store entry. */
export interface ContextStoreOptions {
  /** Entries are per actor when given, global otherwise. */
  actorId?: string;
}

/**
 * Assembles the messages an actor reasons over. Only `compile` is required; `append` keeps
 * conversation history and `read`/`write`/`delete` back `context` actions.
 */
export interface ContextPort {
  compile(options: CompileContextOptions): Promise<Message[]>;
  /**
   * Appends one message to an actor's history: to the conversation's history when
   * `options.conversationId` is given, to the actor-wide history otherwise.
   */
  append?(actorId: string, message: Message, options?: AppendOptions): Promise<void>;
  /** The stored value of `target`, or `undefined`. */
  read?(target: string, options?: ContextStoreOptions): Promise<unknown>;
  write?(target: string, data: unknown, options?: ContextStoreOptions): Promise<void>;
  delete?(target: string, options?: ContextStoreOptions): Promise<void>;
}
