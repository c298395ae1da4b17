import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  createNatsMessageBus,
  type NatsDeadLetter,
  type NatsMessageBus,
} from '@promethean-os/pantheon-adapters/nats';
import {
  type ActorStatePort,
  type ApproveOptions,
  type BusHandler,
  type BusMessage,
  type ConfigError,
  type ContextPort,
  type DenyOptions,
  type MailboxStore,
  type MessageBus,
  PantheonError,
  PantheonSystem,
  type PantheonSystemEvents,
  type PantheonSystemOptions,
  type RuntimeStats,
  type ShutdownReport,
} from '@promethean-os/pantheon-core';
import type { Persistence } from '@promethean-os/pantheon-persistence';
import type { Lease, LeaseTable } from './leases';
import type { ClusterSubjects } from './partitioning';

/**
 * Whether an actor can run in this process: `'ready'` (registered with the partition's system),
 * `'missing'` (no such actor) or `'unrunnable'` (its script is not registered here).
 */
type Registration = 'ready' | 'missing' | 'unrunnable';

function unknownScript(error: unknown): error is ConfigError {
  return PantheonError.isInstance(error) && error.code === 'SCRIPT_NOT_FOUND';
}

/** A control message on a partition's subject: start or stop an actor. */
export const CONTROL_SENDER = '$pantheon-cluster';

/** What a partition runner needs from its cluster. */
export interface PartitionContext {
  node: string;
  connection: NatsConnection;
  persistence: Persistence;
  leases: LeaseTable;
  subjects: ClusterSubjects;
  /** The system options every partition shares (ports other than state, context, bus, store). */
  systemOptions: Omit<
    PantheonSystemOptions,
    'actorStateAdapter' | 'contextAdapter' | 'messageBus' | 'store'
  >;
  inPartition(actorId: string, partition: number): boolean;
  /** Publishes a message a tick sent: to its actor's partition, or as a reply. */
  publish(message: BusMessage): Promise<void>;
  /** Hands a runtime event of this partition to every process of the cluster. */
  emit<K extends keyof PantheonSystemEvents>(name: K, payload: PantheonSystemEvents[K]): void;
  /** A malformed message on the partition's subject. */
  malformed(letter: NatsDeadLetter): void;
  /** A message for an actor that does not exist. */
  unknownActor(message: BusMessage): void;
  ackWaitMs: number;
  handoverTimeoutMs: number;
  log: NonNullable<PantheonSystemOptions['log']>;
}

/**
 * The events of a partition's system that every process of the cluster sees: all but `reply`,
 * which the cluster reads off the reply subjects. (A record, so that a new runtime event does
 * not compile until it is listed.)
 */
const FORWARDED_EVENTS: Record<Exclude<keyof PantheonSystemEvents, 'reply'>, true> = {
  deadletter: true,
  'actor.started': true,
  'actor.stopped': true,
  'actor.failed': true,
  'actor.restarted': true,
  'approval.requested': true,
  'approval.decided': true,
  'budget.exceeded': true,
  'tick.interrupted': true,
};

/** A request to a partition's owner to decide one of its approvals (`PantheonCluster.approve`). */
export type DecisionRequest =
  | { id: string; decision: 'approve'; options: ApproveOptions }
  | { id: string; decision: 'deny'; options: DenyOptions };

/** The owner's answer: done, or the error `approve`/`deny` rejected with. */
export type DecisionReply =
  | { ok: true }
  | { error: { code: string; message: string; details?: Record<string, unknown> } };

/**
 * One owned partition: a `PantheonSystem` over the partition's actors, with the durable store
 * of the cluster's database (its ticks fenced by the partition's lease), fed by the partition's
 * durable JetStream consumer. A message is acknowledged to JetStream once it is stored in the
 * durable mailbox; it is handled from there.
 */
export class PartitionRunner {
  private system: PantheonSystem | undefined;
  private store: MailboxStore | undefined;
  private consumer: NatsMessageBus | undefined;
  private readonly handlers = new Set<BusHandler>();
  /** One lookup per actor, shared by its messages so they stay in order behind it. */
  private readonly registrations = new Map<string, Promise<Registration>>();
  /** Actors reported as not runnable here (their script is not registered). */
  private readonly unrunnable = new Set<string>();
  private decisions: Subscription | undefined;
  private lost = false;
  private starting: Promise<void> | undefined;

  constructor(
    private readonly context: PartitionContext,
    readonly lease: Lease,
  ) {}

  get partition(): number {
    return this.lease.partition;
  }

  /** Starts the partition's system, its started actors (restoring what the store kept), then consuming. */
  start(): Promise<void> {
    this.starting ??= this.open();
    return this.starting;
  }

