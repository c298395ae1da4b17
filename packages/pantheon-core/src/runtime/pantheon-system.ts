import { checkActorScript } from '../actor-scripts';
import { BoundedLog } from '../bounded-log';
import { ActorError, ConfigError, errorMessage, PantheonError } from '../errors';
import { makeOrchestrator } from '../orchestrator/make-orchestrator';
import type { LogFunction, Orchestrator, TickInput } from '../orchestrator/types';
import type { ActorStatePort } from '../ports/actor-state-port';
import type { MailboxStore } from '../ports/mailbox-store';
import type { BusMessage, MessageBus } from '../ports/message-bus';
import type { Scheduler } from '../ports/scheduler';
import type { Actor } from '../types';
import { EventHub } from './event-hub';
import { Queue } from './queue';
import type {
  CreateActorOptions,
  DeadLetter,
  DeadLetterReason,
  PantheonSystemEvents,
  PantheonSystemOptions,
  RuntimeLimits,
  SendMessageOptions,
  ShutdownReport,
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
});

export const DEFAULT_SUPERVISION: Readonly<SupervisionOptions> = Object.freeze({
  maxFailures: 5,
  windowMs: 10_000,
  backoffMs: 100,
  maxBackoffMs: 30_000,
});

/** Messages an actor handles per turn before other ready actors get theirs. */
const MESSAGES_PER_TURN = 32;

const encoder = new TextEncoder();

/** Runtime bookkeeping of one actor; kept small, since idle actors cost memory. */
class ActorCell {
  mailbox: Queue<BusMessage> | undefined = undefined;
  sent: BoundedLog<BusMessage> | undefined = undefined;
  started = false;
  queued = false;
  inBackoff = false;
  idleTickDue = false;
  turn: Promise<void> | undefined = undefined;
  stopInterval: (() => void) | undefined = undefined;
  failures: number[] | undefined = undefined;
  consecutiveFailures = 0;

  constructor(readonly id: string) {}

  hasWork(): boolean {
    return (this.mailbox !== undefined && this.mailbox.size > 0) || this.idleTickDue;
  }
}

interface PendingAsk {
  actorId: string;
  resolve: (message: BusMessage) => void;
  reject: (error: PantheonError) => void;
  // biome-ignore lint/suspicious/noConfusingVoidType: what Scheduler.once returns.
  cancelTimer: (() => void) | void;
}

