import { createRequire } from 'node:module';
import { Client } from '@elastic/elasticsearch';
import Mock from '@elastic/elasticsearch-mock';
import { describe, expect, it } from 'vitest';
import { ElasticsearchContextAdapter } from './elasticsearch-context-adapter';

// The mock recognises error responses with `instanceof` against the CommonJS build of the client,
// while this file imports its ESM build: build them from the CommonJS one.
const { errors } = createRequire(import.meta.url)(
  '@elastic/elasticsearch',
) as typeof import('@elastic/elasticsearch');

function setup(options: ConstructorParameters<typeof ElasticsearchContextAdapter>[1] = {}) {
  const mock = new Mock();
  const client = new Client({
    node: 'http://localhost:9200',
    Connection: mock.getConnection(),
    maxRetries: 0,
  });
  const adapter = new ElasticsearchContextAdapter(client, { index: 'kb', ...options });
  return { mock, adapter };
}

const hit = (
  id: string,
  score: number,
  content: string,
  metadata: Record<string, unknown> = {},
) => ({
  _index: 'kb',
  _id: id,
  _score: score,
  _source: { content, metadata },
});

const searchResponse = (hits: unknown[]) => ({
  took: 1,
  timed_out: false,
  _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
  hits: { max_score: null, hits },
});