  private async open(): Promise<void> {
    const { persistence, subjects } = this.context;
    const state = this.scopedState();
    const store = this.scopedStore(state);
    this.store = store;
    const bus: MessageBus = {
      send: (message) => this.context.publish(message),
      subscribe: (handler) => {
        this.handlers.add(handler);
        return () => {
          this.handlers.delete(handler);
        };
      },
    };
    const system = new PantheonSystem({
      ...this.context.systemOptions,
      actorStateAdapter: state,
      contextAdapter: persistence.context,
      messageBus: bus,
      store,
    });
    this.system = system;
    for (const name of Object.keys(FORWARDED_EVENTS) as (keyof typeof FORWARDED_EVENTS)[]) {
      system.on(name, (payload) => this.context.emit(name, payload as never));
    }
    // Approvals of this partition's actors are decided here, whichever process asks.
    this.decisions = this.context.connection.subscribe(subjects.decisions(this.partition), {
      callback: (error, request) => {
        if (!error) void this.decide(system, request);
      },
    });
    for (const { id, intervalMs } of await this.context.leases.startedActors()) {
      if (!this.context.inPartition(id, this.partition)) continue;
      if ((await this.register(id)) === 'ready') await system.startActor(id, { intervalMs });
    }
    this.consumer = await createNatsMessageBus({
      connection: this.context.connection,
      stream: subjects.stream,
      consumer: {
        durableName: subjects.consumer(this.partition, this.lease.epoch),
        filterSubjects: [subjects.partition(this.partition)],
        ackWaitMs: this.context.ackWaitMs,
        takeOver: true,
        // The messages that queued up while one was stored go to the store together: each is
        // stored by the mailbox's group commit, all in one transaction, in their order.
        pipeline: true,
      },
      onHandlerFailure: 'retry',
      onHandlerError: (error, message) =>
        this.context.log('Storing a cluster message failed; retrying', {
          level: 'warn',
          partition: this.partition,
          messageId: message.id,
          code: PantheonError.isInstance(error) ? error.code : undefined,
          error: error instanceof Error ? error.message : String(error),
        }),
      onDeadLetter: (letter) => this.context.malformed(letter),
    });
    this.consumer.subscribe((message) => this.receive(message));
    // A consumer that cannot be created (e.g. taken over again meanwhile) fails the takeover.
    await this.consumer.ready();
  }

  /** Starts (with its idle-tick interval, if any) or stops an actor of this partition. */
  async control(actorId: string, command: 'start' | 'stop', intervalMs?: number): Promise<void> {
    const system = this.system;
    if (!system || this.lost) return;
    if ((await this.register(actorId)) !== 'ready') return;
    if (command === 'start') await system.startActor(actorId, { intervalMs });
    else await system.stopActor(actorId);
  }

  /** Removes from the stream the messages of this partition that it stored (see `StreamTrimmer`). */
  trimHandled(): Promise<number> {
    return this.consumer?.trimHandled() ?? Promise.resolve(0);
  }

  /** The partition's system's read-out, once it runs. */
  stats(): RuntimeStats | undefined {
    return this.system?.getRuntimeStats();
  }

  /**
   * Stops the partition: consuming first (messages being stored finish), then the system — with
   * `drain`, after its actors emptied their mailboxes (up to `timeoutMs`, default
   * `handoverTimeoutMs`); what is left stays in the store for the next owner, as the report says.
   */
  async stop(drain: boolean, timeoutMs?: number): Promise<ShutdownReport | undefined> {
    if (!drain) this.lost = true;
    // Stopped while starting (e.g. its lease ran out meanwhile): once started, stopped as usual.
    await this.starting?.catch(() => undefined);
    this.decisions?.unsubscribe();
    await this.consumer?.close();
    // What it stored since the last trim leaves the stream with it (stored, so safe to delete
    // even when the partition was lost); a failure leaves them to the stream's limits.
    await this.consumer?.trimHandled().catch(() => 0);
    const report = await this.system?.shutdown({
      drain,
      timeoutMs: timeoutMs ?? this.context.handoverTimeoutMs,
    });
    this.lost = true;
    return report;
  }

  /** Decides an approval a process of the cluster asked for, and answers it. */
  private async decide(system: PantheonSystem, request: Msg): Promise<void> {
    let reply: DecisionReply;
    try {
      const { id, decision, options } = request.json<DecisionRequest>();
      if (decision === 'approve') await system.approve(id, options);
      else await system.deny(id, options);
      reply = { ok: true };
    } catch (error) {
      reply = PantheonError.isInstance(error)
        ? { error: { code: error.code, message: error.message, details: error.details } }
        : { error: { code: 'INVALID_ARGUMENT', message: String(error) } };
    }
    request.respond(JSON.stringify(reply));
  }

