import { jetstreamManager, StorageType } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  createNatsMessageBus,
  type NatsDeadLetter,
  type NatsMessageBus,
} from '@promethean-os/pantheon-adapters/nats';
import {
  type Actor,
  ActorError,
  type ApproveOptions,
  type AskOptions,
  type BusMessage,
  ConfigError,
  type CreateActorOptions,
  consoleLog,
  type DeadLetterReason,
  type DenyOptions,
  type LogFunction,
  PantheonError,
  type PantheonErrorCode,
  PantheonSystem,
  type PantheonSystemEvents,
  type PantheonSystemOptions,
  type PendingApproval,
  type RuntimeLimits,
  type RuntimeStats,
  type SendMessageOptions,
  type ShutdownReport,
} from '@promethean-os/pantheon-core';
import {
  approvalError,
  callerMetadata,
  checkContent,
  checkSendOptions,
  DEFAULT_RUNTIME_LIMITS,
  errorMessage,
  invalidArgument,
  pendingApprovalOf,
  startLedger,
} from '@promethean-os/pantheon-core/adapter-kit';
import type { Persistence } from '@promethean-os/pantheon-persistence';
import { type Lease, LeaseTable } from './leases';
import {
  CONTROL_SENDER,
  type DecisionReply,
  type DecisionRequest,
  type PartitionContext,
  PartitionRunner,
} from './partition-runner';
import { type ClusterSubjects, clusterSubjects, partitionOf } from './partitioning';
import { PendingCounts } from './pending-counts';
import { StreamTrimmer } from './stream-trim';

/** Why the cluster could not deliver a message: the runtime's reasons, or a malformed payload. */
export type ClusterDeadLetterReason = DeadLetterReason | 'MALFORMED';

/** A message the cluster could not deliver, as every process of the cluster sees it. */
export interface ClusterDeadLetter {
  /** The message; for `MALFORMED`, what could be read of it (`from`/`to` may be empty). */
  message: BusMessage;
  reason: ClusterDeadLetterReason;
  /** For `MALFORMED`: why the payload was refused, and the raw payload. */
  detail?: { subject: string; data: string; reason: string };
}

/** Events of `PantheonCluster.on`: those of `PantheonSystem`, from every process of the cluster. */
export interface PantheonClusterEvents extends Omit<PantheonSystemEvents, 'deadletter'> {
  deadletter: ClusterDeadLetter;
  /** This process took a partition (`epoch` is its fencing epoch). */
  'partition.acquired': { partition: number; epoch: number; node: string };
  /** This process gave a partition up (`lost`: taken over without a handover). */
  'partition.released': { partition: number; epoch: number; node: string; lost: boolean };
}

/** An actor of the cluster as its database knows it: where it runs, whether it runs, what waits. */
export interface ClusterActorStatus {
  actor: Actor;
  /** Its partition: `partitionOf(actor.id, partitions)`. */
  partition: number;
  /** The process (`nodeId`) holding its partition's lease now; `null` between owners. */
  owner: string | null;
  /** Marked started for the whole cluster (`startActor`). */
  started: boolean;
  /** Messages stored in its durable mailbox and not handled yet (the one in a tick included). */
  pending: number;
}

/** Options of `PantheonCluster.on`. */
export interface ClusterEventOptions {
  /**
   * Only the events that arise in this process: those of the partitions it owns (actor events,
   * dead letters), its partition moves, and the replies it reads (every process reads every
   * reply once it asks or has a `reply` handler). Default false: the events of every process.
   * Per-process metrics want `true`.
   */
  local?: boolean;
}

/** Options of `PantheonCluster.shutdown`. */
export interface ClusterShutdownOptions {
  /**
   * How long each owned partition's actors may work through their mailboxes before it is
   * handed over (what is left stays in the database for the next owner). Default
   * `timing.handoverTimeoutMs`.
   */
  timeoutMs?: number;
}

/** Tuning of ownership and fail-over. */
export interface ClusterTiming {
  /** How long a lease lasts without renewal: a dead process's partitions move after this. Default 1,500 ms. */
  leaseMs: number;
  /** How often a process renews its leases and rebalances. Default 250 ms. */
  heartbeatMs: number;
  /** JetStream ack wait of the partition consumers. Default 10,000 ms. */
  ackWaitMs: number;
  /** Longest wait for a partition's actors to finish their mailboxes when handing it over. Default 5,000 ms. */
  handoverTimeoutMs: number;
  /**
   * How long a publish keeps trying while NATS cannot be reached before it fails with
   * `BUS_UNAVAILABLE`: `sendMessage` rejects, a tick's committed messages stay in the outbox
   * and are published again later. Default 5,000 ms.
   */
  publishTimeoutMs: number;
  /**
   * How often a process removes from the stream what no one needs anymore: the messages of its
   * partitions that it stored in PostgreSQL, and the replies older than this (every process's
   * reply reader has taken them by then). Default 30,000 ms.
   */
  trimIntervalMs: number;
}

