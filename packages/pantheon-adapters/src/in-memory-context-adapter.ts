import {
  type AppendOptions,
  type CompileContextOptions,
  ConfigError,
  ContextError,
  type ContextPort,
  type ContextSource,
  type ContextStoreOptions,
  type Message,
  type NamedContextSource,
  type Scheduler,
} from '@promethean-os/pantheon-core';
import {
  abortError,
  BoundedLog,
  checkAppendedMessage,
  conversationOf,
  errorMessage,
} from '@promethean-os/pantheon-core/adapter-kit';
import MiniSearch, { type SearchOptions } from 'minisearch';
import { assembleContext, inputMessages, type RankedMessage } from './context-assembly';
import { type ContextDocument, checkDocument, invalidDocument } from './context-document';
import {
  ContextSourceLoader,
  type LoadableSource,
  type SourceLoadingOptions,
  textSourceMessage,
} from './context-source-loader';
import { NodeScheduler } from './node-scheduler';
import { DEFAULT_SEARCH_OPTIONS, processSearchTerm } from './search-defaults';

/** Options of `InMemoryContextAdapter`. */
export interface InMemoryContextAdapterOptions extends Omit<SourceLoadingOptions, 'scheduler'> {
  documents?: readonly ContextDocument[];
  /**
   * Oldest entries beyond this many per history are forgotten: per conversation of an actor,
   * and for its actor-wide history. Default 1,000 (or `maxHistoryPerActor` when only that is
   * given).
   */
  maxHistoryPerConversation?: number;
  /**
   * @deprecated Use `maxHistoryPerConversation`: history is kept per actor *and* conversation,
   * and this bound applies to each of them.
   */
  maxHistoryPerActor?: number;
  /**
   * Conversations whose history is kept per actor; past it, the least recently appended-to
   * conversation is forgotten (its history, not the actor-wide one). Default 1,000. Every
   * `sendMessage` without a `conversationId` starts a conversation, so without this bound a
   * long-running process would keep them all.
   */
  maxConversationsPerActor?: number;
  /** Default `queryLimit` when `compile` gives none. Default 5. */
  queryLimit?: number;
  /** Default `recentLimit` when `compile` gives none. Default 20. */
  recentLimit?: number;
  /** Default `limit` (messages) when `compile` gives none. Default: no limit. */
  limit?: number;
  /** Default `maxChars` when `compile` gives none. Default: no limit. */
  maxChars?: number;
  /** Default `maxTokens` when `compile` gives none. Default: no limit. */
  maxTokens?: number;
  /** Counts tokens for `maxTokens`; defaults to `estimateTokens` (characters / 4). */
  countTokens?: (text: string) => number;
  /** MiniSearch options of every query, merged over `DEFAULT_SEARCH_OPTIONS`. */
  searchOptions?: SearchOptions;
  /**
   * Turns a word into an index and query term, or drops it (`null`). Default
   * `processSearchTerm`: lower-cased, English stop words dropped.
   */
  processTerm?: (term: string) => string | null | undefined;
  /** `write`s to targets that start with this prefix store a searchable document. Default `'documents/'`. */
  documentPrefix?: string;
  /** Timer for `fetchTimeoutMs`; defaults to a `NodeScheduler`. */
  scheduler?: Scheduler;
}

/** `compile` options of `InMemoryContextAdapter`: the port's, plus per-call budgets. */
export interface InMemoryCompileOptions extends CompileContextOptions {
  /** At most this many characters of message content in total. */
  maxChars?: number;
  /** At most this many tokens of message content in total (see `countTokens`). */
  maxTokens?: number;
}

interface IndexedDocument {
  /** Scope and id: unique across scopes. */
  key: string;
  scope: string;
  id: string;
  title: string;
  content: string;
  metadata: Record<string, unknown> | undefined;
}

const GLOBAL_SCOPE = '';
/** Key of an actor's actor-wide history; conversation ids are non-empty, so it cannot clash. */
const ACTOR_WIDE = '';
const HISTORY_METADATA = Object.freeze({ source: 'history' });
function scopedKey(scope: string, id: string): string {
  return `${scope}\u0000${id}`;
}

function matches(document: IndexedDocument, where: Record<string, unknown> | undefined): boolean {
  if (!where) return true;
  for (const key in where) {
    if (document.metadata?.[key] !== where[key]) return false;
  }
  return true;
}

function cloneForStore<T>(value: T, target: string): T {
  try {
    return structuredClone(value);
  } catch (error) {
    throw new ConfigError(
      `The value of "${target}" cannot be stored: ${errorMessage(error)}`,
      { target },
      { code: 'INVALID_ARGUMENT', cause: error },
    );
  }
}

