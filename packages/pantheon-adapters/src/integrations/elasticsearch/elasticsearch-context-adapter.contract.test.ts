import { Client } from '@elastic/elasticsearch';
import Mock from '@elastic/elasticsearch-mock';
import { describeContextPortContract } from '@promethean-os/pantheon-test/contracts';
import { ElasticsearchContextAdapter } from './elasticsearch-context-adapter';

// The adapter keeps no history or store, and its retrieval needs a search cluster (tested against
// Elastic's mock in its own test file), so the contract checks its sources, inputs and limits.
describeContextPortContract('ElasticsearchContextAdapter', () => {
  const client = new Client({
    node: 'http://localhost:9200',
    Connection: new Mock().getConnection(),
    maxRetries: 0,
  });
  return new ElasticsearchContextAdapter(client, { index: 'kb' });
});
