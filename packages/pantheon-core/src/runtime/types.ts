import type { ApprovalDecision, ApprovalOptions, PendingApproval } from '../approval-types';
import type { PantheonError } from '../errors';
import type { LogFunction, OrchestratorHooks, OrchestratorLimits } from '../orchestrator/types';
import type { ActorStatePort } from '../ports/actor-state-port';
import type { ContextPort } from '../ports/context-port';
import type { LlmPort } from '../ports/llm-port';
import type { MailboxStore } from '../ports/mailbox-store';
import type { BusMessage, MessageBus } from '../ports/message-bus';
import type { Scheduler } from '../ports/scheduler';
import type { ToolPort } from '../ports/tool-port';
import type { ActorScript } from '../types';
import type { Budget, BudgetSpent, PriceTable } from './budgets';

/** Bounds of the actor runtime. */
export interface RuntimeLimits {
  /** Messages one mailbox holds; a send beyond is `MAILBOX_FULL`. Default 10,000. */
  mailboxCapacity: number;
  /** Actors ticking at the same time. Default 64. */
  maxConcurrentTicks: number;
  /** Actor-to-actor hops one message chain may take before it is dead-lettered. Default 16. */
  maxHops: number;
  /** Largest message content in UTF-8 bytes; larger is `MESSAGE_TOO_LARGE`. Default 65,536. */
  maxMessageBytes: number;
  /** Sent messages kept per actor for `getActorMessages` (the newest). Default 1,000. */
  messageLogLimit: number;
  /** Dead letters kept for `getDeadLetters`. Default 10,000. */
  deadLetterLimit: number;
  /**
   * Longest a tick may run, in milliseconds on the system's scheduler. Past it the tick's signal
   * aborts, its concurrency slot is freed and it counts as a failure for supervision
   * (`TICK_TIMEOUT`); its message is handled again after the backoff. `wait` actions longer
   * than this are refused when planned (`LIMIT_EXCEEDED`). Default 600,000 (ten minutes).
   */
  tickTimeoutMs: number;
}

/**
 * How the runtime reacts to an actor whose ticks keep failing. A tick that failed because a
 * database behind a port is down (`STORE_UNAVAILABLE`, `STATE_UNAVAILABLE`,
 * `CONTEXT_UNAVAILABLE`) backs off the same way but does not count towards `maxFailures`: the
 * actor waits for the database, its message kept, however long the outage.
 */
export interface SupervisionOptions {
  /** Failures within `windowMs` that stop the actor as `failed`. Default 5. */
  maxFailures: number;
  windowMs: number;
  /** Pause before the actor's next message after a failure; doubles per consecutive failure. Default 100. */
  backoffMs: number;
  /** Cap of the doubling backoff. Default 30,000. */
  maxBackoffMs: number;
}

/** Everything `PantheonSystem` runs on. */
export interface PantheonSystemOptions {
  contextAdapter: ContextPort;
  toolAdapter: ToolPort;
  llmAdapter: LlmPort;
  messageBus: MessageBus;
  scheduler: Scheduler;
  actorStateAdapter: ActorStatePort;
  /** Clock in milliseconds; defaults to `Date.now`. */
  now?: () => number;
  /**
   * Makes ids: of messages, conversations and `ask` requests (and, through the orchestrator, of
   * messages sent outside a handled message). Defaults to a random prefix per system and a
   * counter. Inject a deterministic one so a replayed test sees the same ids.
   */
  ids?: () => string;
  /**
   * Where warnings and errors go (failed ticks with actor, message id and code; restarts;
   * actors stopped by supervision; dead letters). Defaults to `consoleLog`, one JSON line per
   * entry on the console; `log: () => {}` silences it. Failures also reach `on(...)` events.
   */
  log?: LogFunction;
  hooks?: OrchestratorHooks;
  limits?: Partial<RuntimeLimits & OrchestratorLimits>;
  supervision?: Partial<SupervisionOptions>;
  /**
   * Makes mailboxes and outboxes durable: messages are stored before `sendMessage` resolves,
   * acknowledged only when the tick that handled them committed, and restored on the next start.
   */
  store?: MailboxStore;
  /** Human approval of tool calls (`ToolSpec.needsApproval`): e.g. a timeout that denies. */
  approvals?: ApprovalOptions;
  /**
   * The budget of every conversation that reaches this system through `sendMessage`/`ask`
   * without one (unless the send gives its own). Default: none.
   */
  budget?: Budget;
  /** Prices per million tokens by model, for budgets with a `cost` limit. */
  prices?: PriceTable;
}

