// The public surface of the package: the runtime names of each entry point, sorted, so that a
// change to what users can import shows as a diff in review.
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };

const names = async (entry: Promise<Record<string, unknown>>) => Object.keys(await entry).sort();

describe('public API of @promethean-os/pantheon-adapters', () => {
  it('has the main entry and one subpath per integration', () => {
    expect(Object.keys(packageJson.exports)).toMatchInlineSnapshot(`
      [
        ".",
        "./elasticsearch",
        "./winston",
        "./prometheus",
        "./nats",
        "./otel",
        "./package.json",
      ]
    `);
  });

  it('exports the in-memory adapters and the decorators from the main entry', async () => {
    expect(await names(import('./index'))).toMatchInlineSnapshot(`
      [
        "BatchingMessageBus",
        "CachedContextAdapter",
        "CachedLlmAdapter",
        "DEFAULT_SEARCH_OPTIONS",
        "InMemoryActorStateAdapter",
        "InMemoryContextAdapter",
        "InMemoryMessageBus",
        "InMemoryToolAdapter",
        "MonitoredMessageBus",
        "MonitoredToolAdapter",
        "NodeScheduler",
        "PooledLlmAdapter",
        "ResilientLlmAdapter",
        "SecureToolAdapter",
        "TimeoutToolAdapter",
        "processSearchTerm",
      ]
    `);
  });

  it('exports one integration from each subpath', async () => {
    expect({
      elasticsearch: await names(import('./integrations/elasticsearch/index')),
      nats: await names(import('./integrations/nats/index')),
      otel: await names(import('./integrations/otel/index')),
      prometheus: await names(import('./integrations/prometheus/index')),
      winston: await names(import('./integrations/winston/index')),
    }).toMatchInlineSnapshot(`
      {
        "elasticsearch": [
          "ElasticsearchContextAdapter",
        ],
        "nats": [
          "NatsMessageBus",
          "createNatsMessageBus",
          "subjectToken",
        ],
        "otel": [
          "INSTRUMENTATION_SCOPE",
          "RUNTIME_METRICS",
          "createOtelHooks",
          "traceMetadata",
        ],
        "prometheus": [
          "RUNTIME_METRICS",
          "createPrometheusHooks",
        ],
        "winston": [
          "createWinstonLog",
        ],
      }
    `);
  });
});
