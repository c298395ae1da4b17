/**
 * `@promethean-os/pantheon-adapters/otel`: `createOtelHooks`, orchestrator hooks that emit
 * OpenTelemetry spans (GenAI semantic conventions) and runtime metrics, and `traceMetadata`, the
 * trace context to start a conversation in the caller's trace. Needs the optional peer
 * `@opentelemetry/api` 1.x.
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
  createOtelHooks,
  INSTRUMENTATION_SCOPE,
  type OtelHooks,
  type OtelHooksOptions,
} from './create-otel-hooks';
export { traceMetadata } from './trace-context';