/**
 * Context, history, searchable documents and a key/value store, in memory.
 *
 * `compile` returns, in this order:
 * 1. one `system` message per `text`, `url` and `file` source (`url`s fetched with a timeout and a
 *    size cap, `file`s read with a size cap), in declaration order;
 * 2. the stored documents each named source `{ id, where }` retrieves: ranked by MiniSearch
 *    against the input texts (documents come in insertion order, unranked, when there are none),
 *    filtered by `where` (metadata equality), at most `queryLimit` per source, a document at most
 *    once;
 * 3. the history of the actor (`actorId`) in the conversation (`conversationId`), the last
 *    `recentLimit` entries; without a `conversationId`, the actor-wide history (entries appended
 *    without one). Conversations never see each other's entries;
 * 4. one `user` message per input text.
 *
 * Every message says where it came from: `metadata.source` is `'text'`, `'url'` (plus `url`),
 * `'file'` (plus `path`), the query source's id (plus `documentId` and, when ranked, `score`),
 * `'history'` or `'input'`. Over `limit`, `maxChars` or `maxTokens`, the lowest-ranked documents
 * go first, then the oldest history, then sources from the last; the input is always kept.
 * History messages are frozen snapshots shared by every compile: treat the result as read-only.
 *
 * @example
 * const context = new InMemoryContextAdapter({ documents, queryLimit: 3, maxChars: 8_000 });
 * const messages = await context.compile({
 *   texts: ['How do refunds work?'],
 *   sources: [{ id: 'faq', where: { category: 'faq' } }],
 *   actorId: 'support-1',
 * });
 */
export class InMemoryContextAdapter implements ContextPort {
  private readonly documents = new Map<string, IndexedDocument>();
  private readonly index: MiniSearch<IndexedDocument>;
  /** Per actor: the actor-wide log under `ACTOR_WIDE`, each conversation's under its id. */
  private readonly history = new Map<string, Map<string, BoundedLog<Message>>>();
  private readonly store = new Map<string, unknown>();
  private readonly loader: ContextSourceLoader;
  private readonly maxHistoryPerConversation: number;
  private readonly maxConversationsPerActor: number;
  private readonly defaults: Pick<
    InMemoryContextAdapterOptions,
    'queryLimit' | 'recentLimit' | 'limit' | 'maxChars' | 'maxTokens' | 'countTokens'
  >;
  private readonly searchOptions: SearchOptions;
  private readonly documentPrefix: string;

  constructor(options: InMemoryContextAdapterOptions = {}) {
    this.maxHistoryPerConversation =
      options.maxHistoryPerConversation ?? options.maxHistoryPerActor ?? 1000;
    this.maxConversationsPerActor = options.maxConversationsPerActor ?? 1000;
    this.defaults = {
      queryLimit: options.queryLimit ?? 5,
      recentLimit: options.recentLimit ?? 20,
      limit: options.limit,
      maxChars: options.maxChars,
      maxTokens: options.maxTokens,
      countTokens: options.countTokens,
    };
    this.searchOptions = { ...DEFAULT_SEARCH_OPTIONS, ...options.searchOptions };
    this.documentPrefix = options.documentPrefix ?? 'documents/';
    this.index = new MiniSearch<IndexedDocument>({
      idField: 'key',
      fields: ['title', 'content'],
      storeFields: [],
      processTerm: options.processTerm ?? processSearchTerm,
    });
    this.loader = new ContextSourceLoader({
      ...options,
      scheduler: options.scheduler ?? new NodeScheduler(),
    });
    if (options.documents) this.addDocuments(options.documents);
  }

  /**
   * Stores searchable documents for every actor (a known id replaces the document). Rejects the
   * whole batch with `CONTEXT_INVALID_DOCUMENT` when one is malformed.
   */
  addDocuments(documents: readonly ContextDocument[]): void {
    if (!Array.isArray(documents)) throw invalidDocument('expected an array', { path: '(root)' });
    const checked = documents.map((document, index) => checkDocument(document, `[${index}]`));
    for (const document of checked) this.putDocument(GLOBAL_SCOPE, document);
  }

  /** Removes stored documents (of every actor) by id; returns how many were removed. */
  removeDocuments(ids: readonly string[]): number {
    let removed = 0;
    for (const id of ids) if (this.dropDocument(scopedKey(GLOBAL_SCOPE, id))) removed++;
    return removed;
  }

