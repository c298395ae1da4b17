import { checkActorScript } from '../actor-scripts';
import type {
  ApproveOptions,
  DenyOptions,
  PendingApproval,
  ReplyStreamEvent,
} from '../approval-types';
import { BoundedLog } from '../bounded-log';
import { callerMetadata, checkContent, checkSendOptions, oversize } from '../bus-messages';
import { consoleLog } from '../console-log';
import { ActorError, ConfigError, errorMessage, PantheonError } from '../errors';
import { abortError, deadline } from '../orchestrator/abort';
import { DEFAULT_ORCHESTRATOR_LIMITS } from '../orchestrator/limits';
import { makeOrchestrator } from '../orchestrator/make-orchestrator';
import type {
  LogFunction,
  Orchestrator,
  TickInput,
  TickPorts,
  TickResult,
} from '../orchestrator/types';
import type { ActorStatePort } from '../ports/actor-state-port';
import type { LlmPort } from '../ports/llm-port';
import type { MailboxStore } from '../ports/mailbox-store';
import type { BusMessage, MessageBus } from '../ports/message-bus';
import type { Scheduler } from '../ports/scheduler';
import type { ToolPort } from '../ports/tool-port';
import type { Actor } from '../types';
import { ActorCell, type RunningTick } from './actor-cell';
import { Approvals } from './approvals';
import { AskRequests } from './ask-requests';
import { type Budget, type BudgetLedger, ConversationBudgets } from './budgets';
import { type Destination, DurableOutbox, type DurableTick } from './durable-outbox';
import { EventHub } from './event-hub';
import { type OnceResults, onceTools } from './once-tools';
import { Queue } from './queue';
import { type ReplyStream, ReplyStreams } from './reply-streams';
import { checkRequirements, checkStorePorts } from './setup-checks';
import { SpawnRegisteringState } from './spawn-registering-state';
import { Supervisor } from './supervisor';
import { TickDeadlines } from './tick-deadlines';
import { TurnScheduler } from './turn-scheduler';
import type {
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
} from './types';

/** Runtime defaults; see `RuntimeLimits` and `SupervisionOptions`. */
export const DEFAULT_RUNTIME_LIMITS: Readonly<RuntimeLimits> = Object.freeze({
  mailboxCapacity: 10_000,
  maxConcurrentTicks: 64,
  maxHops: 16,
  maxMessageBytes: 65_536,
  messageLogLimit: 1_000,
  deadLetterLimit: 10_000,
  tickTimeoutMs: 600_000,
});

export const DEFAULT_SUPERVISION: Readonly<SupervisionOptions> = Object.freeze({
  maxFailures: 5,
  windowMs: 10_000,
  backoffMs: 100,
  maxBackoffMs: 30_000,
});

/** How long `stopActor` and `shutdown` let running ticks go on by default. */
const DEFAULT_STOP_TIMEOUT_MS = 10_000;

/** Messages an actor handles per turn before other ready actors get theirs. */
const MESSAGES_PER_TURN = 32;

/** Ids from a random prefix per system and a counter: unique without a UUID per message. */
function counterIds(): () => string {
  const prefix = `${crypto.randomUUID()}.`;
  let count = 0;
  return () => prefix + (count++).toString(36);
}

/** The metadata a tick's messages carry on from the message it handles: hops, cause, trace. */
function tickMetadata(message: BusMessage): Record<string, unknown> {
  const metadata: Record<string, unknown> = { hops: hopsOf(message) + 1, causationId: message.id };
  // W3C trace context passes through every hop, so a conversation is one trace across actors.
  const traceparent = message.metadata?.traceparent;
  if (traceparent !== undefined) {
    metadata.traceparent = traceparent;
    if (message.metadata?.tracestate !== undefined) {
      metadata.tracestate = message.metadata.tracestate;
    }
  }
  return metadata;
}

function hopsOf(message: BusMessage): number {
  const hops = message.metadata?.hops;
  return typeof hops === 'number' ? hops : 0;
}

/** How a tick names the sender of its input: `undefined` for the user. */
function senderName(address: string | undefined): string | undefined {
  return address === 'user' ? undefined : address;
}

/** Why a dead letter ended its request's chain, as the error an `ask` rejects with. */
function deadLetterError(message: BusMessage, reason: DeadLetterReason): PantheonError {
  const code = reason === 'SHUTDOWN' ? 'SYSTEM_SHUT_DOWN' : reason;
  return new ActorError(
    `Message ${message.id} from "${message.from}" to "${message.to}" was dead-lettered (${reason})`,
    message.to,
    { messageId: message.id, reason },
    { code },
  );
}

function tickTimeout(actorId: string, timeoutMs: number, message: BusMessage | undefined) {
  return new ActorError(
    `The tick of actor "${actorId}" ran past tickTimeoutMs (${timeoutMs} ms) and was aborted`,
    actorId,
    { timeoutMs, messageId: message?.id, conversationId: message?.conversationId },
    { code: 'TICK_TIMEOUT' },
  );
}

/** Why a tick rejected, as a Pantheon error. */
function tickError(actorId: string, error: unknown): PantheonError {
  return PantheonError.isInstance(error)
    ? error
    : new ActorError(`Tick failed: ${errorMessage(error)}`, actorId, undefined, { cause: error });
}

/** The conversation a spawned actor was created in (its ticks without a message spend it). */
function spawnedIn(actor: Actor): string | undefined {
  const conversationId = actor.metadata?.spawnedIn;
  return typeof conversationId === 'string' ? conversationId : undefined;
}

/** True when a failed tick still passed its request on (answered or handed it off). */
function passedOn(result: { actions: readonly { action: { type: string }; ok: boolean }[] }) {
  return result.actions.some(
    ({ action, ok }) => ok && (action.type === 'message' || action.type === 'handoff'),
  );
}

