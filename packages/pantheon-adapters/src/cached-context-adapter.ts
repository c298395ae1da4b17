import {
  type AppendOptions,
  type CompileContextOptions,
  ConfigError,
  type ContextPort,
  type ContextStoreOptions,
  type Message,
} from '@promethean-os/pantheon-core';
import { stableStringify } from '@promethean-os/pantheon-core/adapter-kit';
import { TtlLruCache } from './ttl-lru-cache';

/** Options of `CachedContextAdapter`. */
export interface CachedContextAdapterOptions {
  /** At most this many compiled contexts are kept (least recently used go first). Default 1,000. */
  maxEntries?: number;
  /** Clock in milliseconds; defaults to `Date.now`. */
  now?: () => number;
}

/** Marks a compile in flight; an invalidation meanwhile makes its result unfit to cache. */
interface PendingCompile {
  scope: string | undefined;
  stale: boolean;
}

function positive(name: string, value: number, integer: boolean): number {
  if (!(value > 0) || (integer && !Number.isInteger(value))) {
    throw new ConfigError(`${name} must be a positive ${integer ? 'integer' : 'number'}`, {
      [name]: value,
    });
  }
  return value;
}

/**
 * Caches `compile` results for `ttlMs` (default five minutes), keyed on every compile option but
 * `signal` — `actorId` and `conversationId` included, so one conversation's cached context is
 * never handed to another — and bounded to `maxEntries` (LRU). `append` (with its options),
 * `read`, `write` and `delete` go to the delegate (and exist only when it has them); `append`,
 * `write` and `delete` drop the cached contexts they may change: those of that actor (in every
 * conversation) and those compiled without an actor, or all of them for a write without an actor. A compile that an invalidation overtook is not cached.
 * Cached results are shared: treat them as read-only (each call gets its own array).
 * `url` and `file` sources are not re-read while a context is cached.
 *
 * @example
 * const context = new CachedContextAdapter(new InMemoryContextAdapter(), 60_000, { maxEntries: 500 });
 */
export class CachedContextAdapter implements ContextPort {
  readonly append?: (actorId: string, message: Message, options?: AppendOptions) => Promise<void>;
  readonly read?: (target: string, options?: ContextStoreOptions) => Promise<unknown>;
  readonly write?: (target: string, data: unknown, options?: ContextStoreOptions) => Promise<void>;
  readonly delete?: (target: string, options?: ContextStoreOptions) => Promise<void>;

  private readonly cache: TtlLruCache<Message[]>;
  /** Cache keys by actor scope (`''` for compiles without an actor). */
  private readonly keysByScope = new Map<string, Set<string>>();
  private readonly scopeOfKey = new Map<string, string>();
  private readonly pending = new Set<PendingCompile>();

  constructor(
    private readonly delegate: ContextPort,
    ttlMs = 300_000,
    options: CachedContextAdapterOptions = {},
  ) {
    this.cache = new TtlLruCache({
      ttlMs: positive('ttlMs', ttlMs, false),
      maxEntries: positive('maxEntries', options.maxEntries ?? 1000, true),
      now: options.now ?? Date.now,
      onRemove: (key) => this.forget(key),
    });
    if (delegate.append) {
      this.append = async (actorId, message, options) => {
        this.invalidate(actorId);
        // Passed on as the orchestrator calls it: no third argument for the actor-wide history.
        if (options === undefined) await delegate.append!(actorId, message);
        else await delegate.append!(actorId, message, options);
        this.invalidate(actorId);
      };
    }
    if (delegate.read) this.read = (target, scope) => delegate.read!(target, scope);
    if (delegate.write) {
      this.write = async (target, data, scope) => {
        this.invalidate(scope?.actorId);
        await delegate.write!(target, data, scope);
        this.invalidate(scope?.actorId);
      };
    }
    if (delegate.delete) {
      this.delete = async (target, scope) => {
        this.invalidate(scope?.actorId);
        await delegate.delete!(target, scope);
        this.invalidate(scope?.actorId);
      };
    }
  }

  async compile(options: CompileContextOptions): Promise<Message[]> {
    // A malformed request is the delegate's to reject (`CONTEXT_INVALID_REQUEST`).
    if (typeof options !== 'object' || options === null) return this.delegate.compile(options);
    const { signal, ...keyed } = options;
    let key: string;
    try {
      key = stableStringify(keyed);
    } catch {
      return this.delegate.compile(options);
    }
    const cached = this.cache.get(key);
    if (cached) return [...cached];

    const compile: PendingCompile = { scope: options.actorId, stale: false };
    this.pending.add(compile);
    try {
      const messages = await this.delegate.compile(options);
      if (!compile.stale) this.remember(key, options.actorId ?? '', messages);
      return messages;
    } finally {
      this.pending.delete(compile);
    }
  }

  /** How many compiled contexts are cached. */
  get size(): number {
    return this.cache.size;
  }

  /** Drops every cached context. */
  clear(): void {
    this.cache.clear();
  }

  private remember(key: string, scope: string, messages: Message[]): void {
    this.cache.set(key, [...messages]);
    this.scopeOfKey.set(key, scope);
    let keys = this.keysByScope.get(scope);
    if (!keys) {
      keys = new Set();
      this.keysByScope.set(scope, keys);
    }
    keys.add(key);
  }

  private forget(key: string): void {
    const scope = this.scopeOfKey.get(key);
    if (scope === undefined) return;
    this.scopeOfKey.delete(key);
    const keys = this.keysByScope.get(scope);
    keys?.delete(key);
    if (keys?.size === 0) this.keysByScope.delete(scope);
  }

  /** Drops what a change in `actorId`'s scope (or the global scope when undefined) may affect. */
  private invalidate(actorId: string | undefined): void {
    if (actorId === undefined) {
      this.cache.clear();
      for (const compile of this.pending) compile.stale = true;
      return;
    }
    for (const scope of [actorId, '']) {
      for (const key of [...(this.keysByScope.get(scope) ?? [])]) this.cache.delete(key);
    }
    for (const compile of this.pending) {
      if (compile.scope === actorId || compile.scope === undefined) compile.stale = true;
    }
  }
}