/** Options of `PantheonCluster`. */
export interface PantheonClusterOptions
  extends Omit<
    PantheonSystemOptions,
    'actorStateAdapter' | 'contextAdapter' | 'messageBus' | 'store'
  > {
  /** The cluster's name: its JetStream stream, subject prefix and rows in the lease tables. Same in every process. */
  name: string;
  /** A NATS connection with JetStream; the cluster never closes it. */
  connection: NatsConnection;
  /** PostgreSQL persistence (`openPostgresPersistence`), the same database in every process. */
  persistence: Persistence;
  /** Number of partitions; the same in every process for the life of the cluster. Default 16. */
  partitions?: number;
  /** This process's id in the cluster; default a random UUID. */
  nodeId?: string;
  /**
   * `false` for a client: it sends, asks, starts and stops actors and sees the cluster's events,
   * but owns no partition and runs no actor (e.g. a web server in front of the cluster).
   * Default true.
   */
  member?: boolean;
  timing?: Partial<ClusterTiming>;
}

const DEFAULT_TIMING: ClusterTiming = {
  leaseMs: 1_500,
  heartbeatMs: 250,
  ackWaitMs: 10_000,
  handoverTimeoutMs: 5_000,
  publishTimeoutMs: 5_000,
  trimIntervalMs: 30_000,
};

/**
 * `ConfigError` `CONFIG_ERROR` (naming `details.field`) for options a cluster cannot run with: a
 * name that cannot be a JetStream stream and subject token, a partition count that is not a
 * whole number from 1, a timing that is not a positive number of milliseconds, or a heartbeat
 * not shorter than the lease (the processes would lose their partitions between two renewals).
 */
function checkClusterOptions(name: unknown, partitions: number, timing: ClusterTiming): void {
  const refuse = (field: string, message: string) => {
    throw new ConfigError(`PantheonCluster: ${field} ${message}`, { field });
  };
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(name)) {
    refuse('name', `must be letters, digits, "_" or "-" (got ${JSON.stringify(name)})`);
  }
  if (!(Number.isSafeInteger(partitions) && partitions >= 1)) {
    refuse('partitions', `must be a whole number, at least 1 (got ${String(partitions)})`);
  }
  for (const [field, value] of Object.entries(timing)) {
    if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
      refuse(`timing.${field}`, `must be a positive number of milliseconds (got ${String(value)})`);
    }
  }
  if (timing.heartbeatMs >= timing.leaseMs) {
    refuse(
      'timing.heartbeatMs',
      `(${timing.heartbeatMs} ms) must be shorter than timing.leaseMs (${timing.leaseMs} ms), or the processes lose their partitions between two renewals`,
    );
  }
}

/** How long an address found not to be an actor is taken for one without asking the database. */
const NOT_ACTOR_TTL_MS = 5_000;

const decoder = new TextDecoder();

interface PendingAsk {
  resolve(message: BusMessage): void;
  reject(error: PantheonError): void;
  replyTo: string;
  timer: ReturnType<typeof setTimeout>;
}

/** An event as it travels between processes: errors as `{ name, code, message }`. */
interface WireEvent {
  name: keyof PantheonClusterEvents;
  payload: Record<string, unknown>;
  /** The process it arose in. */
  node?: string;
}

interface EventHandler {
  handle(payload: never): void;
  local: boolean;
}

function toWire(payload: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    out[key] = PantheonError.isInstance(value)
      ? { $error: true, name: value.name, code: value.code, message: value.message }
      : value;
  }
  return out;
}

function fromWire(payload: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    const error = value as { $error?: boolean; code?: PantheonErrorCode; message?: string };
    out[key] =
      error && typeof error === 'object' && error.$error
        ? new PantheonError(error.message ?? '', error.code ?? 'ACTOR_ERROR')
        : value;
  }
  return out;
}

/**
 * Pantheon across processes and machines: the surface of `PantheonSystem` (`createActor`,
 * `startActor`, `sendMessage`, `ask`, `on`, `getDeadLetters`, `stopActor`, `shutdown`),
 * callable from any process of the cluster for any actor. Actors map to partitions; each
 * partition has one owner process at a time, by a lease row in PostgreSQL whose fencing epoch
 * every tick's commit checks. The owner runs the partition's actors in a `PantheonSystem` on the
 * durable store; messages travel on NATS JetStream with `Nats-Msg-Id` set to the message id, and
 * the owner stores them in the durable mailbox before acknowledging them. A process that dies
 * loses its leases when they expire and the others take its partitions and replay what it had
 * not committed; a process that joins gets partitions handed over.
 *
 * @example
 * const connection = await connect({ servers: 'nats://127.0.0.1:4222' });
 * const persistence = await openPostgresPersistence({ connectionString, schema: 'app', scripts });
 * const cluster = await PantheonCluster.start({ name: 'support', connection, persistence,
 *   llmAdapter, toolAdapter, scheduler: new NodeScheduler() });
 * await cluster.createActor({ id: 'triage', name: 'triage', script, goals: ['Route tickets'] });
 * await cluster.startActor('triage');
 * const answer = await cluster.ask('triage', 'I was charged twice', { timeoutMs: 30_000 });
 */