/**
 * The actor runtime. Every actor has a bounded mailbox processed one message at a time, in
 * arrival order (one tick per message); different actors run concurrently up to
 * `maxConcurrentTicks`. A `message` action whose target is another actor's id lands in that
 * actor's mailbox through the bus. Failing actors are restarted with backoff and stopped as
 * `failed` past the supervision limit; nothing is dropped silently — undeliverable messages
 * become dead letters.
 *
 * @example
 * const pantheon = new PantheonSystem({ contextAdapter, toolAdapter, llmAdapter, messageBus,
 *   scheduler, actorStateAdapter });
 * const actor = await pantheon.createActor({ name: 'support', script, goals: ['Help'] });
 * await pantheon.startActor(actor.id);
 * const reply = await pantheon.ask(actor.id, 'Where is my parcel?', { timeoutMs: 30_000 });
 */
export class PantheonSystem {
  private readonly orchestrator: Orchestrator;
  /** The tool port ticks run on (`once` tools remembered). */
  private readonly tickTools: ToolPort;
  private readonly state: ActorStatePort;
  private readonly llm: LlmPort;
  private readonly scheduler: Scheduler;
  private readonly now: () => number;
  private readonly log: LogFunction;
  private readonly limits: RuntimeLimits;
  private readonly supervision: SupervisionOptions;
  private readonly events: EventHub<PantheonSystemEvents>;
  private readonly cells = new Map<string, ActorCell>();
  /** The last start or stop of each actor being started or stopped, which the next one waits for. */
  private readonly lifecycles = new Map<string, Promise<void>>();
  private readonly turns: TurnScheduler;
  private readonly asks: AskRequests;
  private readonly deadLetters: DeadLetter[] = [];
  private readonly unsubscribe: () => void;
  private readonly bus: MessageBus;
  private readonly store: MailboxStore | undefined;
  private readonly outbox: DurableOutbox | undefined;
  private readonly supervisor: Supervisor;
  private readonly approvals: Approvals;
  private readonly streams = new ReplyStreams();
  private readonly deadlines: TickDeadlines;
  private readonly budgets: ConversationBudgets;
  private readonly defaultBudget: Budget | undefined;
  /** Conversations whose `budget.exceeded` was emitted. */
  private readonly budgetsReported = new WeakSet<BudgetLedger>();
  private readonly tools: ToolPort;
  private restored: Promise<void> | undefined;
  private readonly nextId: () => string;
  /** Ids of retried sends being looked up in the store (`adoptStored`). */
  private readonly adopting = new Set<string>();
  private closed = false;

  constructor(options: PantheonSystemOptions) {
    if (options.store) {
      checkStorePorts(options.store, options.actorStateAdapter, options.contextAdapter);
    }
    const log = options.log ?? consoleLog;
    this.log = log;
    this.now = options.now ?? Date.now;
    this.state = options.actorStateAdapter;
    this.tools = options.toolAdapter;
    this.llm = options.llmAdapter;
    this.budgets = new ConversationBudgets(this.now, options.prices);
    this.defaultBudget = options.budget;
    this.scheduler = options.scheduler;
    this.limits = { ...DEFAULT_RUNTIME_LIMITS, ...options.limits };
    this.supervision = { ...DEFAULT_SUPERVISION, ...options.supervision };
    this.events = new EventHub<PantheonSystemEvents>(log);
    this.asks = new AskRequests(options.scheduler);
    this.turns = new TurnScheduler(this.limits.maxConcurrentTicks, this.cells, (cell) =>
      this.runTurn(cell),
    );
    this.bus = options.messageBus;
    this.store = options.store;
    this.nextId = options.ids ?? counterIds();
    this.outbox = this.store
      ? new DurableOutbox(this.store, this.bus, {
          scheduler: this.scheduler,
          log,
          backoffMs: this.supervision.backoffMs,
          maxBackoffMs: this.supervision.maxBackoffMs,
          isClosed: () => this.closed,
        })
      : undefined;
    this.supervisor = new Supervisor({
      options: this.supervision,
      now: this.now,
      log,
      scheduler: this.scheduler,
      state: this.state,
      events: this.events,
      asks: this.asks,
      halt: (cell) => this.halt(cell),
      resume: (cell) => this.turns.schedule(cell),
    });
    this.deadlines = new TickDeadlines(
      this.limits.tickTimeoutMs,
      this.scheduler,
      this.now,
      (cell) => {
        const message = cell.ticking?.message;
        this.abortTick(cell, tickTimeout(cell.id, this.limits.tickTimeoutMs, message));
      },
    );
    this.tickTools = onceTools(options.toolAdapter, this.onceResults());
    this.orchestrator = makeOrchestrator({
      now: this.now,
      log,
      ids: this.nextId,
      context: options.contextAdapter,
      tools: this.tickTools,
      llm: options.llmAdapter,
      bus: this.sendingOnce(options.messageBus),
      schedule: options.scheduler,
      state: this.registeringSpawns(options.actorStateAdapter),
      hooks: options.hooks,
      // A wait the tick deadline would cut short is refused when planned instead.
      limits: {
        ...options.limits,
        maxWaitMs: Math.min(
          options.limits?.maxWaitMs ?? DEFAULT_ORCHESTRATOR_LIMITS.maxWaitMs,
          this.limits.tickTimeoutMs,
        ),
      },
    });
    this.approvals = new Approvals({
      store: this.store,
      scheduler: this.scheduler,
      now: this.now,
      ids: this.nextId,
      log,
      events: this.events,
      options: options.approvals ?? {},
      owns: (actorId) => this.cells.get(actorId)?.started === true,
      deliver: (message) => {
        const cell = this.cells.get(message.to);
        if (cell) this.push(cell, message);
      },
    });
    this.events.on('approval.requested', ({ approval }) =>
      this.streams.approvalRequested(approval),
    );
    this.unsubscribe = options.messageBus.subscribe((message) => this.route(message));
  }

