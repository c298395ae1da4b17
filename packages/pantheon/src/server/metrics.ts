import type {
  ObservableSystem,
  PrometheusHooks,
} from '@promethean-os/pantheon-adapters/prometheus';

/** The metrics `pantheon start` serves on `/metrics`. */
export interface EndpointMetrics {
  /** Orchestrator hooks feeding the metrics: pass them to `createPantheon`. */
  hooks: PrometheusHooks;
  /** Starts reading the system's runtime metrics (mailboxes, restarts, dead letters…). */
  observe(system: ObservableSystem): () => void;
  contentType: string;
  /** The Prometheus text exposition of every metric. */
  read(): Promise<string>;
}

/**
 * A registry of its own with the process metrics of prom-client (`process_*`, `nodejs_*`), the
 * orchestrator's (`pantheon_actor_ticks_total`, …) and the runtime's (`RUNTIME_METRICS`:
 * `pantheon_mailbox_depth`, `pantheon_dead_letters_total`, …).
 */
export async function createEndpointMetrics(contextAdapterType: string): Promise<EndpointMetrics> {
  const { Registry, collectDefaultMetrics } = await import('prom-client');
  const { createPrometheusHooks } = await import('@promethean-os/pantheon-adapters/prometheus');
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const hooks = createPrometheusHooks({ registry, contextAdapterType });
  return {
    hooks,
    observe: (system) => hooks.observe(system),
    contentType: registry.contentType,
    read: () => registry.metrics(),
  };
}
