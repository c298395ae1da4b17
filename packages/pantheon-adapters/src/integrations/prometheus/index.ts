export {
  createPrometheusHooks,
  type PantheonMetrics,
  type PrometheusHooks,
  type PrometheusHooksOptions,
} from './create-prometheus-hooks';
