import {
  type CompileContextOptions,
  ContextError,
  type ContextPort,
  type ContextSource,
  type ContextStoreOptions,
  check,
  describeIssues,
  type Message,
  MessageSchema,
  type NamedContextSource,
} from '@promethean-os/pantheon-core';

/** A document the context adapter can retrieve through named query sources. */
export interface ContextDocument {
  id: string;
  content: string;
  metadata?: Record<string, unknown>;
}

/** Options of `InMemoryContextAdapter`. */
export interface InMemoryContextAdapterOptions {
  documents?: readonly ContextDocument[];
  /** Oldest history entries beyond this many per actor are forgotten. Default 1,000. */
  maxHistoryPerActor?: number;
  /** Default `queryLimit` when `compile` gives none. Default 5. */
  queryLimit?: number;
  /** Default `recentLimit` when `compile` gives none. Default 20. */
  recentLimit?: number;
}

const GLOBAL_SCOPE = '';

function isNamedSource(source: ContextSource): source is NamedContextSource {
  return source.type === undefined;
}

function matches(document: ContextDocument, where: Record<string, unknown> | undefined): boolean {
  if (!where) return true;
  for (const key in where) {
    if (document.metadata?.[key] !== where[key]) return false;
  }
  return true;
}

/**
 * Context, history and a key/value store in memory.
 *
 * `compile` returns, in this order: one `system` message per `text` source, the documents each
 * named source (`{ id, where }`) retrieves (at most `queryLimit` per source, filtered by
 * metadata equality), the actor's history (the last `recentLimit` entries, default 20), and one `user`
 * message per input text. Every message says where it came from in `metadata.source`. When
 * `limit` is exceeded, documents go first (last retrieved first), then the oldest history, then
 * sources from the end; input texts are kept. History messages are frozen snapshots: treat the
 * compiled context as read-only.
 */
export class InMemoryContextAdapter implements ContextPort {
  private readonly documents = new Map<string, ContextDocument>();
  private readonly history = new Map<string, Message[]>();
  private readonly store = new Map<string, unknown>();
  private readonly maxHistoryPerActor: number;
  private readonly defaultQueryLimit: number;
  private readonly defaultRecentLimit: number;

  constructor(options: InMemoryContextAdapterOptions = {}) {
    this.maxHistoryPerActor = options.maxHistoryPerActor ?? 1000;
    this.defaultQueryLimit = options.queryLimit ?? 5;
    this.defaultRecentLimit = options.recentLimit ?? 20;
    if (options.documents) this.addDocuments(options.documents);
  }

  /** Stores documents (a document with a known id replaces the old one). */
  addDocuments(documents: readonly ContextDocument[]): void {
    for (const document of documents) this.documents.set(document.id, { ...document });
  }

  async compile(options: CompileContextOptions): Promise<Message[]> {
    if (!Array.isArray(options?.sources)) {
      throw new ContextError(
        'compile() needs `sources` as an array',
        { field: 'sources' },
        { code: 'CONTEXT_INVALID_REQUEST' },
      );
    }
    const sources: Message[] = [];
    const retrieved: Message[] = [];
    for (const source of options.sources) {
      if (isNamedSource(source)) retrieved.push(...this.retrieve(source, options.queryLimit));
      else if (source.type === 'text')
        sources.push({
          role: 'system',
          content: source.content,
          metadata: { ...source.metadata, source: 'text' },
        });
      else
        throw new ContextError(
          `InMemoryContextAdapter does not load "${source.type}" sources`,
          { sourceType: source.type },
          { code: 'CONTEXT_SOURCE_UNSUPPORTED' },
        );
    }

    const past = (options.actorId !== undefined && this.history.get(options.actorId)) || [];
    const recentLimit = options.recentLimit ?? this.defaultRecentLimit;
    // History entries are frozen snapshots, so they are shared rather than copied per compile.
    const history = recentLimit > 0 ? past.slice(-recentLimit) : [];

    const inputs: Message[] = (options.texts ?? []).map((text) => {
      const message: Message = { role: 'user', content: text, metadata: { source: 'input' } };
      if (options.from !== undefined) message.name = options.from;
      return message;
    });

    if (options.limit !== undefined) {
      let excess =
        sources.length + retrieved.length + history.length + inputs.length - options.limit;
      const trim = (messages: Message[], oldestFirst: boolean) => {
        const count = Math.min(Math.max(excess, 0), messages.length);
        if (oldestFirst) messages.splice(0, count);
        else messages.length -= count;
        excess -= count;
      };
      trim(retrieved, false);
      trim(history, true);
      trim(sources, false);
    }
    return [...sources, ...retrieved, ...history, ...inputs];
  }

  async append(actorId: string, message: Message): Promise<void> {
    const checked = check<Message>(MessageSchema, message, 'message');
    if (!checked.ok) {
      throw new ContextError(
        `Cannot append a malformed message: ${describeIssues(checked.issues)}`,
        {
          actorId,
          issues: checked.issues,
        },
        { code: 'CONTEXT_INVALID_MESSAGE' },
      );
    }
    let entries = this.history.get(actorId);
    if (!entries) {
      entries = [];
      this.history.set(actorId, entries);
    }
    entries.push(
      Object.freeze({
        ...message,
        metadata: Object.freeze({ ...message.metadata, source: 'history' }),
      }),
    );
    while (entries.length > this.maxHistoryPerActor) entries.shift();
  }

  async read(target: string, options: ContextStoreOptions = {}): Promise<unknown> {
    return structuredClone(this.store.get(this.key(target, options)));
  }

  async write(target: string, data: unknown, options: ContextStoreOptions = {}): Promise<void> {
    this.store.set(this.key(target, options), structuredClone(data));
  }

  async delete(target: string, options: ContextStoreOptions = {}): Promise<void> {
    this.store.delete(this.key(target, options));
  }

  /** An actor's whole history, oldest first (frozen snapshots). */
  getHistory(actorId: string): readonly Message[] {
    return [...(this.history.get(actorId) ?? [])];
  }

  /** How many entries the adapter holds (documents, history and store entries): watch it for memory growth. */
  getCacheSize(): number {
    let size = this.documents.size + this.store.size;
    for (const entries of this.history.values()) size += entries.length;
    return size;
  }

  private retrieve(source: NamedContextSource, queryLimit: number | undefined): Message[] {
    const max = queryLimit ?? this.defaultQueryLimit;
    const found: Message[] = [];
    for (const document of this.documents.values()) {
      if (found.length >= max) break;
      if (!matches(document, source.where)) continue;
      found.push({
        role: 'system',
        content: document.content,
        metadata: { ...document.metadata, source: source.id, documentId: document.id },
      });
    }
    return found;
  }

  private key(target: string, options: ContextStoreOptions): string {
    return `${options.actorId ?? GLOBAL_SCOPE}\u0000${target}`;
  }
}