  /**
   * Creates an actor in the state port and registers its mailbox. Checks first what can be
   * checked: the script, the goals, the tools its behaviors offer (registered in the tool
   * adapter, else `TOOL_NOT_FOUND`) and the actors they hand conversations to (existing or in
   * `declaredActors`, else `HANDOFF_TARGET_NOT_FOUND`). With `ifExists: 'reuse'` an existing actor
   * of that id is returned as it is, so a durable app's setup can run on every start.
   */
  async createActor(options: CreateActorOptions): Promise<Actor> {
    this.assertOpen();
    await this.restore();
    checkActorScript(options.script);
    if (!Array.isArray(options.goals) || options.goals.some((goal) => typeof goal !== 'string')) {
      throw new ConfigError(
        'createActor needs goals as an array of strings',
        { field: 'goals' },
        { code: 'INVALID_ARGUMENT' },
      );
    }
    if (options.ifExists === 'reuse' && options.id !== undefined) {
      const existing = await this.state.get(options.id);
      if (existing) {
        if (!this.cells.has(existing.id)) this.cells.set(existing.id, new ActorCell(existing.id));
        return existing;
      }
    }
    const declared = new Set(options.declaredActors);
    if (options.id !== undefined) declared.add(options.id);
    await checkRequirements(
      options.script,
      this.tools,
      async (id) => declared.has(id) || this.cells.has(id) || (await this.state.get(id)) !== null,
    );
    const actor = await this.state.spawn(options.script, options.goals[0] ?? '', {
      id: options.id,
      name: options.name,
      goals: options.goals,
      metadata: options.metadata,
    });
    this.cells.set(actor.id, new ActorCell(actor.id));
    return actor;
  }

  /**
   * Starts processing the actor's mailbox (resuming whatever waited while it was stopped). With
   * `intervalMs`, passive and persistent behaviors also run every `intervalMs` without input.
   */
  async startActor(id: string, options: { intervalMs?: number } = {}): Promise<void> {
    return this.inTurnOf(id, async () => {
      this.assertOpen();
      await this.restore();
      await this.start(await this.cellFor(id), options);
    });
  }

  private async start(cell: ActorCell, options: { intervalMs?: number }): Promise<void> {
    const id = cell.id;
    if (cell.started) return;
    await this.state.update(id, { state: 'idle' });
    cell.started = true;
    cell.failures = undefined;
    cell.consecutiveFailures = 0;
    if (options.intervalMs !== undefined) {
      cell.stopInterval = this.scheduler.every(options.intervalMs, () => {
        cell.idleTickDue = true;
        this.turns.schedule(cell);
      });
    }
    this.events.emit('actor.started', { actorId: id });
    this.turns.schedule(cell);
  }

  /**
   * Stops the actor after its current tick; its mailbox is kept for the next `startActor`. A tick
   * still running after `options.timeoutMs` (default 10 s) is aborted through its signal
   * (`tick.interrupted`); its message stays in the mailbox and is handled on the next start.
   */
  async stopActor(id: string, options: StopActorOptions = {}): Promise<void> {
    return this.inTurnOf(id, async () => this.stop(await this.cellFor(id), options));
  }

  /**
   * Runs the actor's starts and stops one after the other, in call order: a stop called while
   * a start is still under way stops the actor that start started.
   */
  private inTurnOf(id: string, change: () => Promise<void>): Promise<void> {
    const next = (this.lifecycles.get(id) ?? Promise.resolve()).then(change);
    const settled = next.catch(() => {});
    this.lifecycles.set(id, settled);
    void settled.then(() => {
      if (this.lifecycles.get(id) === settled) this.lifecycles.delete(id);
    });
    return next;
  }