/** What `createActor` needs. */
export interface CreateActorOptions {
  name: string;
  script: ActorScript;
  goals: string[];
  /** Defaults to a random UUID. */
  id?: string;
  metadata?: Record<string, unknown>;
  /**
   * `'reuse'` returns the stored actor when one with `id` exists (its script and goals as they
   * were), so setup code can run on every start of a durable app. Default `'fail'`: `ACTOR_EXISTS`.
   */
  ifExists?: 'fail' | 'reuse';
  /**
   * Actors this actor's behaviors may hand conversations to that do not exist yet (created
   * later, or served by another process); other unknown targets are `HANDOFF_TARGET_NOT_FOUND`.
   */
  declaredActors?: readonly string[];
}

/** Why a message could not be delivered. */
export type DeadLetterReason =
  | 'HOP_LIMIT'
  | 'MAILBOX_FULL'
  | 'MESSAGE_TOO_LARGE'
  | 'ACTOR_NOT_FOUND'
  | 'SHUTDOWN'
  | 'BUDGET_EXCEEDED';

/** A message the runtime could not deliver, kept for inspection. */
export interface DeadLetter {
  message: BusMessage;
  reason: DeadLetterReason;
}

/** Events of `PantheonSystem.on`. */
export interface PantheonSystemEvents {
  /** An actor sent a message to a target that is not one of this system's actors (e.g. `'user'`). */
  reply: { actorId: string; message: BusMessage };
  'actor.started': { actorId: string };
  'actor.stopped': { actorId: string };
  /** Supervision gave up: the actor is stopped as `failed`; its mailbox is kept. */
  'actor.failed': {
    actorId: string;
    error: PantheonError;
    failures: number;
    /** The message whose tick failed last, and its conversation. */
    messageId?: string;
    conversationId?: string;
  };
  /** A tick failed; the actor goes on after `backoffMs`. */
  'actor.restarted': {
    actorId: string;
    error: PantheonError;
    attempt: number;
    backoffMs: number;
    /** The message whose tick failed, and its conversation. */
    messageId?: string;
    conversationId?: string;
  };
  deadletter: DeadLetter;
  /** A tool call waits for a person: decide with `approve` or `deny`. */
  'approval.requested': { approval: PendingApproval };
  /** An approval was decided (`by` is `'system'` when it expired); its actor resumes next. */
  'approval.decided': { approval: PendingApproval; decision: ApprovalDecision; by?: string };
  /**
   * A conversation reached a limit of its budget (reported once per conversation and system):
   * its messages are dead-lettered with reason `BUDGET_EXCEEDED`, its `ask`s reject, other
   * conversations go on.
   */
  'budget.exceeded': {
    conversationId: string;
    /** The actor whose tick or mailbox found it. */
    actorId: string;
    limit: keyof Budget;
    budget: Budget;
    spent: BudgetSpent;
  };
  /**
   * `stopActor` or `shutdown` aborted a tick still running at its deadline (`TICK_INTERRUPTED`).
   * Its message was not consumed: it is handled again when the actor next starts (with a store,
   * after a restart too).
   */
  'tick.interrupted': { actorId: string; messageId?: string; conversationId?: string };
}