describe('ElasticsearchContextAdapter', () => {
  it('queries with the input texts and where filters and maps hits to scored messages in order', async () => {
    const { mock, adapter } = setup();
    const bodies: Record<string, unknown>[] = [];
    mock.add({ method: 'POST', path: '/kb/_search' }, (params) => {
      bodies.push(params.body as Record<string, unknown>);
      return searchResponse([
        hit('refunds', 3.2, 'Refunds within 30 days', { category: 'faq' }),
        hit('returns', 1.1, 'Returns need a receipt', { category: 'faq' }),
      ]);
    });
    const messages = await adapter.compile({
      texts: ['how do refunds work'],
      from: 'actor-b',
      queryLimit: 2,
      sources: [
        { type: 'text', content: 'Be kind.', metadata: { category: 'policies' } },
        { id: 'faq', where: { category: 'faq', locale: 'en' } },
      ],
    });
    expect(bodies).toEqual([
      {
        query: {
          bool: {
            must: [
              {
                multi_match: {
                  query: 'how do refunds work',
                  fields: ['title^2', 'content'],
                  type: 'best_fields',
                },
              },
            ],
            filter: [
              { term: { 'metadata.category': 'faq' } },
              { term: { 'metadata.locale': 'en' } },
            ],
          },
        },
        size: 2,
        track_total_hits: false,
      },
    ]);
    expect(messages).toEqual([
      { role: 'system', content: 'Be kind.', metadata: { category: 'policies', source: 'text' } },
      {
        role: 'system',
        content: 'Refunds within 30 days',
        metadata: {
          category: 'faq',
          source: 'faq',
          documentId: 'refunds',
          score: 3.2,
          index: 'kb',
        },
      },
      {
        role: 'system',
        content: 'Returns need a receipt',
        metadata: {
          category: 'faq',
          source: 'faq',
          documentId: 'returns',
          score: 1.1,
          index: 'kb',
        },
      },
      {
        role: 'user',
        content: 'how do refunds work',
        name: 'actor-b',
        metadata: { source: 'input' },
      },
    ]);
  });

  it('uses match_all without input, retrieves a document once, and honours limit and maxChars', async () => {
    const { mock, adapter } = setup({ maxChars: 40 });
    const bodies: { query: unknown; size: number }[] = [];
    mock.add({ method: 'POST', path: '/kb/_search' }, (params) => {
      bodies.push(params.body as { query: unknown; size: number });
      return searchResponse([
        hit('a', 2, 'first document here'),
        hit('b', 1, 'second document here'),
      ]);
    });
    const messages = await adapter.compile({ sources: [{ id: 'one' }, { id: 'two' }] });
    expect(bodies[0]).toEqual({
      query: { bool: { must: [{ match_all: {} }], filter: [] } },
      size: 5,
      track_total_hits: false,
    });
    // 19 + 20 characters fit in 40; the duplicates from source "two" are dropped.
    expect(messages.map((message) => message.metadata?.documentId)).toEqual(['a', 'b']);
    const limited = await adapter.compile({ texts: ['x'], sources: [{ id: 'one' }], limit: 2 });
    expect(limited.map((message) => message.metadata?.documentId ?? 'input')).toEqual([
      'a',
      'input',
    ]);
  });

  it('turns Elasticsearch errors into CONTEXT_SEARCH_FAILED with status and cause', async () => {
    const { mock, adapter } = setup();
    mock.add(
      { method: 'POST', path: '/kb/_search' },
      () =>
        new errors.ResponseError({
          body: {
            error: { type: 'index_not_found_exception', reason: 'no such index [kb]' },
            status: 404,
          },
          statusCode: 404,
          headers: {},
          warnings: [],
          meta: {} as never,
        }),
    );
    const outcome = adapter.compile({ texts: ['refunds'], sources: [{ id: 'faq' }] });
    await expect(outcome).rejects.toMatchObject({
      name: 'ContextError',
      code: 'CONTEXT_SEARCH_FAILED',
      message: expect.stringContaining('index_not_found_exception'),
      details: { index: 'kb', sourceId: 'faq', status: 404 },
      cause: expect.objectContaining({ name: 'ResponseError', statusCode: 404 }),
    });
  });

  it('rejects hits without content and unknown source kinds with typed errors', async () => {
    const { mock, adapter } = setup();
    mock.add({ method: 'POST', path: '/kb/_search' }, () =>
      searchResponse([
        { _index: 'kb', _id: 'broken', _score: 1, _source: { body: 'no content field' } },
      ]),
    );
    await expect(adapter.compile({ sources: [{ id: 'faq' }] })).rejects.toMatchObject({
      code: 'CONTEXT_INVALID_DOCUMENT',
      details: { documentId: 'broken' },
    });
    await expect(adapter.compile({ sources: [{ type: 'rss' } as never] })).rejects.toMatchObject({
      code: 'CONTEXT_SOURCE_UNSUPPORTED',
    });
    await expect(adapter.compile({} as never)).rejects.toMatchObject({
      code: 'CONTEXT_INVALID_REQUEST',
    });
    expect(() => new ElasticsearchContextAdapter({} as never)).toThrow(
      expect.objectContaining({ code: 'CONFIG_ERROR' }),
    );
  });

  it('indexes documents in one bulk request and reports the ones Elasticsearch refused', async () => {
    const { mock, adapter } = setup();
    const bulkBodies: unknown[] = [];
    let refuse = false;
    mock.add({ method: 'POST', path: '/_bulk' }, (params) => {
      bulkBodies.push({ body: params.body, querystring: params.querystring });
      return {
        took: 1,
        errors: refuse,
        items: [
          { index: { _index: 'kb', _id: 'a', status: 201 } },
          refuse
            ? {
                index: {
                  _index: 'kb',
                  _id: 'b',
                  status: 400,
                  error: { type: 'mapper_parsing_exception', reason: 'bad' },
                },
              }
            : { index: { _index: 'kb', _id: 'b', status: 201 } },
        ],
      };
    });
    const documents = [
      { id: 'a', content: 'Alpha', title: 'A', metadata: { category: 'faq' } },
      { id: 'b', content: 'Beta' },
    ];
    await adapter.indexDocuments(documents, { refresh: 'wait_for' });
    expect(bulkBodies[0]).toEqual({
      body: [
        { index: { _index: 'kb', _id: 'a' } },
        { content: 'Alpha', title: 'A', metadata: { category: 'faq' } },
        { index: { _index: 'kb', _id: 'b' } },
        { content: 'Beta' },
      ],
      querystring: { refresh: 'wait_for' },
    });
    refuse = true;
    await expect(adapter.indexDocuments(documents)).rejects.toMatchObject({
      code: 'CONTEXT_INDEX_FAILED',
      details: { failed: [{ id: 'b', status: 400, error: 'mapper_parsing_exception' }] },
    });
    await expect(adapter.indexDocuments([{ id: 'c', content: 7 } as never])).rejects.toMatchObject({
      code: 'CONTEXT_INVALID_DOCUMENT',
    });
    expect(bulkBodies).toHaveLength(2);
  });

  it('creates the index with keyword metadata only when it is missing', async () => {
    const { mock, adapter } = setup();
    const created: unknown[] = [];
    let exists = false;
    mock.add({ method: 'HEAD', path: '/kb' }, () =>
      exists
        ? ''
        : new errors.ResponseError({
            body: '',
            statusCode: 404,
            headers: {},
            warnings: [],
            meta: {} as never,
          }),
    );
    mock.add({ method: 'PUT', path: '/kb' }, (params) => {
      created.push(params.body);
      return { acknowledged: true, index: 'kb' };
    });
    await adapter.ensureIndex();
    exists = true;
    await adapter.ensureIndex();
    expect(created).toEqual([
      {
        mappings: expect.objectContaining({
          dynamic_templates: [
            {
              metadata_strings: {
                path_match: 'metadata.*',
                match_mapping_type: 'string',
                mapping: { type: 'keyword' },
              },
            },
          ],
        }),
      },
    ]);
  });

  it('passes the signal to the client and rejects with ABORTED when it aborts', async () => {
    const { mock, adapter } = setup();
    mock.add({ method: 'POST', path: '/kb/_search' }, () => searchResponse([]));
    const controller = new AbortController();
    controller.abort();
    await expect(
      adapter.compile({ sources: [{ id: 'faq' }], signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