  private async stop(cell: ActorCell, options: StopActorOptions): Promise<void> {
    const id = cell.id;
    if (!cell.started) return;
    this.halt(cell);
    const stopBy = deadline(this.scheduler, options.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
    await this.settle([cell], stopBy);
    await this.state.update(id, { state: 'stopped' });
    this.events.emit('actor.stopped', { actorId: id });
  }

  /**
   * Puts a message in the actor's mailbox and returns its id. The message starts a new
   * conversation unless `options.conversationId` continues one; answers go to
   * `options.replyTo` (default: the sender). Rejects with `ACTOR_NOT_FOUND`,
   * `MESSAGE_TOO_LARGE`, `MAILBOX_FULL` or `INVALID_MESSAGE`; a rejected message is not enqueued.
   */
  async sendMessage(
    id: string,
    content: string,
    options: SendMessageOptions = {},
  ): Promise<string> {
    this.assertOpen();
    checkContent(id, content, this.limits.maxMessageBytes);
    checkSendOptions(id, options);
    if (this.store) await this.restore();
    const cell = this.cells.get(id) ?? (await this.cellFor(id));
    const from = options.from ?? 'user';
    const message: BusMessage = {
      id: options.messageId ?? this.nextId(),
      from,
      to: id,
      content,
      timestamp: this.now(),
      correlationId: options.correlationId,
      conversationId: options.conversationId ?? this.nextId(),
      replyTo: options.replyTo ?? from,
    };
    const metadata = callerMetadata(id, options.metadata);
    if (metadata !== undefined) message.metadata = metadata;
    if (options.budget !== undefined || this.defaultBudget !== undefined || this.budgets.active) {
      this.budgetSend(message, options);
    }
    this.assertCapacity(cell, message);
    // Once stored, a message is accepted: rejecting it now would report a loss that a restart undoes.
    if (this.store && !(await this.store.enqueue(message))) {
      await this.adoptStored(cell, message.id as string);
      return message.id as string;
    }
    this.push(cell, message);
    return message.id as string;
  }

  /**
   * A message the store already has (a send retried with its `messageId`, or a bus delivering
   * again): taken once. When an earlier try stored it but failed before it reached the mailbox
   * (the store's answer was lost), it waits in the store unhandled, and goes into the mailbox now.
   */
  private async adoptStored(cell: ActorCell, id: string): Promise<void> {
    const inMailbox = () => cell.mailbox?.toArray().some((message) => message.id === id) === true;
    if (inMailbox() || this.adopting.has(id)) return;
    this.adopting.add(id);
    try {
      const stored = (await this.store!.pending()).find((message) => message.id === id);
      if (stored && !inMailbox()) this.push(cell, stored);
    } finally {
      this.adopting.delete(id);
    }
  }

  /**
   * Sends `content` and resolves with the first message of the request's chain that reaches the
   * asker (`options.replyTo`, default `options.from`, default `'user'`), from whichever actor
   * answers — the one asked, or one it handed the conversation to. Rejects early with
   * `ASK_FAILED` (the failing tick's error or the dead letter as `cause`) when the chain dies,
   * with `ASK_TIMEOUT` only when nothing happened within `timeoutMs` (default 30 s).
   *
   * @example
   * const answer = await pantheon.ask('triage', 'I was charged twice', { conversationId: 'c-42' });
   * console.log(answer.from, answer.content); // 'billing', 'I have refunded…'
   */
  ask(id: string, content: string, options: AskOptions = {}): Promise<BusMessage> {
    return this.request(this.nextId(), id, content, options);
  }

  /**
   * Sends `content` like `ask` and streams what the actors working on it do, as it happens: the
   * model's text (`text-delta`) and reasoning (`reasoning-delta`), `tool-call`s and their
   * `tool-result`s, `approval-requested` when a call waits for a person, and last the answer
   * (`message`) or why there is none (`error`, e.g. `ASK_TIMEOUT` after `timeoutMs`). Events
   * come from `llmBehavior` (streaming the model when its adapter has `stream`) and any behavior
   * that uses `BehaviorInput.emit`. At most `bufferSize` (default 64) events wait unread: then
   * the behavior waits for the reader, so the model's stream is read no faster than the caller
   * reads. Leaving the loop early (`break`) aborts the tick working on the request (its model
   * call ends with `LLM_ABORTED`); that does not count as a failure of the actor.
   *
   * @example
   * for await (const event of pantheon.stream('support', 'Where is my parcel?')) {
   *   if (event.type === 'text-delta') process.stdout.write(event.delta);
   *   if (event.type === 'approval-requested') notifyOperator(event.approval);
   *   if (event.type === 'error') console.error(event.error.code);
   * }
   */
  stream(
    id: string,
    content: string,
    options: AskOptions & { bufferSize?: number } = {},
  ): AsyncIterableIterator<ReplyStreamEvent> {
    const correlationId = this.nextId();
    const stream: ReplyStream = this.streams.start(correlationId, id, options.bufferSize);
    this.request(correlationId, id, content, options).then(
      (message) => this.streams.answered(stream, message),
      (error: PantheonError) => this.streams.failed(stream, error),
    );
    stream.signal.addEventListener(
      'abort',
      () => {
        if (stream.wasCancelled) this.asks.abort(correlationId, stream.signal.reason);
      },
      { once: true },
    );
    return stream;
  }

  private request(
    correlationId: string,
    id: string,
    content: string,
    options: AskOptions,
  ): Promise<BusMessage> {
    const from = options.from ?? 'user';
    const replyTo = options.replyTo ?? from;
    const conversationId = options.conversationId ?? this.nextId();
    const answer = this.asks.open({
      correlationId,
      actorId: id,
      replyTo,
      conversationId,
      timeoutMs: options.timeoutMs ?? 30_000,
    });
    const send: SendMessageOptions = { from, correlationId, conversationId, replyTo };
    if (options.budget !== undefined) send.budget = options.budget;
    if (options.metadata !== undefined) send.metadata = options.metadata;
    this.sendMessage(id, content, send).catch((error: PantheonError) =>
      this.asks.abort(correlationId, error),
    );
    return answer;
  }

  /**
   * Approves a tool call that waits for a person (`approval.requested`, `getPendingApprovals`):
   * the actor runs the tool with the approved arguments and carries on where it stopped. Rejects
   * with `APPROVAL_NOT_FOUND`, `APPROVAL_ALREADY_DECIDED`, `APPROVAL_EXPIRED`, or
   * `APPROVAL_NOT_OWNED` when the actor is not started in this system; then nothing runs.
   *
   * @example
   * pantheon.on('approval.requested', ({ approval }) => notifyOperator(approval));
   * // … when the operator clicks "approve":
   * await pantheon.approve(approval.id, { by: 'operator@example.com', note: 'Checked the order' });
   */
  async approve(id: string, options: ApproveOptions): Promise<void> {
    this.assertOpen();
    await this.restore();
    return this.approvals.approve(id, options);
  }

  /**
   * Denies a tool call that waits for a person: the tool does not run, and the model gets
   * `Error (APPROVAL_DENIED): … reason` as the call's result, so it can tell the requester or try
   * another way. Rejects like `approve`.
   */
  async deny(id: string, options: DenyOptions): Promise<void> {
    this.assertOpen();
    await this.restore();
    return this.approvals.deny(id, options);
  }

  /** The tool calls waiting for a person's decision, oldest first (with a store, every process's). */
  async getPendingApprovals(): Promise<PendingApproval[]> {
    await this.restore();
    return this.approvals.pending();
  }

  /** Everything the actor sent, to any target, in order (the last `messageLogLimit`). */
  async getActorMessages(id: string): Promise<BusMessage[]> {
    return (await this.cellFor(id)).sent?.last() ?? [];
  }

  /** Messages waiting in the actor's mailbox, oldest first (with a store, what it kept too). */
  async getMailbox(id: string): Promise<BusMessage[]> {
    if (this.store) await this.restore();
    return (await this.cellFor(id)).mailbox?.toArray() ?? [];
  }

  /** Every actor in the state port (as `ActorStatePort.list` returns them). */
  listActors(): Promise<Actor[]> {
    return this.state.list();
  }

  /**
   * Mailbox depths and the age of their oldest message, pending `ask`s and kept dead letters:
   * a synchronous read-out for metrics and the inspector that calls no port.
   */
  getRuntimeStats(): RuntimeStats {
    const mailboxes: MailboxStats[] = [];
    for (const cell of this.cells.values()) {
      const stats: MailboxStats = {
        actorId: cell.id,
        started: cell.started,
        depth: cell.mailbox?.size ?? 0,
      };
      const oldest = cell.mailbox?.peek()?.timestamp;
      if (oldest !== undefined) stats.oldestTimestamp = oldest;
      mailboxes.push(stats);
    }
    return {
      mailboxes,
      pendingAsks: this.asks.size,
      pendingApprovals: this.approvals.pendingCount(),
      deadLetters: this.deadLetters.length,
    };
  }

  /** Messages that could not be delivered, with the reason. */
  getDeadLetters(): DeadLetter[] {
    return [...this.deadLetters];
  }

  /**
   * A conversation's budget and what it has spent, as this system knows it (a copy); undefined
   * for a conversation without a budget.
   */
  getConversationBudget(conversationId: string): BudgetLedger | undefined {
    const ledger = this.budgets.get(conversationId);
    return ledger && { limit: { ...ledger.limit }, spent: { ...ledger.spent } };
  }

  /** Subscribes to runtime events; returns the function that unsubscribes. */
  on<K extends keyof PantheonSystemEvents>(
    event: K,
    handler: (payload: PantheonSystemEvents[K]) => void,
  ): () => void {
    return this.events.on(event, handler);
  }

  /**
   * Resolves once no started actor has anything left to process and no tick runs (with a store:
   * and the messages the ticks published are marked published in it).
   */
  async whenIdle(): Promise<void> {
    await this.turns.whenIdle();
    await this.outbox?.marked();
  }

  /**
   * Stops taking messages, lets started actors drain their mailboxes, stops every actor and
   * reports the messages still waiting. Everything happens within `timeoutMs` (default 10 s):
   * ticks still running then are aborted through their signal and reported as `interrupted`.
   * Without a store the waiting messages are lost: reported as `pending` and recorded as dead
   * letters with reason `SHUTDOWN`. With a store they are `kept` there and delivered on the next
   * start. Pending `ask`s reject with `SYSTEM_SHUT_DOWN`.
   */
  async shutdown(options: ShutdownOptions = {}): Promise<ShutdownReport> {
    if (this.closed) return { interrupted: [], pending: [], kept: [] };
    const { drain = true, timeoutMs = DEFAULT_STOP_TIMEOUT_MS } = options;
    const shutdownBy = deadline(this.scheduler, timeoutMs);
    if (drain) await Promise.race([this.whenIdle(), shutdownBy.expired]);
    this.closed = true;
    for (const cell of this.cells.values()) this.halt(cell);
    const interrupted = await this.settle([...this.cells.values()], shutdownBy);
    this.deadlines.close();
    this.unsubscribe();
    this.asks.closeAll();
    this.approvals.close();
    const pending: DeadLetter[] = [];
    const kept: BusMessage[] = [];
    for (const cell of this.cells.values()) {
      for (const message of cell.mailbox?.drain() ?? []) {
        if (this.store) {
          kept.push(message);
          continue;
        }
        const letter: DeadLetter = { message, reason: 'SHUTDOWN' };
        pending.push(letter);
        this.recordDeadLetter(letter);
      }
    }
    if (pending.length > 0) {
      this.log('Shutdown left messages undelivered', {
        level: 'warn',
        count: pending.length,
        messageIds: pending.map((letter) => letter.message.id),
      });
    }
    return { interrupted, pending, kept };
  }

  /**
   * Waits for the cells' turns to end, until `by` expires; then aborts the ticks still running
   * (`TICK_INTERRUPTED`) and waits for their turns, which end at once. Returns what it aborted.
   */
  private async settle(
    cells: readonly ActorCell[],
    by: { expired: Promise<void>; cancel(): void },
  ): Promise<InterruptedTick[]> {
    const turns = Promise.all(cells.map((cell) => cell.turn));
    await Promise.race([turns, by.expired]);
    by.cancel();
    const interrupted: InterruptedTick[] = [];
    for (const cell of cells) {
      const ticking = cell.ticking;
      if (!ticking) continue;
      const { message } = ticking;
      const tick: InterruptedTick = {
        actorId: cell.id,
        messageId: message?.id,
        conversationId: message?.conversationId,
      };
      this.abortTick(
        cell,
        new ActorError(
          `The tick of actor "${cell.id}" was still running at the stop deadline and was aborted`,
          cell.id,
          { messageId: tick.messageId, conversationId: tick.conversationId },
          { code: 'TICK_INTERRUPTED' },
        ),
      );
      this.log('Tick interrupted at the stop deadline', { level: 'warn', ...tick });
      this.events.emit('tick.interrupted', tick);
      interrupted.push(tick);
    }
    await turns;
    return interrupted;
  }

  /** Aborts the actor's running tick with `reason` and lets its turn go on without it. */
  private abortTick(cell: ActorCell, reason: PantheonError): void {
    const ticking = cell.ticking;
    if (!ticking) return;
    ticking.controller.abort(reason);
    ticking.release?.(reason);
  }

  /** Loads what a durable store kept: waiting messages into mailboxes, unpublished ones onto the bus. */
  private restore(): Promise<void> {
    const store = this.store;
    if (!store) return Promise.resolve();
    this.restored ??= (async () => {
      // Every known actor gets a mailbox, so messages to actors not started yet are stored for
      // them rather than taken for messages leaving the system.
      for (const actor of await this.state.list()) {
        if (!this.cells.has(actor.id)) this.cells.set(actor.id, new ActorCell(actor.id));
      }
      // A restore that failed after this loop (and runs again), or a message routed meanwhile,
      // may have put a message in its mailbox already: it goes in once, or it is handled twice.
      const queued = new Map<ActorCell, Set<string | undefined>>();
      for (const message of await store.pending()) {
        const cell = await this.cellFor(message.to).catch(() => undefined);
        if (!cell) continue;
        cell.mailbox ??= new Queue();
        const ids = queued.get(cell) ?? new Set(cell.mailbox.toArray().map((m) => m.id));
        queued.set(cell, ids);
        if (ids.has(message.id)) continue;
        ids.add(message.id);
        cell.mailbox.push(message);
      }
      await this.approvals.restore();
      await this.outbox!.publishUnpublished();
    })().catch((error: unknown) => {
      this.restored = undefined; // let the next call try again, e.g. once the database is back
      throw error;
    });
    return this.restored;
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new PantheonError('The Pantheon system has shut down', 'SYSTEM_SHUT_DOWN');
    }
  }

