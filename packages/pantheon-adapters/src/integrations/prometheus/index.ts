/**
 * `@promethean-os/pantheon-adapters/prometheus`: `createPrometheusHooks`, orchestrator hooks that
 * keep Prometheus metrics of ticks, behaviors and actions. Needs the optional peer `prom-client`.
 *
 * @packageDocumentation
 */

export {
  type ObservableSystem,
  RUNTIME_METRICS,
  type RuntimeMetricDefinition,
  type RuntimeMetricsOptions,
} from '../runtime-metrics/runtime-metrics';
export {
  createPrometheusHooks,
  type PantheonMetrics,
  type PrometheusHooks,
  type PrometheusHooksOptions,
} from './create-prometheus-hooks';