function hopsOf(message: BusMessage): number {
  const hops = message.metadata?.hops;
  return typeof hops === 'number' ? hops : 0;
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
  private readonly state: ActorStatePort;
  private readonly scheduler: Scheduler;
  private readonly now: () => number;
  private readonly log: LogFunction;
  private readonly limits: RuntimeLimits;
  private readonly supervision: SupervisionOptions;
  private readonly events: EventHub<PantheonSystemEvents>;
  private readonly cells = new Map<string, ActorCell>();
  private readonly ready = new Queue<ActorCell>();
  private readonly asks = new Map<string, PendingAsk>();
  private readonly deadLetters: DeadLetter[] = [];
  private readonly idleWaiters: Array<() => void> = [];
  private readonly unsubscribe: () => void;
  private readonly bus: MessageBus;
  private readonly store: MailboxStore | undefined;
  /** Per actor with a durable tick in progress: the messages that tick sent, held until commit. */
  private readonly outboxes = new Map<string, BusMessage[]>();
  private restored: Promise<void> | undefined;
  private publishRetryPending = false;
  /** Message ids: a random prefix per system and a counter, unique without a UUID per message. */
  private readonly idPrefix = `${crypto.randomUUID()}.`;
  private sentCount = 0;
  private active = 0;
  private closed = false;

  constructor(options: PantheonSystemOptions) {
    const log = options.log ?? (() => {});
    this.log = log;
    this.now = options.now ?? Date.now;
    this.state = options.actorStateAdapter;
    this.scheduler = options.scheduler;
    this.limits = { ...DEFAULT_RUNTIME_LIMITS, ...options.limits };
    this.supervision = { ...DEFAULT_SUPERVISION, ...options.supervision };
    this.events = new EventHub<PantheonSystemEvents>(log);
    this.bus = options.messageBus;
    this.store = options.store;
    this.orchestrator = makeOrchestrator({
      now: this.now,
      log,
      context: options.contextAdapter,
      tools: options.toolAdapter,
      llm: options.llmAdapter,
      bus: this.store ? this.tickBus() : options.messageBus,
      schedule: options.scheduler,
      state: options.actorStateAdapter,
      hooks: options.hooks,
      limits: options.limits,
    });
    this.unsubscribe = options.messageBus.subscribe((message) => this.route(message));
  }

  /** Creates an actor in the state port (validating its script) and registers its mailbox. */
  async createActor(options: CreateActorOptions): Promise<Actor> {
    this.assertOpen();
    await this.restore();
    checkActorScript(options.script);
    if (!Array.isArray(options.goals) || options.goals.some((goal) => typeof goal !== 'string')) {
      throw new ConfigError('createActor needs goals as an array of strings', { field: 'goals' });
    }
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
    this.assertOpen();
    await this.restore();
    const cell = await this.cellFor(id);
    if (cell.started) return;
    await this.state.update(id, { state: 'idle' });
    cell.started = true;
    cell.failures = undefined;
    cell.consecutiveFailures = 0;
    if (options.intervalMs !== undefined) {
      cell.stopInterval = this.scheduler.every(options.intervalMs, () => {
        cell.idleTickDue = true;
        this.schedule(cell);
      });
    }
    this.events.emit('actor.started', { actorId: id });
    this.schedule(cell);
  }

  /** Stops the actor after its current tick; its mailbox is kept for the next `startActor`. */
  async stopActor(id: string): Promise<void> {
    const cell = await this.cellFor(id);
    if (!cell.started) return;
    this.halt(cell);
    await cell.turn;
    await this.state.update(id, { state: 'stopped' });
    this.events.emit('actor.stopped', { actorId: id });
  }

  /**
   * Puts a message in the actor's mailbox and returns its id. Rejects with `ACTOR_NOT_FOUND`,
   * `MESSAGE_TOO_LARGE` or `MAILBOX_FULL`; a rejected message is not enqueued.
   */
  async sendMessage(
    id: string,
    content: string,
    options: SendMessageOptions = {},
  ): Promise<string> {
    this.assertOpen();
    if (typeof content !== 'string') {
      throw new ActorError(
        'Message content must be a string',
        id,
        { received: typeof content },
        {
          code: 'INVALID_MESSAGE',
        },
      );
    }
    this.assertSize(id, content);
    if (this.store) await this.restore();
    const cell = this.cells.get(id) ?? (await this.cellFor(id));
    const message: BusMessage = {
      id: this.idPrefix + (this.sentCount++).toString(36),
      from: options.from ?? 'user',
      to: id,
      content,
      timestamp: this.now(),
      correlationId: options.correlationId,
    };
    this.assertCapacity(cell, message);
    // Once stored, a message is accepted: rejecting it now would report a loss that a restart undoes.
    if (this.store && !(await this.store.enqueue(message))) return message.id as string;
    this.push(cell, message);
    return message.id as string;
  }

  /** Sends `content` and resolves with the actor's first message carrying the same correlation id. */
  ask(
    id: string,
    content: string,
    options: { timeoutMs?: number; from?: string } = {},
  ): Promise<BusMessage> {
    const correlationId = crypto.randomUUID();
    const timeoutMs = options.timeoutMs ?? 30_000;
    return new Promise<BusMessage>((resolve, reject) => {
      const pending: PendingAsk = { actorId: id, resolve, reject, cancelTimer: undefined };
      this.asks.set(correlationId, pending);
      pending.cancelTimer = this.scheduler.once(timeoutMs, () => {
        if (!this.asks.delete(correlationId)) return;
        reject(
          new ActorError(
            `No reply from actor "${id}" within ${timeoutMs} ms`,
            id,
            { timeoutMs, correlationId },
            {
              code: 'ASK_TIMEOUT',
            },
          ),
        );
      });
      this.sendMessage(id, content, { from: options.from, correlationId }).catch(
        (error: PantheonError) => {
          this.asks.delete(correlationId);
          pending.cancelTimer?.();
          reject(error);
        },
      );
    });
  }

  /** Everything the actor sent, to any target, in order (the last `messageLogLimit`). */
  async getActorMessages(id: string): Promise<BusMessage[]> {
    return (await this.cellFor(id)).sent?.last() ?? [];
  }

  /** Messages waiting in the actor's mailbox, oldest first. */
  async getMailbox(id: string): Promise<BusMessage[]> {
    return (await this.cellFor(id)).mailbox?.toArray() ?? [];
  }

  /** Messages that could not be delivered, with the reason. */
  getDeadLetters(): DeadLetter[] {
    return [...this.deadLetters];
  }

  /** Subscribes to runtime events; returns the function that unsubscribes. */
  on<K extends keyof PantheonSystemEvents>(
    event: K,
    handler: (payload: PantheonSystemEvents[K]) => void,
  ): () => void {
    return this.events.on(event, handler);
  }

  /** Resolves once no started actor has anything left to process and no tick runs. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops taking messages, lets started actors drain their mailboxes (up to `timeoutMs`), stops
   * every actor and reports the messages still waiting; they also become dead letters with reason
   * `SHUTDOWN`. Pending `ask`s reject.
   */
  async shutdown(options: { drain?: boolean; timeoutMs?: number } = {}): Promise<ShutdownReport> {
    if (this.closed) return { pending: [] };
    const { drain = true, timeoutMs = 10_000 } = options;
    if (drain) {
      let timedOut: () => void = () => {};
      const timeout = new Promise<void>((resolve) => {
        timedOut = resolve;
      });
      const cancel = this.scheduler.once(timeoutMs, () => timedOut());
      await Promise.race([this.whenIdle(), timeout]);
      cancel?.();
    }
    this.closed = true;
    for (const cell of this.cells.values()) this.halt(cell);
    await Promise.all([...this.cells.values()].map((cell) => cell.turn));
    this.unsubscribe();
    for (const [correlationId, pending] of this.asks) {
      pending.cancelTimer?.();
      pending.reject(
        new ActorError(
          'The system shut down before the actor replied',
          pending.actorId,
          { correlationId },
          {
            code: 'SYSTEM_SHUT_DOWN',
          },
        ),
      );
    }
    this.asks.clear();
    const pending: DeadLetter[] = [];
    for (const cell of this.cells.values()) {
      for (const message of cell.mailbox?.drain() ?? []) {
        const letter: DeadLetter = { message, reason: 'SHUTDOWN' };
        pending.push(letter);
        this.recordDeadLetter(letter);
      }
    }
    return { pending };
  }

  /** With a store, the bus ticks send on: holds each durable tick's messages until it commits. */
  private tickBus(): MessageBus {
    return {
      send: async (message) => {
        const outbox = this.outboxes.get(message.from);
        if (outbox) outbox.push(message);
        else await this.bus.send(message);
      },
      subscribe: (handler, options) => this.bus.subscribe(handler, options),
    };
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
      for (const message of await store.pending()) {
        const cell = await this.cellFor(message.to).catch(() => undefined);
        if (!cell) continue;
        cell.mailbox ??= new Queue();
        cell.mailbox.push(message);
      }
      await this.publish(await store.unpublished());
    })().catch((error: unknown) => {
      this.restored = undefined; // let the next call try again, e.g. once the database is back
      throw error;
    });
    return this.restored;
  }

  /** Publishes what the store still holds as unpublished, after a backoff that doubles per failure. */
  private retryPublishing(error: unknown, attempt: number): void {
    if (this.publishRetryPending || this.closed) return;
    this.publishRetryPending = true;
    const { backoffMs, maxBackoffMs } = this.supervision;
    const delay = Math.min(backoffMs * 2 ** (attempt - 1), maxBackoffMs);
    this.log('Publishing committed messages failed; retrying', {
      attempt,
      delay,
      error: errorMessage(error),
    });
    this.scheduler.once(delay, () => {
      this.publishRetryPending = false;
      this.store
        ?.unpublished()
        .then((messages) => this.publish(messages))
        .catch((retryError: unknown) => this.retryPublishing(retryError, attempt + 1));
    });
  }

  private async publish(messages: readonly BusMessage[]): Promise<void> {
    if (messages.length === 0) return;
    for (const message of messages) await this.bus.send(message);
    await this.store?.markPublished(messages.map((message) => message.id as string));
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new PantheonError('The Pantheon system has shut down', 'SYSTEM_SHUT_DOWN');
    }
  }

  private assertSize(id: string, content: string): void {
    const max = this.limits.maxMessageBytes;
    // A UTF-16 code unit is at most 3 UTF-8 bytes, so short strings need no encoding.
    if (content.length * 3 <= max) return;
    const bytes = content.length > max ? content.length : encoder.encode(content).length;
    if (bytes > max) {
      throw new ActorError(
        `Message of ${bytes} bytes exceeds maxMessageBytes (${max})`,
        id,
        { bytes, max },
        {
          code: 'MESSAGE_TOO_LARGE',
        },
      );
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
    this.schedule(cell);
  }

  private assertCapacity(cell: ActorCell, message: BusMessage): void {
    if (cell.mailbox !== undefined && cell.mailbox.size >= this.limits.mailboxCapacity) {
      throw new ActorError(
        `Mailbox of actor "${cell.id}" is full (${this.limits.mailboxCapacity} messages)`,
        cell.id,
        { capacity: this.limits.mailboxCapacity, messageId: message.id },
        { code: 'MAILBOX_FULL' },
      );
    }
  }

  /** Handles every bus message: notes what actors sent, and delivers to mailboxes. */
  private route(message: BusMessage): void | Promise<void> {
    this.observeSent(message);
    const target = this.cells.get(message.to);
    if (!target || !this.admit(message)) return;
    if (!this.store) return this.deliver(target, message);
    return this.store.enqueue(message).then((fresh) => {
      if (fresh) this.deliver(target, message);
    });
  }

  /** Logs what an actor sent, answers the matching `ask`, and emits `reply` for outside targets. */
  private observeSent(message: BusMessage): void {
    const sender = this.cells.get(message.from);
    if (!sender) return;
    sender.sent ??= new BoundedLog(this.limits.messageLogLimit);
    sender.sent.push(message);
    if (message.correlationId !== undefined) {
      const pending = this.asks.get(message.correlationId);
      if (pending && pending.actorId === message.from) {
        this.asks.delete(message.correlationId);
        pending.cancelTimer?.();
        pending.resolve(message);
      }
    }
    if (!this.cells.has(message.to) && this.events.has('reply')) {
      this.events.emit('reply', { actorId: sender.id, message });
    }
  }

  /** False (and a dead letter) for a message past the hop limit or arriving after shutdown. */
  private admit(message: BusMessage): boolean {
    if (hopsOf(message) > this.limits.maxHops) this.deadLetter(message, 'HOP_LIMIT');
    else if (this.closed) this.deadLetter(message, 'SHUTDOWN');
    else return true;
    return false;
  }

  private deliver(target: ActorCell, message: BusMessage): void {
    try {
      this.enqueue(target, message);
    } catch {
      this.deadLetter(message, 'MAILBOX_FULL');
    }
  }

  private deadLetter(message: BusMessage, reason: DeadLetterReason): void {
    const letter = { message, reason };
    this.recordDeadLetter(letter);
    this.events.emit('deadletter', letter);
  }

  private recordDeadLetter(letter: DeadLetter): void {
    this.deadLetters.push(letter);
    if (this.deadLetters.length > this.limits.deadLetterLimit) this.deadLetters.shift();
  }

  private schedule(cell: ActorCell): void {
    if (cell.queued || cell.turn || !cell.started || cell.inBackoff || !cell.hasWork()) return;
    cell.queued = true;
    this.ready.push(cell);
    this.pump();
  }

  private pump(): void {
    while (this.active < this.limits.maxConcurrentTicks) {
      const cell = this.ready.shift();
      if (!cell) break;
      cell.queued = false;
      if (!cell.started || cell.inBackoff) continue;
      this.active++;
      cell.turn = this.runTurn(cell).finally(() => {
        cell.turn = undefined;
        this.active--;
        this.schedule(cell);
        this.pump();
        if (this.idleWaiters.length > 0 && this.isIdle()) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
        }
      });
    }
  }

  private isIdle(): boolean {
    if (this.active > 0 || this.ready.size > 0) return false;
    for (const cell of this.cells.values()) {
      if (cell.started && cell.hasWork()) return false;
    }
    return true;
  }

  private async runTurn(cell: ActorCell): Promise<void> {
    for (let handled = 0; handled < MESSAGES_PER_TURN; handled++) {
      if (!cell.started || cell.inBackoff) return;
      const message = cell.mailbox?.peek();
      if (!message && !cell.idleTickDue) return;
      let input: TickInput | undefined;
      if (message) {
        input = {
          userMessage: message.content,
          from: message.from === 'user' ? undefined : message.from,
          correlationId: message.correlationId,
          messageId: message.id,
          metadata: { hops: hopsOf(message) + 1, causationId: message.id },
        };
      } else {
        cell.idleTickDue = false;
      }
      const outbox = this.store ? this.beginDurableTick(cell.id) : undefined;
      try {
        const actor = await this.state.get(cell.id);
        if (!actor) {
          this.store?.abortTick(cell.id);
          this.lose(cell);
          return;
        }
        if (!input && (actor.state === 'completed' || actor.state === 'paused')) {
          this.store?.abortTick(cell.id);
          continue;
        }
        const result = await this.orchestrator.tickActor(actor, input);
        if (outbox) await this.commitDurableTick(cell.id, message?.id, outbox);
        if (message) cell.mailbox?.shift();
        if (result.state === 'failed') this.onFailure(cell, result.errors[0]!);
        else cell.consecutiveFailures = 0;
      } catch (error) {
        // The tick itself failed (a port is down): the message stays at the head of the mailbox.
        this.store?.abortTick(cell.id);
        this.onFailure(
          cell,
          PantheonError.isInstance(error)
            ? error
            : new ActorError(`Tick failed: ${errorMessage(error)}`, cell.id, undefined, {
                cause: error,
              }),
        );
      } finally {
        if (outbox) this.outboxes.delete(cell.id);
      }
    }
  }

  private beginDurableTick(actorId: string): BusMessage[] {
    const outbox: BusMessage[] = [];
    this.outboxes.set(actorId, outbox);
    this.store!.beginTick(actorId);
    return outbox;
  }

  /**
   * Commits the tick's writes with the acknowledgement of its message, then hands its messages
   * on: to local mailboxes (already stored by the commit) and to the bus for everyone else.
   */
  private async commitDurableTick(
    actorId: string,
    messageId: string | undefined,
    outbox: BusMessage[],
  ) {
    const deliver: BusMessage[] = [];
    const publish: BusMessage[] = [];
    for (const message of outbox) {
      if (!this.cells.has(message.to)) publish.push(message);
      else if (this.admit(message)) deliver.push(message);
    }
    await this.store!.commitTick(actorId, messageId, deliver, publish);
    for (const message of outbox) this.observeSent(message);
    for (const message of deliver) this.deliver(this.cells.get(message.to)!, message);
    await this.publish(publish).catch((error: unknown) => this.retryPublishing(error, 1));
  }

  /** The actor vanished from the state port: its waiting messages become dead letters. */
  private lose(cell: ActorCell): void {
    this.halt(cell);
    this.cells.delete(cell.id);
    for (const message of cell.mailbox?.drain() ?? []) this.deadLetter(message, 'ACTOR_NOT_FOUND');
  }

  private onFailure(cell: ActorCell, error: PantheonError): void {
    const now = this.now();
    const { maxFailures, windowMs, backoffMs, maxBackoffMs } = this.supervision;
    const failures = (cell.failures ?? []).filter((at) => now - at < windowMs);
    failures.push(now);
    cell.failures = failures;
    if (failures.length >= maxFailures) {
      this.halt(cell);
      const actorId = cell.id;
      void this.state
        .update(actorId, { state: 'failed' })
        .catch((updateError: unknown) =>
          this.log('Could not mark the actor failed', {
            actorId,
            error: errorMessage(updateError),
          }),
        )
        .then(() =>
          this.events.emit('actor.failed', { actorId, error, failures: failures.length }),
        );
      return;
    }
    cell.consecutiveFailures++;
    const delay = Math.min(backoffMs * 2 ** (cell.consecutiveFailures - 1), maxBackoffMs);
    cell.inBackoff = true;
    this.events.emit('actor.restarted', {
      actorId: cell.id,
      error,
      attempt: cell.consecutiveFailures,
      backoffMs: delay,
    });
    this.scheduler.once(delay, () => {
      cell.inBackoff = false;
      this.schedule(cell);
    });
  }

  private halt(cell: ActorCell): void {
    cell.started = false;
    cell.inBackoff = false;
    cell.stopInterval?.();
    cell.stopInterval = undefined;
  }
}