  private async cellFor(id: string): Promise<ActorCell> {
    const known = this.cells.get(id);
    if (known) return known;
    const actor = await this.state.get(id);
    if (!actor) {
      throw new ActorError(`Actor "${id}" not found`, id, undefined, { code: 'ACTOR_NOT_FOUND' });
    }
    const cell = this.cells.get(id) ?? new ActorCell(id);
    this.cells.set(id, cell);
    return cell;
  }

  private enqueue(cell: ActorCell, message: BusMessage): void {
    this.assertCapacity(cell, message);
    this.push(cell, message);
  }

  /** Adds a message whose room in the mailbox was already checked. */
  private push(cell: ActorCell, message: BusMessage): void {
    cell.mailbox ??= new Queue();
    cell.mailbox.push(message);
    this.turns.schedule(cell);
  }

  private isFull(cell: ActorCell): boolean {
    return cell.mailbox !== undefined && cell.mailbox.size >= this.limits.mailboxCapacity;
  }

  private assertCapacity(cell: ActorCell, message: BusMessage): void {
    if (this.isFull(cell)) {
      throw new ActorError(
        `Mailbox of actor "${cell.id}" is full (${this.limits.mailboxCapacity} messages)`,
        cell.id,
        { capacity: this.limits.mailboxCapacity, messageId: message.id },
        { code: 'MAILBOX_FULL' },
      );
    }
  }

