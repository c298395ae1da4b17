import type { Client } from '@elastic/elasticsearch';
import {
  type CompileContextOptions,
  ConfigError,
  ContextError,
  type ContextPort,
  type ContextSource,
  type Message,
  type NamedContextSource,
  type Scheduler,
} from '@promethean-os/pantheon-core';
import { abortError, errorMessage } from '@promethean-os/pantheon-core/adapter-kit';
import {
  assembleContext,
  type ContextBudget,
  inputMessages,
  type RankedMessage,
} from '../../context-assembly';
import { type ContextDocument, checkDocument } from '../../context-document';
import {
  ContextSourceLoader,
  type LoadableSource,
  type SourceLoadingOptions,
} from '../../context-source-loader';
import { NodeScheduler } from '../../node-scheduler';

/** Options of `ElasticsearchContextAdapter`. */
export interface ElasticsearchContextAdapterOptions
  extends Omit<SourceLoadingOptions, 'scheduler'>,
    Omit<ContextBudget, 'limit'> {
  /** Index (or alias) holding the documents. Default `'pantheon-context'`. */
  index?: string;
  /** Fields the input texts are matched against, with boosts. Default `['title^2', 'content']`. */
  fields?: string[];
  /** Default `queryLimit` when `compile` gives none. Default 5. */
  queryLimit?: number;
  /** Default `limit` (messages) when `compile` gives none. Default: no limit. */
  limit?: number;
  /** Timer for `url` sources' `fetchTimeoutMs`; defaults to a `NodeScheduler`. */
  scheduler?: Scheduler;
}

interface StoredDocument {
  title?: string;
  content?: unknown;
  metadata?: Record<string, unknown>;
}

interface SearchHit {
  _id?: string;
  _index?: string;
  _score?: number | null;
  _source?: StoredDocument;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown; meta?: { statusCode?: unknown } } | null)
    ?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function reasonOf(error: unknown): string {
  const body = (error as { body?: { error?: { type?: unknown; reason?: unknown } } } | null)?.body;
  const type = body?.error?.type;
  const reason = body?.error?.reason;
  if (typeof type === 'string') return typeof reason === 'string' ? `${type}: ${reason}` : type;
  return errorMessage(error);
}

/**
 * Context from Elasticsearch. `compile` returns, like `InMemoryContextAdapter`: one `system`
 * message per `text`/`url`/`file` source, then for each named source `{ id, where }` the best
 * `queryLimit` documents of the index for a `multi_match` query built from the input texts
 * (`match_all` without input) filtered by `where` (a `term` filter per entry on
 * `metadata.<key>`), each document once (a later source then returns fewer), then one `user`
 * message per input text. Retrieved
 * messages carry the document's metadata plus `source` (the query source's id), `documentId`,
 * `score` and `index`. `limit`, `maxChars` and `maxTokens` drop the lowest-scored documents
 * first. Search failures are `ContextError`s with code `CONTEXT_SEARCH_FAILED` (`details.status`
 * and the Elasticsearch error as `cause`); indexing failures are `CONTEXT_INDEX_FAILED`. This
 * adapter keeps no history; pair it with another `ContextPort` for that.
 *
 * @example
 * import { Client } from '@elastic/elasticsearch';
 * import { ElasticsearchContextAdapter } from '@promethean-os/pantheon-adapters/elasticsearch';
 *
 * const context = new ElasticsearchContextAdapter(new Client({ node: 'http://localhost:9200' }), {
 *   index: 'support-kb',
 * });
 * await context.ensureIndex();
 * await context.indexDocuments([{ id: 'refunds', content: 'Refunds within 30 days', metadata: { category: 'faq' } }]);
 */
export class ElasticsearchContextAdapter implements ContextPort {
  private readonly index: string;
  private readonly fields: string[];
  private readonly queryLimit: number;
  private readonly budget: ContextBudget;
  private readonly loader: ContextSourceLoader;

