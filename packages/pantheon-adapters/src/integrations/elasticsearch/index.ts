/**
 * `@promethean-os/pantheon-adapters/elasticsearch`: `ElasticsearchContextAdapter`, a `ContextPort`
 * whose named sources are Elasticsearch queries. Needs the optional peer `@elastic/elasticsearch`.
 *
 * @packageDocumentation
 */
export {
  ElasticsearchContextAdapter,
  type ElasticsearchContextAdapterOptions,
} from './elasticsearch-context-adapter';