export class PantheonCluster {
  /** This process's id in the cluster. */
  readonly nodeId: string;
  private readonly partitions: number;
  private readonly timing: ClusterTiming;
  private readonly limits: RuntimeLimits;
  private readonly subjects: ClusterSubjects;
  private readonly leases: LeaseTable;
  private readonly mailboxCounts: PendingCounts;
  private readonly trimmer: StreamTrimmer;
  private readonly runners = new Map<number, PartitionRunner>();
  /** Handovers and abandons under way. */
  private readonly leaving = new Set<Promise<void>>();
  /** Partitions being taken (their runners are in `runners` already). */
  private readonly starting = new Set<Promise<void>>();
  private readonly draining = new Map<number, PartitionRunner>();
  private readonly handlers = new Map<string, Set<EventHandler>>();
  private readonly deadLetters: ClusterDeadLetter[] = [];
  private readonly asks = new Map<string, PendingAsk>();
  private readonly knownActors = new Set<string>();
  private readonly notActors = new Map<string, number>();
  private readonly log: LogFunction;
  private readonly nextId: () => string;
  private readonly front: PantheonSystem;
  private publisher!: NatsMessageBus;
  private replyPublisher!: NatsMessageBus;
  private replies!: NatsMessageBus;
  /** Reading the replies, from the first `ask` or `reply` handler on (see `readReplies`). */
  private readingReplies: Promise<void> | undefined;
  private events: Subscription | undefined;
  private heartbeat: ReturnType<typeof setTimeout> | undefined;
  private cycle: Promise<void> = Promise.resolve();
  private lastRenewal = Date.now();
  private closed = false;
  private heartbeatStopped = false;

  private constructor(private readonly options: PantheonClusterOptions) {
    this.nodeId = options.nodeId ?? crypto.randomUUID();
    this.partitions = options.partitions ?? 16;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    checkClusterOptions(options.name, this.partitions, this.timing);
    this.limits = { ...DEFAULT_RUNTIME_LIMITS, ...options.limits };
    this.subjects = clusterSubjects(options.name);
    this.log = options.log ?? consoleLog;
    this.nextId = options.ids ?? (() => crypto.randomUUID());
    this.leases = new LeaseTable(
      options.persistence.driver,
      options.name,
      this.nodeId,
      this.timing.leaseMs,
    );
    this.mailboxCounts = new PendingCounts(options.persistence.driver);
    this.trimmer = new StreamTrimmer(
      options.connection,
      this.subjects,
      this.timing.trimIntervalMs,
      () => [...this.runners.values()],
      this.log,
    );
    // Validates and stores new actors the way a single process does; it never runs them.
    this.front = new PantheonSystem({
      ...this.systemOptions(),
      actorStateAdapter: options.persistence.actors,
      contextAdapter: options.persistence.context,
      messageBus: { send: async () => {}, subscribe: () => () => {} },
    });
  }

  /**
   * Joins the cluster: creates the stream and lease tables when missing, starts consuming
   * replies and events, and takes this process's share of the partitions.
   */
  static async start(options: PantheonClusterOptions): Promise<PantheonCluster> {
    const cluster = new PantheonCluster(options);
    await cluster.join();
    return cluster;
  }

  private systemOptions(): PartitionContext['systemOptions'] {
    const {
      name: _name,
      connection: _connection,
      persistence: _persistence,
      partitions: _partitions,
      nodeId: _nodeId,
      timing: _timing,
      member: _member,
      ...system
    } = this.options;
    return { ...system, log: this.options.log ?? consoleLog };
  }

  private async join(): Promise<void> {
    const { connection } = this.options;
    const jsm = await jetstreamManager(connection);
    // Messages to partitions and replies; events travel on core NATS only, never stored.
    const subjects = [this.subjects.partition('*'), `${this.subjects.replies}.>`];
    try {
      const { config } = await jsm.streams.info(this.subjects.stream);
      // A stream made by an earlier version took every subject of the cluster, events too.
      if (config.subjects?.join() !== subjects.join()) {
        await jsm.streams.update(this.subjects.stream, { subjects });
      }
    } catch {
      await jsm.streams
        .add({ name: this.subjects.stream, subjects, storage: StorageType.File })
        .catch(() => jsm.streams.info(this.subjects.stream));
    }
    await this.leases.install(this.partitions);
    const stream = this.subjects.stream;
    this.publisher = await createNatsMessageBus({
      connection,
      stream,
      subjectOf: (message) => this.subjects.partition(partitionOf(message.to, this.partitions)),
      publishTimeoutMs: this.timing.publishTimeoutMs,
    });
    this.replyPublisher = await createNatsMessageBus({
      connection,
      stream,
      subjectPrefix: this.subjects.replies,
      publishTimeoutMs: this.timing.publishTimeoutMs,
    });
    this.replies = await createNatsMessageBus({
      connection,
      stream,
      subjectPrefix: this.subjects.replies,
      onHandlerError: () => {},
    });
    this.events = connection.subscribe(this.subjects.events, {
      callback: (error, message) => {
        if (error) return;
        try {
          const event = JSON.parse(decoder.decode(message.data)) as WireEvent;
          this.dispatch(event.name, fromWire(event.payload) as never, event.node);
        } catch {
          // Not an event of ours: ignored.
        }
      },
    });
    await connection.flush();
    if (this.options.member === false) return;
    await this.rebalance();
    this.scheduleHeartbeat();
    this.trimmer.start();
  }