  async compile(options: InMemoryCompileOptions): Promise<Message[]> {
    if (typeof options !== 'object' || options === null || !Array.isArray(options.sources)) {
      throw new ContextError(
        'compile() needs { sources: ContextSource[] }',
        { field: 'sources' },
        { code: 'CONTEXT_INVALID_REQUEST' },
      );
    }
    const conversationId = conversationOf(options, 'compile', options.actorId);
    if (options.signal?.aborted) throw abortError(options.signal);
    const queryLimit = options.queryLimit ?? this.defaults.queryLimit!;
    const recentLimit = options.recentLimit ?? this.defaults.recentLimit!;
    const scope = options.actorId ?? GLOBAL_SCOPE;

    const loading: (Message | Promise<Message>)[] = [];
    let pending = false;
    const retrieved: RankedMessage[] = [];
    let query: string | undefined;
    let seen: Set<string> | undefined;
    for (let index = 0; index < options.sources.length; index++) {
      const source = options.sources[index];
      const kind = (source as { type?: unknown } | null)?.type;
      if (kind === undefined && typeof (source as NamedContextSource)?.id === 'string') {
        query ??= options.texts?.join(' ').trim() ?? '';
        seen ??= new Set();
        this.retrieve(source as NamedContextSource, query, scope, queryLimit, seen, retrieved);
      } else if (kind === 'text') {
        loading.push(textSourceMessage(source as Extract<ContextSource, { type: 'text' }>));
      } else if (kind === 'url' || kind === 'file') {
        pending = true;
        loading.push(this.loader.load(source as LoadableSource, options.signal));
      } else {
        throw new ContextError(
          `sources[${index}] is not a context source this adapter can load`,
          { path: `sources[${index}]`, sourceType: typeof kind === 'string' ? kind : undefined },
          { code: 'CONTEXT_SOURCE_UNSUPPORTED' },
        );
      }
    }
    const sources = pending ? await Promise.all(loading) : (loading as Message[]);

    // History entries are frozen snapshots, so they are shared rather than copied per compile.
    const history =
      options.actorId === undefined
        ? []
        : (this.history
            .get(options.actorId)
            ?.get(conversationId ?? ACTOR_WIDE)
            ?.last(recentLimit) ?? []);

    return assembleContext(
      { sources, retrieved, history, inputs: inputMessages(options.texts, options.from) },
      {
        limit: options.limit ?? this.defaults.limit,
        maxChars: options.maxChars ?? this.defaults.maxChars,
        maxTokens: options.maxTokens ?? this.defaults.maxTokens,
        countTokens: this.defaults.countTokens,
      },
    );
  }

  /**
   * Appends to the history of `actorId` in `options.conversationId`, or to its actor-wide
   * history without one (each bounded by `maxHistoryPerConversation`). A malformed message is
   * `CONTEXT_INVALID_MESSAGE`, a `conversationId` that is not a non-empty string
   * `CONTEXT_INVALID_REQUEST`; nothing is stored then.
   */
  async append(actorId: string, message: Message, options?: AppendOptions): Promise<void> {
    checkAppendedMessage(actorId, message);
    const conversationId = conversationOf(options, 'append', actorId) ?? ACTOR_WIDE;
    let logs = this.history.get(actorId);
    if (!logs) {
      logs = new Map();
      this.history.set(actorId, logs);
    }
    let entries = logs.get(conversationId);
    if (!entries) {
      entries = new BoundedLog(this.maxHistoryPerConversation);
    } else if (conversationId !== ACTOR_WIDE) {
      logs.delete(conversationId); // re-inserted below: a Map keeps insertion order, oldest first
    }
    logs.set(conversationId, entries);
    if (conversationId !== ACTOR_WIDE) this.forgetOldConversations(logs);
    entries.push(
      Object.freeze({
        ...message,
        metadata: message.metadata
          ? Object.freeze({ ...message.metadata, source: 'history' })
          : HISTORY_METADATA,
      }),
    );
  }

  /** Keeps at most `maxConversationsPerActor` conversations, forgetting the least recent. */
  private forgetOldConversations(logs: Map<string, BoundedLog<Message>>): void {
    let conversations = logs.size - (logs.has(ACTOR_WIDE) ? 1 : 0);
    for (const key of logs.keys()) {
      if (conversations <= this.maxConversationsPerActor) return;
      if (key === ACTOR_WIDE) continue;
      logs.delete(key);
      conversations--;
    }
  }

