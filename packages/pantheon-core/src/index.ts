export { checkActorScript } from './actor-scripts';
export {
  HANDOFF_TOOL_NAME,
  type HandoffTarget,
  type LlmBehaviorOptions,
  llmBehavior,
} from './agent/llm-behavior';
export { BoundedLog } from './bounded-log';
export { checkBusMessage } from './bus-messages';
export { consoleLog, type LogLevel } from './console-log';
export { checkAppendedMessage, conversationOf } from './context-messages';
export {
  defineTool,
  type JsonSchemaToolDefinition,
  type ZodToolDefinition,
} from './define-tool';
export { ERROR_CODES, type PantheonErrorCode, type PantheonErrorCodes } from './error-codes';
export {
  ActorError,
  BehaviorError,
  ConfigError,
  ContextError,
  type ErrorOptions,
  errorMessage,
  isRetryableStatus,
  LlmError,
  type LlmErrorOptions,
  PantheonError,
  ToolError,
} from './errors';
export { isAction, isActor, isMessage, isToolSpec } from './guards';
export { type LlmConnectionVariables, llmConnection } from './llm-connection';
export {
  isRetryableLlmError,
  type LlmErrorCode,
  llmErrorCodeForStatus,
} from './llm-error-codes';
export {
  llmAbortError,
  type ProviderSdk,
  type SdkApiError,
  sdkErrorToLlmError,
} from './llm-sdk-errors';
export {
  type LlmStreamAccumulator,
  type LlmStreamPumpOptions,
  pumpLlmStream,
} from './llm-stream-pump';
export { abortError, sleep, withTimeout } from './orchestrator/abort';
export { DEFAULT_ORCHESTRATOR_LIMITS } from './orchestrator/limits';
export { makeOrchestrator } from './orchestrator/make-orchestrator';
export { selectBehaviors } from './orchestrator/select-behaviors';
export type {
  ActionResult,
  LogFunction,
  Orchestrator,
  OrchestratorDeps,
  OrchestratorHooks,
  OrchestratorLimits,
  TickInput,
  TickPorts,
  TickResult,
} from './orchestrator/types';
export type {
  ActorPatch,
  ActorStatePort,
  AppendOptions,
  BusHandler,
  BusMessage,
  CompileContextOptions,
  ContextPort,
  ContextStoreOptions,
  LlmCompleteOptions,
  LlmPort,
  LlmStreamEvent,
  LlmUsage,
  MailboxStore,
  MessageBus,
  ScheduledJob,
  Scheduler,
  SpawnOptions,
  SubscribeOptions,
  TickTransaction,
  ToolChoice,
  ToolInvokeOptions,
  ToolPort,
} from './ports/index';
export {
  DEFAULT_RUNTIME_LIMITS,
  DEFAULT_SUPERVISION,
  PantheonSystem,
} from './runtime/pantheon-system';
export type {
  AskOptions,
  CreateActorOptions,
  DeadLetter,
  DeadLetterReason,
  PantheonSystemEvents,
  PantheonSystemOptions,
  RuntimeLimits,
  SendMessageOptions,
  ShutdownReport,
  SupervisionOptions,
} from './runtime/types';
export {
  ActionSchema,
  ActorSchema,
  ActorScriptSchema,
  ActorStateSchema,
  BehaviorSchema,
  BusMessageSchema,
  ContextActionSchema,
  ContextSourceSchema,
  HandoffActionSchema,
  MessageActionSchema,
  MessagePrioritySchema,
  MessageSchema,
  RoleSchema,
  SpawnActionSchema,
  TalentSchema,
  ToolActionSchema,
  ToolCallSchema,
  WaitActionSchema,
} from './schemas';
export {
  checkToolCallArguments,
  isJsonObject,
  parseToolCallArguments,
  type ToolCallArgumentsSource,
} from './tool-call-arguments';
export { toolFailure, toolTimeoutError } from './tool-errors';
export { isZodSchema, toolParametersToJsonSchema } from './tool-parameters';
export { toolResultContent } from './tool-result';
export type {
  Action,
  ActionType,
  Actor,
  ActorScript,
  ActorState,
  Behavior,
  BehaviorInput,
  BehaviorMode,
  BehaviorPlan,
  BehaviorRequirements,
  ContextAction,
  ContextSource,
  HandoffAction,
  JsonSchema,
  Message,
  MessageAction,
  MessagePriority,
  NamedContextSource,
  RetryPolicy,
  Role,
  SourceMetadata,
  SpawnAction,
  Talent,
  ToolAction,
  ToolCall,
  ToolExecutionContext,
  ToolParameters,
  ToolSpec,
  WaitAction,
  ZodLikeSchema,
} from './types';
export {
  check,
  describeIssues,
  formatPath,
  issuesOf,
  type ValidationIssue,
} from './validation';