  private async receive(message: BusMessage): Promise<void> {
    if (this.lost) throw new PantheonError('The partition was lost', 'PARTITION_LOST');
    if (message.from === CONTROL_SENDER) {
      const command = message.content === 'stop' ? 'stop' : 'start';
      const intervalMs = message.metadata?.intervalMs;
      await this.control(
        message.to,
        command,
        typeof intervalMs === 'number' ? intervalMs : undefined,
      );
      return;
    }
    const registration = await this.register(message.to);
    if (registration === 'missing') {
      this.context.unknownActor(message);
      return;
    }
    if (registration === 'unrunnable') {
      // Kept in its durable mailbox for an owner that has its script.
      await this.store?.enqueue(message);
      return;
    }
    for (const handler of this.handlers) await handler(message);
  }

  /**
   * Makes the system know the actor (stored by any process). Only `'ready'` is remembered: an
   * actor created later, or whose script this process gets later, is looked up again.
   */
  private register(actorId: string): Promise<Registration> {
    let registration = this.registrations.get(actorId);
    if (!registration) {
      registration = this.load(actorId);
      this.registrations.set(actorId, registration);
      const forget = () => this.registrations.delete(actorId);
      registration.then((outcome) => outcome !== 'ready' && forget(), forget);
    }
    return registration;
  }

  private async load(actorId: string): Promise<Registration> {
    let actor: Awaited<ReturnType<Persistence['actors']['get']>>;
    try {
      actor = await this.context.persistence.actors.get(actorId);
    } catch (error) {
      if (!unknownScript(error)) throw error;
      this.reportUnrunnable(actorId, error);
      return 'unrunnable';
    }
    if (!actor || !this.system) return 'missing';
    await this.system.createActor({
      id: actor.id,
      name: actor.name ?? actor.id,
      script: actor.script,
      goals: actor.goals,
      ifExists: 'reuse',
    });
    return 'ready';
  }

  /**
   * An actor of this partition whose script this process does not have (e.g. during a rolling
   * deploy): reported once, as a warning and an `actor.failed` event of the cluster; its
   * messages stay in its durable mailbox for an owner that has the script.
   */
  private reportUnrunnable(actorId: string, error: ConfigError): void {
    if (this.unrunnable.has(actorId)) return;
    this.unrunnable.add(actorId);
    this.context.log(
      `Actor "${actorId}" cannot run in this process: ${error.message}. Its messages are kept in its durable mailbox for a process that has its script.`,
      { level: 'warn', actorId, partition: this.partition, code: error.code },
    );
    this.context.emit('actor.failed', { actorId, error, failures: 0 });
  }

  private fenced(): void {
    if (this.lost) {
      throw new PantheonError(
        `Partition ${this.partition} is no longer owned by this process`,
        'PARTITION_LOST',
        { partition: this.partition, epoch: this.lease.epoch },
      );
    }
  }

  /** The database's actors, listing only this partition's; writes stop once the partition is lost. */
  private scopedState(): ActorStatePort {
    const actors = this.context.persistence.actors;
    return {
      // Async, so a lost partition is a rejected promise, never a synchronous throw.
      spawn: async (script, goal, options) => {
        this.fenced();
        return actors.spawn(script, goal, options);
      },
      list: () =>
        actors.list({
          where: (id) => this.context.inPartition(id, this.partition),
          onUnknownScript: (error) => this.reportUnrunnable(String(error.details?.actorId), error),
        }),
      get: (id) => actors.get(id),
      update: async (id, patch) => {
        this.fenced();
        return actors.update(id, patch);
      },
    };
  }

  /** The database's mailbox, scoped to this partition, every tick fenced by the lease. */
  private scopedStore(state: ActorStatePort): MailboxStore {
    const { persistence, leases } = this.context;
    const mailbox = persistence.mailbox;
    const mine = (actorId: string) => this.context.inPartition(actorId, this.partition);
    const lost = () =>
      new PantheonError(
        `Partition ${this.partition} was taken over (epoch ${this.lease.epoch} is stale): the tick is not committed; the new owner replays it`,
        'PARTITION_LOST',
        { partition: this.partition, epoch: this.lease.epoch },
      );
    return {
      // Fenced too: once a newer owner restored the mailbox, this process may store nothing more.
      enqueue: (message) => mailbox.enqueue(message, { guard: leases.fence(this.lease, lost) }),
      pending: async () => (await mailbox.pending()).filter((message) => mine(message.to)),
      unpublished: async () =>
        (await mailbox.unpublished()).filter((message) => mine(message.from)),
      beginTick: (actorId) => mailbox.beginTick(actorId, { guard: leases.fence(this.lease, lost) }),
      markPublished: (ids) => mailbox.markPublished(ids),
      owns: (port: ActorStatePort | ContextPort) => port === state || mailbox.owns(port),
      approvals: async () => (await mailbox.approvals()).filter((record) => mine(record.actorId)),
      approval: (id) => mailbox.approval(id),
      decideApproval: (id, decision, message) => mailbox.decideApproval(id, decision, message),
      toolEffect: (key) => mailbox.toolEffect(key),
      recordToolEffect: (key, result) => mailbox.recordToolEffect(key, result),
    };
  }
}
