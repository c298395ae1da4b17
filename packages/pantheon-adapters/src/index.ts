export {
  InMemoryActorStateAdapter,
  type InMemoryActorStateOptions,
} from './in-memory-actor-state-adapter';
export {
  type ContextDocument,
  InMemoryContextAdapter,
  type InMemoryContextAdapterOptions,
} from './in-memory-context-adapter';
export { InMemoryMessageBus, type InMemoryMessageBusOptions } from './in-memory-message-bus';
export {
  InMemoryToolAdapter,
  type InMemoryToolAdapterOptions,
} from './in-memory-tool-adapter';
export { NodeScheduler, type NodeSchedulerOptions } from './node-scheduler';
export { type ArgumentValidator, compileArgumentValidator } from './tool-arguments';
