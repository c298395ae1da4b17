import type { ApprovalOutcome, ApprovalRequest, BehaviorEvent } from '../approval-types';
import type { PantheonError } from '../errors';
import type { ActorStatePort } from '../ports/actor-state-port';
import type { ContextPort } from '../ports/context-port';
import type { LlmCompleteOptions, LlmPort } from '../ports/llm-port';
import type { MessageBus } from '../ports/message-bus';
import type { Scheduler } from '../ports/scheduler';
import type { ToolPort } from '../ports/tool-port';
import type { Action, Actor, ActorState, Behavior, Message } from '../types';

/**
 * Logger signature; `console.log` fits. Pantheon's own entries carry `meta.level`
 * (`'debug' | 'info' | 'warn' | 'error'`) and the ids involved (`actorId`, `messageId`,
 * `conversationId`, `code`).
 */
export type LogFunction = (message: string, meta?: Record<string, unknown>) => void;

/** Bounds that keep one tick from running away. Exceeding one is `LIMIT_EXCEEDED`. */
export interface OrchestratorLimits {
  /** Actions one tick may execute, across all behaviors. Default 100. */
  maxActionsPerTick: number;
  /** How deep spawned actors may nest. Default 5. */
  maxSpawnDepth: number;
  /** Spawns one tick may execute. Default 10. */
  maxSpawnsPerTick: number;
  /** Longest `wait` action in milliseconds. Default one hour. */
  maxWaitMs: number;
}

/**
 * Observation points for metrics, logging and tracing. A hook that throws is logged and
 * otherwise ignored: it never changes the tick.
 */
export interface OrchestratorHooks {
  onTickStart?(event: { actor: Actor; input: TickInput }): void;
  onTickEnd?(event: { actor: Actor; result: TickResult }): void;
  /**
   * A tick that rejected instead of ending (a failing context or state port, an unknown actor);
   * it emits no `onTickEnd`. Also fired when `startActorLoop` stops because its actor is gone.
   */
  onTickFailed?(event: { actor: Actor; input: TickInput; error: PantheonError }): void;
  onContextCompiled?(event: { actor: Actor; messages: Message[]; durationMs: number }): void;
  onBehaviorStart?(event: { actor: Actor; behavior: Behavior }): void;
  onBehaviorEnd?(event: {
    actor: Actor;
    behavior: Behavior;
    durationMs: number;
    actions: number;
    error?: PantheonError;
  }): void;
  onActionStart?(event: { actor: Actor; action: Action }): void;
  onActionEnd?(event: { actor: Actor; result: ActionResult }): void;
  /**
   * A model call a behavior made through the `llm` of its input (one `complete`, or one `stream`
   * read to its end), reported once it settled. The port is observed only when this hook is set.
   */
  onModelCall?(event: ModelCallEvent): void;
  /**
   * A tool call a behavior made through the `tools` of its input (e.g. `llmBehavior`'s tool
   * loop), reported once it settled; `tool` actions are reported by `onActionEnd` instead.
   */
  onToolCall?(event: ToolCallEvent): void;
}

/** What `OrchestratorHooks.onModelCall` reports. */
export interface ModelCallEvent {
  actor: Actor;
  behavior: Behavior;
  /** What the behavior sent to the model. */
  messages: readonly Message[];
  options: LlmCompleteOptions;
  /** The reply (its `metadata` holds what the adapter reported: `model`, `usage`, `finishReason`…). */
  reply?: Message;
  /** What the call threw instead, as thrown (usually an `LlmError`). */
  error?: unknown;
  durationMs: number;
}

/** What `OrchestratorHooks.onToolCall` reports. */
export interface ToolCallEvent {
  actor: Actor;
  behavior: Behavior;
  name: string;
  args: Record<string, unknown>;
  /** The model's id of the call, when the behavior passed one (`ToolInvokeOptions.toolCallId`). */
  toolCallId?: string;
  result?: unknown;
  /** What the tool threw instead, as thrown (usually a `ToolError`). */
  error?: unknown;
  durationMs: number;
}