  /**
   * Handles every bus message: notes what actors sent, and delivers to mailboxes. A message for
   * a full mailbox is a dead letter before it is stored, so that no restart handles it later.
   */
  private route(message: BusMessage): void | Promise<void> {
    this.observeSent(message);
    const target = this.cells.get(message.to);
    if (!target || !this.admit(message, target)) return;
    if (!this.store) return this.push(target, message);
    // A message delivered again (at-least-once buses) is stored once; when the first delivery
    // stored it but failed before it reached the mailbox, it is adopted from the store now.
    return this.store.enqueue(message).then((fresh) => {
      if (fresh) this.push(target, message);
      else return this.adoptStored(target, message.id as string);
    });
  }

  /** Logs what an actor sent, answers the matching `ask`, and emits `reply` for outside targets. */
  private observeSent(message: BusMessage): void {
    const sender = this.cells.get(message.from);
    if (!sender) return;
    sender.sent ??= new BoundedLog(this.limits.messageLogLimit);
    sender.sent.push(message);
    this.asks.observe(message);
    if (!this.cells.has(message.to) && this.events.has('reply')) {
      this.events.emit('reply', { actorId: sender.id, message });
    }
  }

  /**
   * False (and a dead letter) for a message that may not enter `target`'s mailbox: past the hop
   * limit, over `maxMessageBytes`, arriving after shutdown, of a conversation over its budget, or
   * for a full mailbox.
   */
  private admit(message: BusMessage, target: ActorCell): boolean {
    if (hopsOf(message) > this.limits.maxHops) this.deadLetter(message, 'HOP_LIMIT');
    else if (oversize(message.content, this.limits.maxMessageBytes) > 0) {
      this.deadLetter(message, 'MESSAGE_TOO_LARGE');
    } else if (this.closed) this.deadLetter(message, 'SHUTDOWN');
    else {
      const overBudget = this.budgetError(message, message.to);
      if (overBudget) this.deadLetter(message, 'BUDGET_EXCEEDED', overBudget);
      else if (this.isFull(target)) this.deadLetter(message, 'MAILBOX_FULL');
      else return true;
    }
    return false;
  }

  /** Records a dead letter; an `ask` it ends rejects with `cause` (default: one naming the reason). */
  private deadLetter(message: BusMessage, reason: DeadLetterReason, cause?: PantheonError): void {
    const letter = { message, reason };
    this.recordDeadLetter(letter);
    this.log('Message dead-lettered', {
      level: 'warn',
      reason,
      messageId: message.id,
      from: message.from,
      to: message.to,
      conversationId: message.conversationId,
    });
    this.events.emit('deadletter', letter);
    if (this.asks.has(message.correlationId)) {
      this.asks.fail(message.correlationId, message.to, cause ?? deadLetterError(message, reason));
    }
  }

  private recordDeadLetter(letter: DeadLetter): void {
    this.deadLetters.push(letter);
    if (this.deadLetters.length > this.limits.deadLetterLimit) this.deadLetters.shift();
  }