  constructor(
    private readonly client: Client,
    options: ElasticsearchContextAdapterOptions = {},
  ) {
    if (typeof client?.search !== 'function') {
      throw new ConfigError('ElasticsearchContextAdapter needs an @elastic/elasticsearch Client');
    }
    this.index = options.index ?? 'pantheon-context';
    this.fields = options.fields ?? ['title^2', 'content'];
    this.queryLimit = options.queryLimit ?? 5;
    this.budget = {
      limit: options.limit,
      maxChars: options.maxChars,
      maxTokens: options.maxTokens,
      countTokens: options.countTokens,
    };
    this.loader = new ContextSourceLoader({
      ...options,
      scheduler: options.scheduler ?? new NodeScheduler(),
    });
  }

  /**
   * Creates the index when it does not exist, mapping `title` and `content` as text and every
   * string under `metadata` as a keyword (so `where` filters match exactly).
   */
  async ensureIndex(): Promise<void> {
    try {
      if (await this.client.indices.exists({ index: this.index })) return;
      await this.client.indices.create({
        index: this.index,
        mappings: {
          dynamic_templates: [
            {
              metadata_strings: {
                path_match: 'metadata.*',
                match_mapping_type: 'string',
                mapping: { type: 'keyword' },
              },
            },
          ],
          properties: {
            title: { type: 'text' },
            content: { type: 'text' },
            metadata: { type: 'object' },
          },
        },
      });
    } catch (error) {
      throw new ContextError(
        `Could not create the Elasticsearch index "${this.index}": ${reasonOf(error)}`,
        { index: this.index, status: statusOf(error) },
        { code: 'CONTEXT_INDEX_FAILED', cause: error },
      );
    }
  }

  /**
   * Indexes documents in one bulk request (a known id replaces the document). A malformed
   * document rejects the whole batch before anything is sent (`CONTEXT_INVALID_DOCUMENT`);
   * documents Elasticsearch refuses are listed in the `CONTEXT_INDEX_FAILED` error's
   * `details.failed` (the others were indexed).
   */
  async indexDocuments(
    documents: readonly ContextDocument[],
    options: { refresh?: boolean | 'wait_for' } = {},
  ): Promise<void> {
    const checked = documents.map((document, index) => checkDocument(document, `[${index}]`));
    if (checked.length === 0) return;
    const operations: unknown[] = [];
    for (const document of checked) {
      operations.push({ index: { _index: this.index, _id: document.id } });
      const source: StoredDocument = { content: document.content };
      if (document.title !== undefined) source.title = document.title;
      if (document.metadata !== undefined) source.metadata = document.metadata;
      operations.push(source);
    }
    let response: Awaited<ReturnType<Client['bulk']>>;
    try {
      response = await this.client.bulk({ operations, refresh: options.refresh ?? false });
    } catch (error) {
      throw new ContextError(
        `Could not index documents into "${this.index}": ${reasonOf(error)}`,
        { index: this.index, status: statusOf(error) },
        { code: 'CONTEXT_INDEX_FAILED', cause: error },
      );
    }
    if (!response.errors) return;
    const failed = response.items
      .map((item) => item.index)
      .filter((result) => result?.error !== undefined)
      .map((result) => ({ id: result!._id, status: result!.status, error: result!.error?.type }));
    throw new ContextError(
      `Elasticsearch refused ${failed.length} of ${checked.length} documents`,
      { index: this.index, failed },
      { code: 'CONTEXT_INDEX_FAILED' },
    );
  }

