/**
 * `@promethean-os/pantheon-core`: what actors, behaviors, tools and their tests are written
 * against — the types and their zod schemas and guards, the typed errors and the registry of
 * their codes, the ports, `makeOrchestrator`, `PantheonSystem`, `llmBehavior` and `defineTool`.
 * Helpers for writing adapters of the ports are in `@promethean-os/pantheon-core/adapter-kit`.
 *
 * @packageDocumentation
 */
export { checkActorScript } from './actor-scripts';
export {
  HANDOFF_TOOL_NAME,
  type HandoffTarget,
  type LlmBehaviorOptions,
  llmBehavior,
} from './agent/llm-behavior';
export type {
  ApprovalDecision,
  ApprovalOptions,
  ApprovalOutcome,
  ApprovalRecord,
  ApprovalRequest,
  ApproveOptions,
  BehaviorEvent,
  DenyOptions,
  PendingApproval,
  ReplyStreamEvent,
  ResumeInput,
} from './approval-types';
export { consoleLog, type LogLevel } from './console-log';
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
  LlmError,
  type LlmErrorOptions,
  PantheonError,
  ToolError,
} from './errors';
export { isAction, isActor, isMessage, isToolSpec } from './guards';
export { combineHooks } from './orchestrator/combine-hooks';
export { makeOrchestrator } from './orchestrator/make-orchestrator';
export { selectBehaviors } from './orchestrator/select-behaviors';
export type {
  ActionResult,
  LogFunction,
  ModelCallEvent,
  Orchestrator,
  OrchestratorDeps,
  OrchestratorHooks,
  OrchestratorLimits,
  TickInput,
  TickPorts,
  TickResult,
  ToolCallEvent,
} from './orchestrator/types';
export type {
  ActorPatch,
  ActorStatePort,
  AppendOptions,
  ApprovalDecisionRecord,
  BusHandler,
  BusMessage,
  CompileContextOptions,
  ContextPort,
  ContextStoreOptions,
  LlmCompleteOptions,
  LlmOutputSchema,
  LlmOutputSpec,
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
  DEFAULT_SECRET_KEYS,
  DEFAULT_SECRET_PATTERNS,
  type RedactOptions,
  redactSecrets,
  rememberSecret,
} from './redact-secrets';
export type { Budget, BudgetLedger, BudgetSpent, PriceTable } from './runtime/budgets';
export { PantheonSystem } from './runtime/pantheon-system';
export type {
  AskOptions,
  CreateActorOptions,
  DeadLetter,
  DeadLetterReason,
  InterruptedTick,
  MailboxStats,
  PantheonSystemEvents,
  PantheonSystemOptions,
  RuntimeLimits,
  RuntimeStats,
  SendMessageOptions,
  ShutdownOptions,
  ShutdownReport,
  StopActorOptions,
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
  completeOutput,
  type OutputOf,
  type OutputReply,
  type ToolCallReply,
} from './structured-output';
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
export type { ValidationIssue } from './validation';
