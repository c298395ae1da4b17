import type {
  ObservableSystem,
  PrometheusHooks,
} from '@promethean-os/pantheon-adapters/prometheus';
import { Pantheon } from '../runtime/pantheon';
import { PantheonClusterNode } from '../runtime/pantheon-cluster-node';
import type { PantheonRuntime } from '../runtime/pantheon-runtime';

/** The metrics `pantheon start` serves on `/metrics`. */
export interface EndpointMetrics {
  /** Orchestrator hooks feeding the metrics: pass them to `createPantheon`. */
  hooks: PrometheusHooks;
  /**
   * Starts reading the runtime metrics (mailboxes, restarts, dead letters…) of the system, or of
   * this process's share of a cluster: the events that arose here, the mailboxes of the
   * partitions it owns, so that a sum over the processes counts each once.
   */
  observe(runtime: PantheonRuntime): () => void;
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
    observe: (runtime) => hooks.observe(observable(runtime)),
    contentType: registry.contentType,
    read: () => registry.metrics(),
  };
}

/** What the metrics read: a system as it is; a cluster node's own events and partitions. */
function observable(runtime: PantheonRuntime): ObservableSystem {
  if (runtime instanceof Pantheon) return runtime;
  if (!(runtime instanceof PantheonClusterNode)) {
    throw new TypeError('The metrics observe a Pantheon or a PantheonClusterNode');
  }
  return {
    on: ((event: never, handler: never) =>
      runtime.on(event, handler, { local: true })) as ObservableSystem['on'],
    getRuntimeStats: () => runtime.getRuntimeStats(),
  };
}
