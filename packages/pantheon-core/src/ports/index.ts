export type { ActorPatch, ActorStatePort, SpawnOptions } from './actor-state-port';
export type {
  AppendOptions,
  CompileContextOptions,
  ContextPort,
  ContextStoreOptions,
} from './context-port';
export type {
  LlmCompleteOptions,
  LlmOutputSchema,
  LlmOutputSpec,
  LlmPort,
  LlmStreamEvent,
  LlmUsage,
  ToolChoice,
} from './llm-port';
export type { MailboxStore, TickTransaction } from './mailbox-store';
export type { BusHandler, BusMessage, MessageBus, SubscribeOptions } from './message-bus';
export type { ScheduledJob, Scheduler } from './scheduler';
export type { ToolInvokeOptions, ToolPort } from './tool-port';
