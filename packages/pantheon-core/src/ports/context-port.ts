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
  /** Who sent `texts` (another actor's id); becomes the input messages' `name`. */
  from?: string;
  signal?: AbortSignal;
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
  /** Append one message to an actor's conversation history. */
  append?(actorId: string, message: Message): Promise<void>;
  /** The stored value of `target`, or `undefined`. */
  read?(target: string, options?: ContextStoreOptions): Promise<unknown>;
  write?(target: string, data: unknown, options?: ContextStoreOptions): Promise<void>;
  delete?(target: string, options?: ContextStoreOptions): Promise<void>;
}