  /** The stored value of `target` (a copy), or the document stored under the document prefix. */
  async read(target: string, options: ContextStoreOptions = {}): Promise<unknown> {
    const scope = options.actorId ?? GLOBAL_SCOPE;
    const id = this.documentId(target);
    if (id !== undefined) {
      const document = this.documents.get(scopedKey(scope, id));
      return document && structuredClone(this.publicDocument(document));
    }
    return structuredClone(this.store.get(scopedKey(scope, target)));
  }

  /**
   * Stores a copy of `data` under `target`. A target under the document prefix (default
   * `documents/<id>`) stores `data` (`{ content, title?, metadata? }`, else
   * `CONTEXT_INVALID_DOCUMENT`) as a searchable document of that actor, or of every actor
   * when no `actorId` is given.
   */
  async write(target: string, data: unknown, options: ContextStoreOptions = {}): Promise<void> {
    const scope = options.actorId ?? GLOBAL_SCOPE;
    const id = this.documentId(target);
    if (id === undefined) {
      this.store.set(scopedKey(scope, target), cloneForStore(data, target));
      return;
    }
    if (id === '') throw invalidDocument(`"${target}" names no document id`, { target });
    const document = checkDocument({ ...(data as object), id }, target);
    this.putDocument(scope, cloneForStore(document, target));
  }

  async delete(target: string, options: ContextStoreOptions = {}): Promise<void> {
    const scope = options.actorId ?? GLOBAL_SCOPE;
    const id = this.documentId(target);
    if (id !== undefined) this.dropDocument(scopedKey(scope, id));
    else this.store.delete(scopedKey(scope, target));
  }

  /**
   * The kept history of `actorId` in `conversationId` — or its actor-wide history without
   * one — oldest first (frozen snapshots).
   */
  getHistory(actorId: string, conversationId?: string): readonly Message[] {
    return (
      this.history
        .get(actorId)
        ?.get(conversationId ?? ACTOR_WIDE)
        ?.last() ?? []
    );
  }

  /**
   * How many entries the adapter holds (documents, store entries and the history entries of
   * every actor and conversation): watch it for memory growth.
   */
  getCacheSize(): number {
    let size = this.documents.size + this.store.size;
    for (const logs of this.history.values()) {
      for (const entries of logs.values()) size += entries.size;
    }
    return size;
  }

  private documentId(target: string): string | undefined {
    return target.startsWith(this.documentPrefix)
      ? target.slice(this.documentPrefix.length)
      : undefined;
  }

  private publicDocument(document: IndexedDocument): ContextDocument {
    const out: ContextDocument = { id: document.id, content: document.content };
    if (document.title !== '') out.title = document.title;
    if (document.metadata !== undefined) out.metadata = document.metadata;
    return out;
  }

  private putDocument(scope: string, document: ContextDocument): void {
    const key = scopedKey(scope, document.id);
    const indexed: IndexedDocument = {
      key,
      scope,
      id: document.id,
      title: document.title ?? '',
      content: document.content,
      metadata: document.metadata && { ...document.metadata },
    };
    if (this.documents.has(key)) this.index.discard(key);
    this.index.add(indexed);
    this.documents.set(key, indexed);
  }

  private dropDocument(key: string): boolean {
    if (!this.documents.delete(key)) return false;
    this.index.discard(key);
    return true;
  }

  private retrieve(
    source: NamedContextSource,
    query: string,
    scope: string,
    queryLimit: number,
    seen: Set<string>,
    out: RankedMessage[],
  ): void {
    if (queryLimit <= 0) return;
    let taken = 0;
    const visible = (document: IndexedDocument | undefined): document is IndexedDocument =>
      document !== undefined &&
      (document.scope === GLOBAL_SCOPE || document.scope === scope) &&
      !seen.has(document.key) &&
      matches(document, source.where);
    const take = (document: IndexedDocument, score: number | undefined) => {
      seen.add(document.key);
      const metadata: Record<string, unknown> = {
        ...document.metadata,
        source: source.id,
        documentId: document.id,
      };
      if (score !== undefined) metadata.score = score;
      out.push({
        message: { role: 'system', content: document.content, metadata },
        score: score ?? 0,
      });
      taken++;
    };

    if (query === '') {
      for (const document of this.documents.values()) {
        if (taken >= queryLimit) break;
        if (visible(document)) take(document, undefined);
      }
      return;
    }
    const results = this.index.search(query, {
      ...this.searchOptions,
      filter: (result) => visible(this.documents.get(result.id as string)),
    });
    for (const result of results) {
      if (taken >= queryLimit) break;
      take(this.documents.get(result.id as string)!, result.score);
    }
  }
}
