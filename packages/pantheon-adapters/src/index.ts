/**
 * `@promethean-os/pantheon-adapters`: an in-memory adapter of every Pantheon port, and decorators
 * that add caching, pooling, timeouts, monitoring, retries with a circuit breaker, batching and an
 * allow-list to any adapter. Integrations with optional peer dependencies are subpath exports:
 * `/elasticsearch`, `/winston`, `/prometheus`.
 *
 * @packageDocumentation
 */
export {
  BatchingMessageBus,
  type BatchingMessageBusOptions,
  type FlushResult,
} from './batching-message-bus';
export { CachedContextAdapter, type CachedContextAdapterOptions } from './cached-context-adapter';
export { CachedLlmAdapter, type CachedLlmAdapterOptions } from './cached-llm-adapter';
export type { ContextBudget } from './context-assembly';
export type { ContextDocument } from './context-document';
export type { SourceLoadingOptions } from './context-source-loader';
export {
  InMemoryActorStateAdapter,
  type InMemoryActorStateOptions,
} from './in-memory-actor-state-adapter';
export {
  type InMemoryCompileOptions,
  InMemoryContextAdapter,
  type InMemoryContextAdapterOptions,
} from './in-memory-context-adapter';
export { InMemoryMessageBus, type InMemoryMessageBusOptions } from './in-memory-message-bus';
export {
  InMemoryToolAdapter,
  type InMemoryToolAdapterOptions,
} from './in-memory-tool-adapter';
export { MonitoredMessageBus, type MonitoredMessageBusOptions } from './monitored-message-bus';
export {
  MonitoredToolAdapter,
  type MonitoredToolAdapterOptions,
  type ToolExecutionOutcome,
} from './monitored-tool-adapter';
export { NodeScheduler, type NodeSchedulerOptions } from './node-scheduler';
export { PooledLlmAdapter } from './pooled-llm-adapter';
export {
  type LlmBulkheadOptions,
  type LlmCircuitBreakerOptions,
  type LlmCircuitState,
  type LlmRetryOptions,
  ResilientLlmAdapter,
  type ResilientLlmAdapterOptions,
} from './resilient-llm-adapter';
export { DEFAULT_SEARCH_OPTIONS, processSearchTerm } from './search-defaults';
export {
  SecureToolAdapter,
  type SecureToolAdapterOptions,
  type ToolApprovalRequest,
} from './secure-tool-adapter';
export { TimeoutToolAdapter, type TimeoutToolAdapterOptions } from './timeout-tool-adapter';
