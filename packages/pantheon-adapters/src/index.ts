export {
  BatchingMessageBus,
  type BatchingMessageBusOptions,
  type FlushResult,
} from './batching-message-bus';
export { CachedContextAdapter, type CachedContextAdapterOptions } from './cached-context-adapter';
export { CachedLlmAdapter, type CachedLlmAdapterOptions } from './cached-llm-adapter';
export {
  assembleContext,
  type ContextBudget,
  type ContextParts,
  estimateTokens,
  inputMessages,
  type RankedMessage,
} from './context-assembly';
export { type ContextDocument, checkDocument } from './context-document';
export {
  ContextSourceLoader,
  type LoadableSource,
  type SourceLoadingOptions,
  textSourceMessage,
} from './context-source-loader';
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
export { stableHash, stableStringify } from './stable-hash';
export { TimeoutToolAdapter, type TimeoutToolAdapterOptions } from './timeout-tool-adapter';
export { type ArgumentValidator, compileArgumentValidator } from './tool-arguments';
export { ToolPortDecorator } from './tool-port-decorator';