/** Everything the orchestrator works with; it does no I/O of its own. */
export interface OrchestratorDeps {
  /** Clock in milliseconds since the epoch. */
  now: () => number;
  /** Defaults to `consoleLog`: warnings and errors as JSON lines on the console. */
  log?: LogFunction;
  /**
   * Makes the ids of messages sent by ticks that handle no message, and of tool calls recorded
   * in history. Defaults to `crypto.randomUUID`; inject a deterministic one for replayable tests.
   */
  ids?: () => string;
  context: ContextPort;
  tools: ToolPort;
  llm: LlmPort;
  bus: MessageBus;
  schedule: Scheduler;
  state: ActorStatePort;
  hooks?: OrchestratorHooks;
  limits?: Partial<OrchestratorLimits>;
}

/**
 * Ports that stand in for `OrchestratorDeps`' own during one tick (`tickActor`'s third
 * argument). A durable runtime runs each tick against the views of its `TickTransaction`
 * (`state`, `context`) and a `bus` that holds the tick's messages until the commit.
 */
export interface TickPorts {
  state?: ActorStatePort;
  context?: ContextPort;
  bus?: MessageBus;
  /** E.g. a model port that charges a conversation's budget. */
  llm?: LlmPort;
  tools?: ToolPort;
}

/** What arrives with a tick. Without `userMessage` only passive and persistent behaviors run. */
export interface TickInput {
  /** The incoming message (from the user or, with `from`, another actor). */
  userMessage?: string;
  /** Sender of `userMessage`; defaults to the user. */
  from?: string;
  /** Copied onto the messages this tick sends, so replies can be matched to requests. */
  correlationId?: string;
  /**
   * The conversation the input belongs to: the tick reads and writes that conversation's
   * history (unless the script's `memory` is `'actor'`) and its messages carry the id on.
   */
  conversationId?: string;
  /** The conversation's requester; `message` actions without a `target` go here. */
  replyTo?: string;
  /**
   * Merged into the `metadata` of every message this tick sends (e.g. causality, hop counts, the
   * W3C `traceparent`). Read after `onTickStart`, so a tracing hook may set the trace context
   * of the tick's own span here.
   */
  metadata?: Record<string, unknown>;
  /**
   * The id of the message being handled. Messages the tick sends then get stable ids
   * (`<messageId>:<n>`), so a replayed tick produces the same ids and receivers can de-duplicate.
   */
  messageId?: string;
  /**
   * Cancels the tick: behaviors, model calls, waits and tool calls get it, and an aborted tick
   * runs no further actions, records no history, leaves the actor's state as it is and rejects
   * with the abort reason (`ABORTED`, or the reason's own `PantheonError`).
   */
  signal?: AbortSignal;
  /** Where behaviors report progress for a caller streaming the reply (`BehaviorInput.emit`). */
  emit?: (event: BehaviorEvent) => void | Promise<void>;
  /**
   * Resumes one behavior after a decided approval instead of planning: only the behavior named
   * runs, through its `resume` method, with its stored `state` and the decision.
   */
  resume?: { behavior: string; state: unknown; approval: ApprovalOutcome };
}

/** The outcome of one action. */
export interface ActionResult {
  action: Action;
  ok: boolean;
  /** The bus message sent, the tool's return value, the spawned actor, or the value read. */
  result?: unknown;
  error?: PantheonError;
  durationMs: number;
}

/** The outcome of one tick. */
export interface TickResult {
  actorId: string;
  /** The state the actor was left in. */
  state: ActorState;
  actions: ActionResult[];
  errors: PantheonError[];
  durationMs: number;
  /** Tool calls behaviors held back for approval this tick (`BehaviorPlan.awaitApproval`). */
  approvals?: { behavior: string; request: ApprovalRequest }[];
}

/** What `makeOrchestrator` returns. */
export interface Orchestrator {
  /**
   * Runs one tick. Resolves even when behaviors or actions fail (see `TickResult.errors`).
   * `ports` replaces `deps.state`, `deps.context` and `deps.bus` for this tick only.
   */
  tickActor(actor: Actor, input?: TickInput, ports?: TickPorts): Promise<TickResult>;
  /** Ticks the actor every `intervalMs` on the scheduler; returns the function that stops it. */
  startActorLoop(actor: Actor, intervalMs?: number): () => void;
  /** Validates and runs one action for `actor`; rejects with the action's typed error. */
  executeAction(action: Action, actor: Actor): Promise<ActionResult>;
}
