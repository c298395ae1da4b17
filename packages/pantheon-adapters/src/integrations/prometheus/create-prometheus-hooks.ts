import { combineHooks, type OrchestratorHooks } from '@promethean-os/pantheon-core';
import {
  Counter,
  Gauge,
  register as globalRegistry,
  Histogram,
  type Metric,
  type Registry,
} from 'prom-client';
import {
  actorName,
  type GaugeSample,
  type MetricsBackend,
  type ObservableSystem,
  RUNTIME_METRICS,
  type RuntimeMetricKey,
  type RuntimeMetricsOptions,
  runtimeMetricsHooks,
} from '../runtime-metrics/runtime-metrics';

/** Options of `createPrometheusHooks`. */
export interface PrometheusHooksOptions extends RuntimeMetricsOptions {
  /** Where the metrics are registered. Default: prom-client's global registry. */
  registry?: Registry;
  /** The `adapter_type` label of context compilations (e.g. `'in-memory'`). Default `'default'`. */
  contextAdapterType?: string;
  /** Histogram buckets of action and behavior durations, in seconds. */
  actionBuckets?: number[];
  /** Histogram buckets of context compilation durations, in seconds. */
  contextBuckets?: number[];
  /** Histogram buckets of tick, model call and tool durations, in seconds. */
  durationBuckets?: number[];
}

/** The prom-client metrics behind the hooks. */
export interface PantheonMetrics {
  /** `pantheon_actor_ticks_total{actor_name,status}`; status `success`, `error` or `rejected`. */
  actorTicks: Counter<'actor_name' | 'status'>;
  /** `pantheon_action_execution_duration_seconds{action_type,status}`; status `success` or `error`. */
  actionExecution: Histogram<'action_type' | 'status'>;
  /** `pantheon_behavior_duration_seconds{behavior_name,status}`; `error` when the plan failed. */
  behaviorExecution: Histogram<'behavior_name' | 'status'>;
  /** `pantheon_active_actors`: actors with a tick in flight. */
  activeActors: Gauge;
  /** `pantheon_context_compilation_duration_seconds{adapter_type}`. */
  contextCompilation: Histogram<'adapter_type'>;
}

/** Orchestrator hooks that feed Prometheus, plus the metrics they feed. */
export interface PrometheusHooks extends OrchestratorHooks {
  readonly metrics: PantheonMetrics;
  /**
   * Also keeps the system's runtime metrics (`RUNTIME_METRICS`): restarts, failures and dead
   * letters from its events; mailbox depth, oldest message age and pending asks read at every
   * scrape. Returns the function that stops observing it.
   */
  observe(system: ObservableSystem): () => void;
}

const DEFAULT_ACTION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10];
const DEFAULT_CONTEXT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2];
const DEFAULT_DURATION_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The runtime metrics (`RUNTIME_METRICS`) as prom-client metrics in `registry`. */
function prometheusBackend(
  registry: Registry,
  buckets: number[],
  perActorMailboxes: boolean,
): MetricsBackend {
  const registers = [registry];
  const readers = new Map<RuntimeMetricKey, () => GaugeSample[]>();
  const made = new Map<RuntimeMetricKey, Metric>();
  const get = (key: RuntimeMetricKey): Metric => {
    const known = made.get(key);
    if (known) return known;
    const definition = RUNTIME_METRICS[key];
    const name = definition.prometheus;
    const labelNames =
      perActorMailboxes && (key === 'mailboxDepth' || key === 'mailboxOldestAge')
        ? ['actor_id']
        : [...definition.labels];
    const created = metric<Metric>(registry, name, () => {
      const common = { name, help: definition.help, labelNames, registers };
      if (definition.kind === 'counter') return new Counter(common);
      if (definition.kind === 'histogram') return new Histogram({ ...common, buckets });
      return new Gauge({
        ...common,
        collect() {
          const read = readers.get(key);
          if (!read) return;
          this.reset();
          for (const sample of read()) this.set(sample.labels, sample.value);
        },
      });
    });
    made.set(key, created);
    return created;
  };
  // Registered up front, so a scrape lists every metric (with its HELP) before it first moves.
  for (const key of Object.keys(RUNTIME_METRICS) as RuntimeMetricKey[]) get(key);
  return {
    add: (key, labels, value) => (get(key) as Counter).inc(labels, value),
    record: (key, labels, value) => (get(key) as Histogram).observe(labels, value),
    gauge: (key, read) => {
      readers.set(key, read);
      get(key);
    },
  };
}