  /**
   * Creates an actor in the cluster's database (checked as `PantheonSystem.createActor` checks
   * it); its partition's owner runs it once started. Any process may create any actor.
   */
  async createActor(options: CreateActorOptions): Promise<Actor> {
    this.assertOpen();
    const actor = await this.front.createActor(options);
    this.knownActors.add(actor.id);
    this.notActors.delete(actor.id);
    return actor;
  }

  /**
   * Marks the actor started for the whole cluster and tells its partition's owner, which starts
   * it (now, or when it takes the partition over). With `intervalMs` (a whole number of ms, at
   * least 1) the actor also ticks that often without a message, in whichever process runs it,
   * across takeovers; as with `PantheonSystem.startActor`, starting a started actor changes
   * nothing. `INVALID_ARGUMENT` for a bad `intervalMs`, `ACTOR_NOT_FOUND` for an unknown actor,
   * `STATE_UNAVAILABLE` when the database cannot be reached, `BUS_UNAVAILABLE` when NATS cannot
   * (the owner was not told: call it again).
   */
  async startActor(id: string, options: { intervalMs?: number } = {}): Promise<void> {
    const { intervalMs } = options;
    if (intervalMs !== undefined && !(Number.isSafeInteger(intervalMs) && intervalMs >= 1)) {
      throw invalidArgument('PantheonCluster.startActor', [
        {
          path: 'options.intervalMs',
          message: `expected a whole number of milliseconds, at least 1, received ${String(intervalMs)}`,
        },
      ]);
    }
    await this.control(id, 'start', intervalMs);
  }

  /** Marks the actor stopped for the whole cluster; its owner stops it after its current tick. */
  async stopActor(id: string): Promise<void> {
    await this.control(id, 'stop');
  }

  /**
   * Sends a message to an actor wherever it runs and resolves its id once JetStream stored it
   * (accepted: it will be handled, across crashes of any process). Rejects before publishing
   * with `INVALID_MESSAGE`, `MESSAGE_TOO_LARGE`, `ACTOR_NOT_FOUND`, or `MAILBOX_FULL` when the
   * actor's durable mailbox holds `mailboxCapacity` messages (the sends of one event-loop turn
   * are counted by one query), or `STORE_UNAVAILABLE` when the database cannot be read; with
   * `BUS_UNAVAILABLE` when NATS could not store it within `timing.publishTimeoutMs`.
   */
  async sendMessage(
    id: string,
    content: string,
    options: SendMessageOptions = {},
  ): Promise<string> {
    this.assertOpen();
    checkContent(id, content, this.limits.maxMessageBytes);
    checkSendOptions(id, options);
    const metadata = callerMetadata(id, options.metadata);
    const capacity = this.limits.mailboxCapacity;
    let pending: number;
    try {
      await this.requireActor(id);
      pending = await this.mailboxCounts.count(id);
    } catch (error) {
      if (PantheonError.isInstance(error) && error.code === 'ACTOR_NOT_FOUND') throw error;
      // As `PantheonSystem.sendMessage` with its store down: nothing was published.
      throw new PantheonError(
        `The cluster's database is unavailable; the message to "${id}" was not sent: ${errorMessage(error)}`,
        'STORE_UNAVAILABLE',
        { actorId: id },
        { cause: error },
      );
    }
    if (pending >= capacity) {
      throw new ActorError(
        `Mailbox of actor "${id}" is full (${capacity} messages)`,
        id,
        { capacity },
        { code: 'MAILBOX_FULL' },
      );
    }
    // A `reply` handler registered before this send sees the replies to it.
    await this.readingReplies?.catch(() => undefined);
    const from = options.from ?? 'user';
    const now = Date.now();
    const message: BusMessage = {
      id: options.messageId ?? this.nextId(),
      from,
      to: id,
      content,
      timestamp: now,
      correlationId: options.correlationId,
      conversationId: options.conversationId ?? this.nextId(),
      replyTo: options.replyTo ?? from,
    };
    if (metadata !== undefined) message.metadata = metadata;
    // The conversation's budget travels with it; the owner keeps what it spent so far.
    const budget = options.budget ?? this.options.budget;
    if (budget !== undefined) {
      message.metadata = { ...message.metadata, budget: startLedger(budget, now) };
    }
    await this.publisher.send(message);
    return message.id as string;
  }