  /** Deletes documents by id; ids that are not there are ignored. */
  async removeDocuments(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      await this.client.bulk({
        operations: ids.map((id) => ({ delete: { _index: this.index, _id: id } })),
      });
    } catch (error) {
      throw new ContextError(
        `Could not remove documents from "${this.index}": ${reasonOf(error)}`,
        { index: this.index, status: statusOf(error) },
        { code: 'CONTEXT_INDEX_FAILED', cause: error },
      );
    }
  }

  async compile(options: CompileContextOptions): Promise<Message[]> {
    if (typeof options !== 'object' || options === null || !Array.isArray(options.sources)) {
      throw new ContextError(
        'compile() needs { sources: ContextSource[] }',
        { field: 'sources' },
        { code: 'CONTEXT_INVALID_REQUEST' },
      );
    }
    const { signal } = options;
    if (signal?.aborted) throw abortError(signal);
    const queryLimit = options.queryLimit ?? this.queryLimit;
    const query = options.texts?.join(' ').trim() ?? '';

    const loading: Promise<Message>[] = [];
    const named: NamedContextSource[] = [];
    options.sources.forEach((source: ContextSource, index) => {
      const kind = (source as { type?: unknown } | null)?.type;
      if (kind === undefined && typeof (source as NamedContextSource)?.id === 'string') {
        named.push(source as NamedContextSource);
      } else if (kind === 'text' || kind === 'url' || kind === 'file') {
        loading.push(this.loader.load(source as LoadableSource, signal));
      } else {
        throw new ContextError(
          `sources[${index}] is not a context source this adapter can load`,
          { path: `sources[${index}]`, sourceType: typeof kind === 'string' ? kind : undefined },
          { code: 'CONTEXT_SOURCE_UNSUPPORTED' },
        );
      }
    });

    const [sources, searches] = await Promise.all([
      Promise.all(loading),
      Promise.all(named.map((source) => this.search(source, query, queryLimit, signal))),
    ]);
    const retrieved: RankedMessage[] = [];
    const seen = new Set<string>();
    searches.forEach((hits, index) => {
      const source = named[index]!;
      for (const hit of hits) {
        const id = hit._id ?? '';
        if (seen.has(id)) continue;
        seen.add(id);
        retrieved.push(this.toMessage(source, hit));
      }
    });

    return assembleContext(
      { sources, retrieved, history: [], inputs: inputMessages(options.texts, options.from) },
      { ...this.budget, limit: options.limit ?? this.budget.limit },
    );
  }

  /** The Elasticsearch query of a named source. */
  private queryFor(source: NamedContextSource, text: string): Record<string, unknown> {
    const filter = Object.entries(source.where ?? {}).map(([key, value]) => ({
      term: { [`metadata.${key}`]: value },
    }));
    const must =
      text === ''
        ? { match_all: {} }
        : { multi_match: { query: text, fields: this.fields, type: 'best_fields' } };
    return { bool: { must: [must], filter } };
  }

  private async search(
    source: NamedContextSource,
    text: string,
    queryLimit: number,
    signal: AbortSignal | undefined,
  ): Promise<SearchHit[]> {
    if (queryLimit <= 0) return [];
    try {
      const response = await this.client.search<StoredDocument>(
        {
          index: this.index,
          query: this.queryFor(source, text),
          size: queryLimit,
          track_total_hits: false,
        },
        signal ? { signal } : undefined,
      );
      return response.hits.hits as SearchHit[];
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      throw new ContextError(
        `Elasticsearch search for source "${source.id}" failed: ${reasonOf(error)}`,
        { index: this.index, sourceId: source.id, status: statusOf(error) },
        { code: 'CONTEXT_SEARCH_FAILED', cause: error },
      );
    }
  }

  private toMessage(source: NamedContextSource, hit: SearchHit): RankedMessage {
    const document = hit._source;
    if (typeof document?.content !== 'string') {
      throw new ContextError(
        `Elasticsearch document "${hit._id}" has no string content`,
        { index: hit._index ?? this.index, documentId: hit._id, sourceId: source.id },
        { code: 'CONTEXT_INVALID_DOCUMENT' },
      );
    }
    const score = typeof hit._score === 'number' ? hit._score : 0;
    return {
      message: {
        role: 'system',
        content: document.content,
        metadata: {
          ...document.metadata,
          source: source.id,
          documentId: hit._id,
          score,
          index: hit._index ?? this.index,
        },
      },
      score,
    };
  }
}