  private async runTurn(cell: ActorCell): Promise<void> {
    for (let handled = 0; handled < MESSAGES_PER_TURN; handled++) {
      if (!cell.started || cell.inBackoff) return;
      const message = cell.mailbox?.peek();
      if (!message && !cell.idleTickDue) return;
      let input: TickInput;
      if (message?.metadata?.approval !== undefined) {
        const resumed = await this.resumeInputOf(cell, message);
        if (!resumed) continue;
        input = resumed;
      } else if (message) {
        // A handed-off message speaks for the requester, not for the actor that passed it on.
        const handedOff = message.metadata?.handoff !== undefined;
        input = {
          userMessage: message.content,
          from: senderName(handedOff ? message.replyTo : message.from),
          correlationId: message.correlationId,
          conversationId: message.conversationId,
          replyTo: message.replyTo,
          messageId: message.id,
          metadata: tickMetadata(message),
        };
      } else {
        cell.idleTickDue = false;
        input = {};
      }
      // Every tick can be cancelled: by its deadline, or by `stopActor`/`shutdown` at theirs.
      const controller = new AbortController();
      input.signal = controller.signal;
      const ticking: RunningTick = { message, controller };
      cell.ticking = ticking;
      this.deadlines.started(cell);
      this.streams.attach(input);
      // A durable tick runs in a transaction of the store: it reads the actor through it and
      // everything it writes or sends is committed with the acknowledgement of its message.
      const tick = this.outbox?.begin(cell.id);
      try {
        const actor = await (tick ? tick.ports.state : this.state).get(cell.id);
        if (!actor) {
          tick?.abort();
          this.lose(cell);
          return;
        }
        if (!message && (actor.state === 'completed' || actor.state === 'paused')) {
          tick?.abort();
          continue;
        }
        let ports: TickPorts | undefined = tick && {
          ...tick.ports,
          state: this.registeringSpawns(tick.ports.state),
        };
        const conversationId = message ? message.conversationId : spawnedIn(actor);
        const carried = message?.metadata?.budget;
        const ledger =
          this.budgets.active || carried !== undefined
            ? this.budgets.merge(conversationId, carried)
            : undefined;
        if (ledger) {
          // Another branch of the conversation may have spent the rest meanwhile.
          const overBudget = message && this.budgetError(message, cell.id);
          if (overBudget) {
            if (tick) await this.commitDurableTick(tick, message.id);
            cell.mailbox?.shift();
            // A message an earlier attempt already answered was handled, not dead.
            const answered = cell.sentForHead > 0;
            cell.sentForHead = 0;
            if (!answered) this.deadLetter(message, 'BUDGET_EXCEEDED', overBudget);
            continue;
          }
          // The tick's model and tool calls are charged; its messages carry the ledger on.
          const id = conversationId as string;
          ports = {
            ...ports,
            llm: this.budgets.llm(this.llm, id, ledger),
            tools: this.budgets.tools(this.tickTools, id, ledger),
          };
          input.metadata = { ...input.metadata, budget: ledger };
        }
        const running = this.orchestrator.tickActor(actor, input, ports);
        // An aborted tick is let go: its turn goes on even if a behavior ignores the signal.
        const result = await new Promise<TickResult>((resolve, reject) => {
          if (controller.signal.aborted) reject(abortError(controller.signal));
          ticking.release = reject;
          running.then(resolve, reject);
        });
        const held = this.approvals.held(cell.id, input, result, tick);
        this.approvals.settle(input, tick);
        if (tick) await this.commitDurableTick(tick, message?.id);
        this.approvals.announce(held);
        cell.onceResults = undefined;
        if (message) {
          cell.mailbox?.shift();
          cell.sentForHead = 0;
        }
        if (result.state === 'failed' && !this.streams.cancelled(input)) {
          const overBudget = ledger && result.errors.find((e) => e.code === 'BUDGET_EXCEEDED');
          const error = overBudget || result.errors[0]!;
          // The message is consumed: unless the tick passed it on, its request ends here.
          if (message && !passedOn(result)) this.asks.fail(message.correlationId, cell.id, error);
          // A conversation out of budget is no failure of the actor's.
          if (overBudget) this.reportBudget(ledger, overBudget, cell.id);
          else this.supervisor.failed(cell, error, message);
        } else {
          this.supervisor.succeeded(cell);
        }
      } catch (error) {
        // The tick itself failed (a port is down, or it timed out): the message stays at the head
        // of the mailbox. An interrupted tick is no failure of the actor's: it simply stopped.
        tick?.abort();
        if (PantheonError.isInstance(error) && error.code === 'TICK_INTERRUPTED') return;
        if (this.streams.cancelled(input)) {
          await this.dropCancelled(cell, message);
          continue;
        }
        this.supervisor.failed(cell, tickError(cell.id, error), message);
      } finally {
        this.deadlines.ended(cell);
        cell.ticking = undefined;
      }
    }
  }

  /**
   * The reader of a streamed request stopped and its tick was aborted: the request is over, so
   * its message is consumed (acknowledged in the store) rather than handled again, and the actor
   * goes on — a reader leaving is no failure of the actor's.
   */
  private async dropCancelled(cell: ActorCell, message: BusMessage | undefined): Promise<void> {
    if (message) {
      await this.outbox
        ?.begin(cell.id)
        .commit(message.id, () => 'drop')
        .catch((error: unknown) =>
          this.log('Could not acknowledge the message of a cancelled stream', {
            level: 'warn',
            actorId: cell.id,
            messageId: message.id,
            error: errorMessage(error),
          }),
        );
      cell.mailbox?.shift();
      cell.sentForHead = 0;
    }
    this.supervisor.succeeded(cell);
  }

  /**
   * The input of the tick that resumes from a decided approval; `undefined` when there is none:
   * a decision naming no decided approval is dropped (logged), and a store that cannot be read
   * counts as a failed tick, so the decision is handled again after the backoff.
   */
  private async resumeInputOf(
    cell: ActorCell,
    message: BusMessage,
  ): Promise<TickInput | undefined> {
    try {
      return await this.approvals.resumeInput(message);
    } catch (error) {
      if (PantheonError.isInstance(error) && error.code === 'APPROVAL_NOT_FOUND') {
        this.log('A decision message names no decided approval; dropped', {
          level: 'warn',
          actorId: cell.id,
          messageId: message.id,
          error: error.message,
        });
        cell.mailbox?.shift();
      } else {
        this.supervisor.failed(cell, tickError(cell.id, error), message);
      }
      return undefined;
    }
  }

  /**
   * Commits the tick's writes with the acknowledgement of its message, then hands its messages
   * on: to local mailboxes (stored by the commit) and to the bus for everyone else. Published
   * messages are observed when the bus hands them back to `route`, like any other.
   */
  private async commitDurableTick(tick: DurableTick, messageId: string | undefined) {
    const { deliver, publish } = await tick.commit(messageId, (message) =>
      this.destination(message),
    );
    for (const message of deliver) this.observeSent(message);
    for (const message of deliver) this.push(this.cells.get(message.to)!, message);
    await this.outbox!.publish(publish);
  }