  /**
   * Sends `content` and resolves with the first message of the request's chain that reaches the
   * asker (`replyTo`, default `from`, default `'user'`), whichever process runs the actors.
   * Rejects with `ASK_FAILED` when the request is dead-lettered, `ASK_TIMEOUT` after `timeoutMs`
   * (default 30 s), or with the error of `sendMessage`.
   */
  ask(id: string, content: string, options: AskOptions = {}): Promise<BusMessage> {
    const correlationId = this.nextId();
    const from = options.from ?? 'user';
    const replyTo = options.replyTo ?? from;
    const timeoutMs = options.timeoutMs ?? 30_000;
    return new Promise<BusMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.asks.delete(correlationId);
        reject(
          new ActorError(`No answer from actor "${id}" within ${timeoutMs} ms`, id, undefined, {
            code: 'ASK_TIMEOUT',
          }),
        );
      }, timeoutMs);
      this.asks.set(correlationId, { resolve, reject, replyTo, timer });
      this.readReplies()
        .then(() =>
          this.sendMessage(id, content, {
            from,
            correlationId,
            conversationId: options.conversationId,
            replyTo,
            metadata: options.metadata,
          }),
        )
        .catch((error: PantheonError) => this.settleAsk(correlationId, error));
    });
  }

  /**
   * Subscribes to runtime events of every process of the cluster (with `local: true`, of this
   * process only); returns the function that unsubscribes.
   */
  on<K extends keyof PantheonClusterEvents>(
    event: K,
    handler: (payload: PantheonClusterEvents[K]) => void,
    options: ClusterEventOptions = {},
  ): () => void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    const entry: EventHandler = {
      handle: handler as (payload: never) => void,
      local: options.local === true,
    };
    set.add(entry);
    if (event === 'reply') {
      this.readReplies().catch((error: unknown) =>
        this.log('Cluster replies cannot be read; reply events wait for the next try', {
          level: 'warn',
          error: errorMessage(error),
        }),
      );
    }
    return () => set.delete(entry);
  }

  /** Every actor of the cluster (the database's), wherever it runs. */
  async listActors(): Promise<Actor[]> {
    return this.readState('listing the actors', () => this.options.persistence.actors.list());
  }

  /**
   * Every actor of the cluster with its partition, the process owning it now, whether it is
   * started and how many messages wait for it: what any process reads from the database.
   * `STATE_UNAVAILABLE` when the database cannot be reached.
   */
  async actorStatuses(): Promise<ClusterActorStatus[]> {
    const [actors, started, pending, owners] = await this.readState('reading the actors', () =>
      Promise.all([
        this.options.persistence.actors.list(),
        this.leases.startedActors(),
        this.leases.pendingCounts(),
        this.leases.owners(),
      ]),
    );
    const startedSet = new Set(started.map((actor) => actor.id));
    return actors.map((actor) => {
      const partition = partitionOf(actor.id, this.partitions);
      return {
        actor,
        partition,
        owner: owners.get(partition) ?? null,
        started: startedSet.has(actor.id),
        pending: pending.get(actor.id) ?? 0,
      };
    });
  }

  /** The tool calls waiting for a person's decision, of every actor of the cluster, oldest first. */
  async getPendingApprovals(): Promise<PendingApproval[]> {
    const records = await this.readState('approvals', () =>
      this.options.persistence.mailbox.approvals(),
    );
    return records.filter((record) => record.status === 'pending').map(pendingApprovalOf);
  }

  /**
   * Approves a tool call that waits for a person, from any process: the process that runs its
   * actor decides it, as `PantheonSystem.approve` does, and the actor resumes there. Rejects as
   * `PantheonSystem.approve` (`APPROVAL_NOT_FOUND`, `APPROVAL_ALREADY_DECIDED`,
   * `APPROVAL_EXPIRED`, `INVALID_ARGUMENT`), and with `APPROVAL_NOT_OWNED` when no process runs
   * the actor now (no owner of its partition answered within `timing.publishTimeoutMs`).
   */
  approve(id: string, options: ApproveOptions): Promise<void> {
    return this.decide({ id, decision: 'approve', options });
  }

  /** Denies a tool call that waits for a person, from any process; rejects as `approve`. */
  deny(id: string, options: DenyOptions): Promise<void> {
    return this.decide({ id, decision: 'deny', options });
  }

  /** Asks the owner of the approval's actor to decide it, until one answers or time is up. */
  private async decide(request: DecisionRequest): Promise<void> {
    this.assertOpen();
    const { id } = request;
    const record = await this.readState('approval', () =>
      this.options.persistence.mailbox.approval(id),
    );
    if (!record) {
      throw approvalError(id, undefined, 'APPROVAL_NOT_FOUND', `No approval with id "${id}"`);
    }
    const partition = partitionOf(record.actorId, this.partitions);
    const deadline = Date.now() + this.timing.publishTimeoutMs;
    for (;;) {
      let reply: DecisionReply | undefined;
      try {
        const answer = await this.options.connection.request(
          this.subjects.decisions(partition),
          JSON.stringify(request),
          { timeout: Math.max(1, deadline - Date.now()) },
        );
        reply = answer.json<DecisionReply>();
      } catch {
        // No owner right now (between owners, or NATS away): asked again until the deadline.
      }
      if (reply && 'ok' in reply) return;
      if (reply) {
        const { code, message, details } = reply.error;
        throw new ActorError(message, record.actorId, details, {
          code: code as PantheonErrorCode,
        });
      }
      if (Date.now() >= deadline) {
        throw new ActorError(
          `No process of the cluster runs actor "${record.actorId}" now (no owner of partition ${partition} answered within ${this.timing.publishTimeoutMs} ms); approval "${id}" was not decided`,
          record.actorId,
          { approvalId: id, partition },
          { code: 'APPROVAL_NOT_OWNED' },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * This process's read-out, as `PantheonSystem.getRuntimeStats`: the mailboxes of the actors of
   * the partitions it owns, its pending `ask`s, the approvals its partitions wait for, the dead
   * letters it kept. Synchronous; calls no port.
   */
  getRuntimeStats(): RuntimeStats {
    const partitions = [...this.runners.values(), ...this.draining.values()]
      .map((runner) => runner.stats())
      .filter((stats) => stats !== undefined);
    return {
      mailboxes: partitions.flatMap((stats) => stats.mailboxes),
      pendingAsks: this.asks.size,
      pendingApprovals: partitions.reduce((total, stats) => total + stats.pendingApprovals, 0),
      deadLetters: this.deadLetters.length,
    };
  }

  /** Dead letters of the whole cluster seen by this process since it joined (the last `deadLetterLimit`). */
  getDeadLetters(): ClusterDeadLetter[] {
    return [...this.deadLetters];
  }

  /**
   * Partitions this process owns now, with their fencing epochs (those being handed over
   * included: they are owned until released).
   */
  ownedPartitions(): Lease[] {
    return [...this.runners.values(), ...this.draining.values()].map((runner) => runner.lease);
  }

  /**
   * Leaves the cluster: stops taking partitions, hands each owned partition over once its
   * actors worked through their mailboxes (up to `timeoutMs`; what they did not handle stays in
   * the database for the next owner), releases the leases so the others take them at once, and
   * stops consuming. The connection and the persistence stay open. Resolves what the handed-over
   * partitions left (`kept`: stored for the next owner; `interrupted`: ticks aborted at the
   * deadline, replayed by the next owner); calling it again resolves an empty report.
   */
  async shutdown(options: ClusterShutdownOptions = {}): Promise<ShutdownReport> {
    const report: ShutdownReport = { interrupted: [], pending: [], kept: [] };
    if (this.closed) return report;
    // Closed, the heartbeat takes no partition; it goes on renewing the leases of those being
    // handed over, so that a drain longer than a lease is not taken over (and its last commits
    // fenced) before it ends.
    this.closed = true;
    await this.cycle;
    await Promise.all(this.starting);
    for (const runner of [...this.runners.values()]) {
      this.track(
        this.handOver(runner, options.timeoutMs).then((left) => {
          report.interrupted.push(...left.interrupted);
          report.pending.push(...left.pending);
          report.kept.push(...left.kept);
        }),
      );
    }
    while (this.leaving.size > 0) await Promise.all(this.leaving);
    this.heartbeatStopped = true;
    if (this.heartbeat) clearTimeout(this.heartbeat);
    await this.cycle;
    await this.trimmer.stop();
    await this.leases.leave().catch(() => undefined);
    this.events?.unsubscribe();
    await this.replies.close();
    await this.publisher.close();
    await this.replyPublisher.close();
    await this.front.shutdown({ drain: false });
    for (const [correlationId] of this.asks) {
      this.settleAsk(
        correlationId,
        new PantheonError('The cluster process was shut down', 'SYSTEM_SHUT_DOWN'),
      );
    }
    return report;
  }

  /** Runs a read of the database; a failure is `STATE_UNAVAILABLE`. */
  private async readState<T>(what: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (PantheonError.isInstance(error)) throw error;
      throw new PantheonError(
        `The cluster's database is unavailable (${what}): ${errorMessage(error)}`,
        'STATE_UNAVAILABLE',
        undefined,
        { cause: error },
      );
    }
  }

  private async control(id: string, command: 'start' | 'stop', intervalMs?: number): Promise<void> {
    this.assertOpen();
    await this.requireActor(id);
    await this.leases.setStarted(id, command === 'start', intervalMs).catch((error: unknown) => {
      throw new ActorError(
        `The cluster's database is unavailable; actor "${id}" was not marked ${command === 'start' ? 'started' : 'stopped'}: ${errorMessage(error)}`,
        id,
        undefined,
        { code: 'STATE_UNAVAILABLE', cause: error },
      );
    });
    await this.publisher.send({
      id: this.nextId(),
      from: CONTROL_SENDER,
      to: id,
      content: command,
      ...(intervalMs === undefined ? {} : { metadata: { intervalMs } }),
    });
  }

  private async requireActor(id: string): Promise<void> {
    if (this.knownActors.has(id)) return;
    if (await this.options.persistence.actors.get(id)) {
      this.knownActors.add(id);
      this.notActors.delete(id);
      return;
    }
    throw new ActorError(`Actor "${id}" not found`, id, undefined, { code: 'ACTOR_NOT_FOUND' });
  }

  /** Where a message a tick sent goes: its actor's partition, or the replies. */
  private async publish(message: BusMessage): Promise<void> {
    if (await this.isActor(message.to)) await this.publisher.send(message);
    else await this.replyPublisher.send(message);
  }

  /**
   * Whether `address` is an actor of the cluster. Actors are remembered; other addresses
   * (`'user'`, …) for `NOT_ACTOR_TTL_MS`, so an actor created with such an id later is found.
   */
  private async isActor(address: string): Promise<boolean> {
    if (this.knownActors.has(address)) return true;
    const checked = this.notActors.get(address);
    if (checked !== undefined && Date.now() - checked < NOT_ACTOR_TTL_MS) return false;
    if ((await this.options.persistence.actors.get(address)) !== null) {
      this.knownActors.add(address);
      return true;
    }
    this.notActors.set(address, Date.now());
    return false;
  }

  /**
   * Starts reading the replies (`<name>.r.>`, from the newest on) the first time this process
   * needs them — an `ask`, or a `reply` handler — so that a process that needs neither (a member
   * that only runs actors) does not read every reply of the cluster. `BUS_UNAVAILABLE` when the
   * reader cannot be started (the next call tries again).
   */
  private readReplies(): Promise<void> {
    this.readingReplies ??= (async () => {
      const stop = this.replies.subscribe((message) => this.onReply(message));
      try {
        await this.replies.ready();
      } catch (error) {
        stop();
        this.readingReplies = undefined;
        throw new PantheonError(
          `The cluster's replies cannot be read: ${errorMessage(error)}`,
          'BUS_UNAVAILABLE',
          undefined,
          { cause: error },
        );
      }
    })();
    return this.readingReplies;
  }

  private onReply(message: BusMessage): void {
    this.dispatch('reply', { actorId: message.from, message });
    const pending = message.correlationId ? this.asks.get(message.correlationId) : undefined;
    if (pending && pending.replyTo === message.to) {
      this.asks.delete(message.correlationId as string);
      clearTimeout(pending.timer);
      pending.resolve(message);
    }
  }

  private settleAsk(correlationId: string, error: PantheonError): void {
    const pending = this.asks.get(correlationId);
    if (!pending) return;
    this.asks.delete(correlationId);
    clearTimeout(pending.timer);
    pending.reject(error);
  }

  private emitEverywhere<K extends keyof PantheonClusterEvents>(
    name: K,
    payload: PantheonClusterEvents[K],
  ): void {
    const event: WireEvent = { name, payload: toWire(payload), node: this.nodeId };
    try {
      this.options.connection.publish(this.subjects.events, JSON.stringify(event));
    } catch {
      // NATS is away: events are best effort; the message itself is safe in the database.
      this.dispatch(name, payload, this.nodeId);
    }
  }

  /** Hands an event to the handlers; `node`: the process it arose in (default this one). */
  private dispatch<K extends keyof PantheonClusterEvents>(
    name: K,
    payload: PantheonClusterEvents[K],
    node: string | undefined = this.nodeId,
  ): void {
    if (name === 'deadletter') {
      const letter = payload as ClusterDeadLetter;
      this.deadLetters.push(letter);
      const limit = this.limits.deadLetterLimit;
      if (this.deadLetters.length > limit) this.deadLetters.shift();
      const correlationId = letter.message.correlationId;
      if (correlationId && this.asks.has(correlationId)) {
        this.settleAsk(
          correlationId,
          new ActorError(
            `The request to "${letter.message.to}" was dead-lettered (${letter.reason})`,
            letter.message.to,
            { reason: letter.reason },
            { code: 'ASK_FAILED' },
          ),
        );
      }
    }
    for (const handler of this.handlers.get(name) ?? []) {
      if (handler.local && node !== this.nodeId) continue;
      try {
        (handler.handle as (payload: PantheonClusterEvents[K]) => void)(payload);
      } catch (error) {
        this.log(`Cluster event handler for ${String(name)} threw; ignored`, {
          level: 'warn',
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  private partitionContext(): PartitionContext {
    return {
      node: this.nodeId,
      connection: this.options.connection,
      persistence: this.options.persistence,
      leases: this.leases,
      subjects: this.subjects,
      systemOptions: this.systemOptions(),
      inPartition: (actorId, partition) => partitionOf(actorId, this.partitions) === partition,
      publish: (message) => this.publish(message),
      emit: (name, payload) => this.emitEverywhere(name, payload as never),
      malformed: (letter: NatsDeadLetter) =>
        this.emitEverywhere('deadletter', {
          message: { from: '', to: '', content: '' },
          reason: 'MALFORMED',
          detail: letter,
        }),
      unknownActor: (message) =>
        this.emitEverywhere('deadletter', { message, reason: 'ACTOR_NOT_FOUND' }),
      ackWaitMs: this.timing.ackWaitMs,
      handoverTimeoutMs: this.timing.handoverTimeoutMs,
      log: this.log,
    };
  }

  private scheduleHeartbeat(): void {
    if (this.heartbeatStopped) return;
    this.heartbeat = setTimeout(() => {
      this.cycle = this.rebalance().finally(() => this.scheduleHeartbeat());
    }, this.timing.heartbeatMs);
  }

  /**
   * One heartbeat: renews the leases (a partition whose lease is gone is abandoned at once),
   * then moves toward an even share: surplus partitions are handed over, missing ones taken.
   */
  private async rebalance(): Promise<void> {
    try {
      const alive = await this.leases.heartbeat();
      const held = await this.leases.renew(this.ownedPartitions());
      this.lastRenewal = Date.now();
      const heldEpochs = new Map(held.map((lease) => [lease.partition, lease.epoch]));
      for (const runner of [...this.runners.values()]) {
        if (heldEpochs.get(runner.partition) !== runner.lease.epoch)
          this.track(this.abandon(runner));
      }
      const share = Math.ceil(this.partitions / alive);
      // Partitions being handed over still count: their leases are renewed until released.
      const surplus = this.runners.size + this.leaving.size - share;
      if (surplus > 0) {
        const giving = [...this.runners.values()]
          .sort((a, b) => b.partition - a.partition)
          .slice(0, surplus);
        // Not awaited: the heartbeat goes on renewing while the partitions drain.
        for (const runner of giving) this.track(this.handOver(runner).then(() => undefined));
      } else if (surplus < 0 && !this.closed) {
        const leases = await this.leases.acquire(-surplus, this.ownedPartitions());
        // Not awaited either: starting a partition (restoring its actors, creating its consumer)
        // can take longer than a lease, and the heartbeat must go on renewing meanwhile.
        for (const lease of leases) this.track(this.take(lease), this.starting);
      }
    } catch (error) {
      this.log('Cluster heartbeat failed', {
        level: 'warn',
        node: this.nodeId,
        error: error instanceof Error ? error.message : String(error),
      });
      // Cut from the database past the lease: others may own our partitions now.
      if (Date.now() - this.lastRenewal > this.timing.leaseMs) {
        for (const runner of [...this.runners.values()]) this.track(this.abandon(runner));
      }
    }
  }

  private async take(lease: Lease): Promise<void> {
    const runner = new PartitionRunner(this.partitionContext(), lease);
    this.runners.set(lease.partition, runner);
    try {
      await runner.start();
      this.dispatch('partition.acquired', { ...lease, node: this.nodeId });
    } catch (error) {
      this.log('Taking a partition failed; giving it back', {
        level: 'warn',
        partition: lease.partition,
        error: error instanceof Error ? error.message : String(error),
      });
      this.runners.delete(lease.partition);
      await runner.stop(false).catch(() => undefined);
      await this.leases.release(lease).catch(() => undefined);
    }
  }

  private track(work: Promise<void>, set = this.leaving): void {
    set.add(work);
    work.finally(() => set.delete(work));
  }

  /**
   * Graceful: the partition's actors finish (up to `timeoutMs`, default
   * `timing.handoverTimeoutMs`), then the lease is released for the next owner. Resolves what
   * the partition's system left.
   */
  private async handOver(runner: PartitionRunner, timeoutMs?: number): Promise<ShutdownReport> {
    this.runners.delete(runner.partition);
    this.draining.set(runner.partition, runner);
    const left = await runner.stop(true, timeoutMs).catch(() => undefined);
    // Announced before the release: once released, another process may take it at once.
    this.dispatch('partition.released', { ...runner.lease, node: this.nodeId, lost: false });
    await this.leases.release(runner.lease).catch(() => undefined);
    this.draining.delete(runner.partition);
    return left ?? { interrupted: [], pending: [], kept: [] };
  }

  /** The lease is gone (expired and taken, or unreachable): stop at once, commit nothing more. */
  private async abandon(runner: PartitionRunner): Promise<void> {
    this.runners.delete(runner.partition);
    await runner.stop(false).catch(() => undefined);
    this.dispatch('partition.released', { ...runner.lease, node: this.nodeId, lost: true });
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new PantheonError('The cluster process has shut down', 'SYSTEM_SHUT_DOWN');
    }
  }
}