/** Options of `sendMessage`. */
export interface SendMessageOptions {
  /** Sender id; defaults to `'user'`. */
  from?: string;
  /** Copied onto every message the actor sends while handling this one. */
  correlationId?: string;
  /** The conversation to continue; a new one is started when absent. */
  conversationId?: string;
  /** Who receives the conversation's answers; defaults to `from`. */
  replyTo?: string;
  /**
   * The message's id, to make a send safe to retry: with a store, and in a cluster, an id is
   * taken once, so after an error that leaves it unknown whether the message was accepted
   * (`STORE_UNAVAILABLE` when the connection broke during the commit, `BUS_UNAVAILABLE`), sending
   * again with the same id never makes a second message. Without a store ids are not
   * remembered. No `:`. Default: a new id.
   */
  messageId?: string;
  /**
   * The conversation's budget, instead of the system's `budget`, when it has none yet (a
   * conversation keeps the first budget it got). Once it reaches a limit the conversation stops
   * with `BUDGET_EXCEEDED`.
   */
  budget?: Budget;
  /**
   * Carried on the message. A W3C `traceparent` (and `tracestate`) here is passed on to every
   * message sent while handling it, so the conversation joins the caller's trace.
   */
  metadata?: Record<string, unknown>;
}

/** Options of `ask`. */
export interface AskOptions {
  /** How long to wait for the answer. Default 30,000 ms. */
  timeoutMs?: number;
  /** The asker's id; defaults to `'user'`. */
  from?: string;
  /** The conversation to continue; a new one is started when absent. */
  conversationId?: string;
  /** Where the answer is expected; defaults to `from`. */
  replyTo?: string;
  /** The conversation's budget; see `SendMessageOptions.budget`. */
  budget?: Budget;
  /** Carried on the message, as `SendMessageOptions.metadata` (e.g. a W3C `traceparent`). */
  metadata?: Record<string, unknown>;
}

/** One actor's mailbox, as `PantheonSystem.getRuntimeStats` reports it. */
export interface MailboxStats {
  actorId: string;
  /** Whether the actor processes its mailbox (`startActor` ran, it was not stopped). */
  started: boolean;
  /** Messages waiting, including the one a running tick handles. */
  depth: number;
  /** `timestamp` of the oldest waiting message, when there is one. */
  oldestTimestamp?: number;
}

/** A read-out of the runtime for metrics and inspection; cheap, no port is called. */
export interface RuntimeStats {
  /** Every actor this system knows of, in the order it learnt of them. */
  mailboxes: MailboxStats[];
  /** `ask` calls waiting for their answer. */
  pendingAsks: number;
  /**
   * Tool calls waiting for a person's decision, as this process knows them (with a store,
   * `getPendingApprovals()` reads every process's).
   */
  pendingApprovals: number;
  /** Dead letters kept for `getDeadLetters` (at most `deadLetterLimit`). */
  deadLetters: number;
}

/** Options of `stopActor`. */
export interface StopActorOptions {
  /**
   * How long the actor's running tick may go on before its signal aborts it
   * (`TICK_INTERRUPTED`; its message is kept for the next start). Default 10,000 ms.
   */
  timeoutMs?: number;
}

/** Options of `shutdown`. */
export interface ShutdownOptions {
  /** Let started actors work through their mailboxes first. Default true. */
  drain?: boolean;
  /**
   * The deadline for draining and for the ticks still running; ticks running past it are
   * aborted (`TICK_INTERRUPTED`) and reported as `interrupted`. Default 10,000 ms.
   */
  timeoutMs?: number;
}

/** A tick that `stopActor` or `shutdown` aborted at its deadline. */
export interface InterruptedTick {
  actorId: string;
  /** The message it was handling (absent for a tick without input); it is handled again later. */
  messageId?: string;
  conversationId?: string;
}

/** What `shutdown` did with the messages still waiting. */
export interface ShutdownReport {
  /** Ticks still running at the deadline, aborted; their messages are among `pending` or `kept`. */
  interrupted: InterruptedTick[];
  /** Messages lost: left undelivered without a store (also dead letters with reason `SHUTDOWN`). */
  pending: DeadLetter[];
  /** Messages a store keeps for the next start; they are delivered then, not lost. */
  kept: BusMessage[];
}