  /**
   * Where a durable tick's message goes: published when its actor is elsewhere, stored with the
   * commit for a local mailbox with room, else a dead letter (never stored, so never handled).
   */
  private destination(message: BusMessage): Destination {
    const target = this.cells.get(message.to);
    if (!target) return 'publish';
    return this.admit(message, target) ? 'deliver' : 'drop';
  }

  /** The actor vanished from the state port: its waiting messages become dead letters. */
  private lose(cell: ActorCell): void {
    this.halt(cell);
    this.cells.delete(cell.id);
    const waiting = cell.mailbox?.drain() ?? [];
    // A head message whose tick already answered was delivered and handled, not lost.
    if (cell.sentForHead > 0) waiting.shift();
    for (const message of waiting) this.deadLetter(message, 'ACTOR_NOT_FOUND');
  }

  /**
   * The bus ticks send on without a store: a tick run again after it failed (its message stays
   * at the head of the mailbox) sends the same ids, `<message id>:<n>`; the ones an earlier run
   * already sent are skipped, so nothing is answered or delivered twice.
   */
  private sendingOnce(bus: MessageBus): MessageBus {
    return {
      send: (message) => {
        const cell = this.cells.get(message.from);
        const head = cell?.mailbox?.peek()?.id;
        if (cell && head !== undefined && message.id?.startsWith(head) === true) {
          const index = Number(message.id.slice(head.length + 1));
          if (message.id.charCodeAt(head.length) === 58 /* ':' */ && Number.isInteger(index)) {
            if (index < cell.sentForHead) return Promise.resolve();
            cell.sentForHead = index + 1;
          }
        }
        return bus.send(message);
      },
      subscribe: (handler, options) => bus.subscribe(handler, options),
    };
  }

  /** The state port ticks run on; see `SpawnRegisteringState`. */
  private registeringSpawns(state: ActorStatePort): ActorStatePort {
    return new SpawnRegisteringState(state, this.spawned);
  }

  /** A `spawn` action created `actor`: it gets its mailbox at once. */
  private readonly spawned = (actor: Actor): void => {
    if (!this.cells.has(actor.id)) this.cells.set(actor.id, new ActorCell(actor.id));
  };

  /**
   * Where `once` tool results are remembered: in the actor's cell until its tick completes, and
   * in the store when it keeps tool effects, so a tick replayed after a restart finds them.
   */
  private onceResults(): OnceResults {
    const store = this.store;
    let warned = false;
    return {
      get: async (key, actorId) => {
        const remembered = actorId === undefined ? undefined : this.cells.get(actorId)?.onceResults;
        if (remembered?.has(key)) return { result: remembered.get(key) };
        return store?.toolEffect ? store.toolEffect(key) : undefined;
      },
      put: async (key, actorId, result) => {
        const cell = actorId === undefined ? undefined : this.cells.get(actorId);
        if (cell) {
          cell.onceResults ??= new Map();
          cell.onceResults.set(key, result);
        }
        if (!store) return;
        if (!store.recordToolEffect) {
          if (!warned) {
            warned = true;
            this.log('The store keeps no tool effects: once tools are remembered in memory only', {
              level: 'warn',
            });
          }
          return;
        }
        // The tool ran: its result counts even if the record fails; the tick goes on.
        await store.recordToolEffect(key, result).catch((error: unknown) =>
          this.log('Could not record the result of a once tool', {
            level: 'error',
            actorId,
            idempotencyKey: key,
            error: errorMessage(error),
          }),
        );
      },
    };
  }

  /**
   * Budgets a message `sendMessage` is about to enqueue: opens its conversation's budget (the
   * send's, else the system's) unless it has one, refuses it when the conversation is over budget
   * (`BUDGET_EXCEEDED`), and makes it carry the ledger.
   */
  private budgetSend(message: BusMessage, options: SendMessageOptions): void {
    const conversationId = message.conversationId as string;
    const limit = options.budget ?? this.defaultBudget;
    const ledger = limit
      ? this.budgets.open(conversationId, limit)
      : this.budgets.get(conversationId);
    if (!ledger) return;
    const over = this.budgets.check(conversationId, ledger);
    if (over) {
      this.reportBudget(ledger, over, message.to);
      throw over;
    }
    message.metadata = { ...message.metadata, budget: ledger };
  }

  /** `BUDGET_EXCEEDED` (reported) when the message's conversation is over its budget. */
  private budgetError(message: BusMessage, actorId: string): PantheonError | undefined {
    if (!this.budgets.active && message.metadata?.budget === undefined) return undefined;
    const ledger = this.budgets.merge(message.conversationId, message.metadata?.budget);
    if (!ledger) return undefined;
    const over = this.budgets.check(message.conversationId as string, ledger);
    if (over) this.reportBudget(ledger, over, actorId);
    return over;
  }

  /** Emits `budget.exceeded` (and logs it), once per conversation. */
  private reportBudget(ledger: BudgetLedger, error: PantheonError, actorId: string): void {
    if (this.budgetsReported.has(ledger)) return;
    this.budgetsReported.add(ledger);
    const { conversationId, limit } = error.details as {
      conversationId: string;
      limit: keyof Budget;
    };
    this.log('Conversation over budget', { level: 'warn', conversationId, actorId, limit });
    this.events.emit('budget.exceeded', {
      conversationId,
      actorId,
      limit,
      budget: { ...ledger.limit },
      spent: { ...ledger.spent },
    });
  }

  /** Stops scheduling the actor; an actor waiting out a backoff no longer counts as busy. */
  private halt(cell: ActorCell): void {
    cell.started = false;
    cell.inBackoff = false;
    cell.stopInterval?.();
    cell.stopInterval = undefined;
    // No turn may follow to notice that the system went idle.
    queueMicrotask(() => this.turns.settleIdle());
  }
}
