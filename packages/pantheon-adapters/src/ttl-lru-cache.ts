/** Options of `TtlLruCache`. */
export interface TtlLruCacheOptions {
  /** How long an entry stays fresh, in milliseconds. */
  ttlMs: number;
  /** The least recently used entries beyond this many are evicted. */
  maxEntries: number;
  /** Clock in milliseconds. */
  now: () => number;
  /** Called for every entry that leaves the cache (expired, evicted, deleted or cleared). */
  onRemove?: (key: string) => void;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/** A map whose entries expire after `ttlMs` and whose size never exceeds `maxEntries` (LRU). */
export class TtlLruCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(private readonly options: TtlLruCacheOptions) {}

  /** The fresh value of `key` (marking it recently used), or `undefined`. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.options.now()) {
      this.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.options.now() + this.options.ttlMs });
    while (this.entries.size > this.options.maxEntries) {
      this.delete(this.entries.keys().next().value as string);
    }
  }

  delete(key: string): boolean {
    if (!this.entries.delete(key)) return false;
    this.options.onRemove?.(key);
    return true;
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.delete(key);
  }

  /** Drops expired entries; returns how many are left. */
  prune(): number {
    const now = this.options.now();
    for (const [key, entry] of [...this.entries]) if (entry.expiresAt <= now) this.delete(key);
    return this.entries.size;
  }

  get size(): number {
    return this.entries.size;
  }
}
