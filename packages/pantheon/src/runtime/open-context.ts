import { ConfigError, type ContextPort } from '@promethean-os/pantheon-core';
import { redactUrl } from '../config/config-environment';
import type { ContextConfig } from '../config/config-schema';
import type { Resource } from './resource';

/** The context port `adapters.context` names, and the client behind it to close. */
export interface OpenedContext {
  context: ContextPort;
  resource?: Resource;
}

/**
 * An `InMemoryContextAdapter`, or an `ElasticsearchContextAdapter` on a client of `node` (the
 * optional peer `@elastic/elasticsearch` must be installed: a `ConfigError` says so otherwise).
 * Only used without a durable store, whose own context port keeps the history.
 */
export async function openContext(config: ContextConfig): Promise<OpenedContext> {
  if (config.type === 'memory') {
    const { InMemoryContextAdapter } = await import('@promethean-os/pantheon-adapters');
    return { context: new InMemoryContextAdapter() };
  }
  let Client: typeof import('@elastic/elasticsearch').Client;
  try {
    ({ Client } = await import('@elastic/elasticsearch'));
  } catch (error) {
    throw new ConfigError(
      'adapters.context.type is "elasticsearch", which needs the package @elastic/elasticsearch: npm install @elastic/elasticsearch',
      { field: 'adapters.context.type', package: '@elastic/elasticsearch' },
      { cause: error },
    );
  }
  const { ElasticsearchContextAdapter } = await import(
    '@promethean-os/pantheon-adapters/elasticsearch'
  );
  const client = new Client({ node: config.node });
  return {
    context: new ElasticsearchContextAdapter(client, { index: config.index }),
    resource: {
      name: 'context',
      description: `elasticsearch ${redactUrl(config.node)} index ${config.index ?? 'pantheon-context'}`,
      close: () => client.close(),
    },
  };
}