/** The metric named `name` in `registry`, registered by `create` when it is not there yet. */
function metric<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

/**
 * Prometheus metrics for an orchestrator, fed by its hooks (`makeOrchestrator({ hooks })` or
 * `new PantheonSystem({ hooks })`). Calling it again with the same registry reuses the metrics.
 * `pantheon_active_actors` counts actors with a tick in flight; a tick that rejects (a failing
 * context or state port) is counted with status `rejected` through `onTickFailed`.
 *
 * @example
 * import { Registry } from 'prom-client';
 * import { createPrometheusHooks } from '@promethean-os/pantheon-adapters/prometheus';
 *
 * const registry = new Registry();
 * const orchestrator = makeOrchestrator({ ...deps, hooks: createPrometheusHooks({ registry }) });
 * // GET /metrics → res.end(await registry.metrics())
 */
export function createPrometheusHooks(options: PrometheusHooksOptions = {}): PrometheusHooks {
  const registry = options.registry ?? globalRegistry;
  const registers = [registry];
  const adapterType = options.contextAdapterType ?? 'default';
  const actionBuckets = options.actionBuckets ?? DEFAULT_ACTION_BUCKETS;

  const metrics: PantheonMetrics = {
    actorTicks: metric(
      registry,
      'pantheon_actor_ticks_total',
      () =>
        new Counter({
          name: 'pantheon_actor_ticks_total',
          help: 'Total number of actor ticks',
          labelNames: ['actor_name', 'status'] as const,
          registers,
        }),
    ),
    actionExecution: metric(
      registry,
      'pantheon_action_execution_duration_seconds',
      () =>
        new Histogram({
          name: 'pantheon_action_execution_duration_seconds',
          help: 'Duration of action execution',
          labelNames: ['action_type', 'status'] as const,
          buckets: actionBuckets,
          registers,
        }),
    ),
    behaviorExecution: metric(
      registry,
      'pantheon_behavior_duration_seconds',
      () =>
        new Histogram({
          name: 'pantheon_behavior_duration_seconds',
          help: 'Duration of behavior runs (plan and actions)',
          labelNames: ['behavior_name', 'status'] as const,
          buckets: actionBuckets,
          registers,
        }),
    ),
    activeActors: metric(
      registry,
      'pantheon_active_actors',
      () =>
        new Gauge({
          name: 'pantheon_active_actors',
          help: 'Number of actors with a tick in flight',
          registers,
        }),
    ),
    contextCompilation: metric(
      registry,
      'pantheon_context_compilation_duration_seconds',
      () =>
        new Histogram({
          name: 'pantheon_context_compilation_duration_seconds',
          help: 'Duration of context compilation',
          labelNames: ['adapter_type'] as const,
          buckets: options.contextBuckets ?? DEFAULT_CONTEXT_BUCKETS,
          registers,
        }),
    ),
  };

  // Actor ids with a tick in flight. A set (not a counter) so that a tick that rejected without
  // being reported is forgotten when the actor's next tick starts, instead of leaking forever.
  const ticking = new Set<string>();
  const settle = () => metrics.activeActors.set(ticking.size);

  const runtime = runtimeMetricsHooks(
    prometheusBackend(
      registry,
      options.durationBuckets ?? DEFAULT_DURATION_BUCKETS,
      options.perActorMailboxes === true,
    ),
    options,
  );
  const own: OrchestratorHooks = {
    onTickStart({ actor }) {
      ticking.add(actor.id);
      settle();
    },
    onTickEnd({ actor, result }) {
      metrics.actorTicks.inc({
        actor_name: actorName(actor),
        status: result.errors.length === 0 ? 'success' : 'error',
      });
      ticking.delete(actor.id);
      settle();
    },
    onTickFailed({ actor }) {
      metrics.actorTicks.inc({ actor_name: actorName(actor), status: 'rejected' });
      ticking.delete(actor.id);
      settle();
    },
    onContextCompiled({ durationMs }) {
      metrics.contextCompilation.observe({ adapter_type: adapterType }, durationMs / 1000);
    },
    onBehaviorEnd({ behavior, durationMs, error }) {
      metrics.behaviorExecution.observe(
        { behavior_name: behavior.name, status: error ? 'error' : 'success' },
        durationMs / 1000,
      );
    },
    onActionEnd({ result }) {
      metrics.actionExecution.observe(
        { action_type: result.action.type, status: result.ok ? 'success' : 'error' },
        result.durationMs / 1000,
      );
    },
  };
  return { ...combineHooks(own, runtime), metrics, observe: (system) => runtime.observe(system) };
}
