export {
  ElasticsearchContextAdapter,
  type ElasticsearchContextAdapterOptions,
} from './elasticsearch-context-adapter';
