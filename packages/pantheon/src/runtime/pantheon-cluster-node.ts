import type {
  ClusterActorStatus,
  ClusterDeadLetter,
  ClusterEventOptions,
  Lease,
  PantheonCluster,
  PantheonClusterEvents,
} from '@promethean-os/pantheon-cluster';
import type {
  Actor,
  AskOptions,
  BusMessage,
  CreateActorOptions,
  LogFunction,
  RuntimeStats,
  SendMessageOptions,
  ShutdownOptions,
  ShutdownReport,
} from '@promethean-os/pantheon-core';
import type { PantheonConfig } from '../config/config-schema';
import type { PantheonParts } from './pantheon';
import type { ActorStatus, PantheonRuntime } from './pantheon-runtime';
import {
  closeAll,
  describeAll,
  probeAll,
  type ReadinessReport,
  type Resource,
  type ResourceDescription,
} from './resource';

/**
 * This process's member of a cluster, wired from a `PantheonConfig` with a `cluster` section by
 * `createPantheonCluster`: a running `PantheonCluster` (in `cluster`) on the configured
 * PostgreSQL and NATS, with the configuration, its logger, a readiness probe of both services,
 * and a `shutdown` that hands this process's partitions over, then closes what it opened.
 *
 * Any process of the cluster answers for any actor: `createActor`, `startActor`, `sendMessage`
 * and `ask` reach the actor wherever it runs.
 */
export class PantheonClusterNode implements PantheonRuntime {
  /** The validated configuration the node was wired from (`config.cluster` is set). */
  readonly config: PantheonConfig;
  /** The logger of `config.logging` (or the `log` given to `createPantheonCluster`). */
  readonly logger: LogFunction;
  /** Which model runs, in words: provider and model, or the offline stand-in. */
  readonly model: string;
  /** The cluster this process is a member of: ownership, dead letters, partition events. */
  readonly cluster: PantheonCluster;
  private readonly resources: readonly Resource[];
  private closing: Promise<void> | undefined;

  /** Use `createPantheonCluster`, which opens the services and joins the cluster. */
  constructor(cluster: PantheonCluster, parts: PantheonParts) {
    this.cluster = cluster;
    this.config = parts.config;
    this.logger = parts.logger;
    this.resources = parts.resources;
    this.model = parts.model;
  }

  /** This process's id in the cluster (`cluster.nodeId` of the configuration, or a UUID). */
  get nodeId(): string {
    return this.cluster.nodeId;
  }

  /** What `createPantheonCluster` opened, in words (the database, the NATS connection). */
  describeResources(): ResourceDescription[] {
    return describeAll(this.resources);
  }

  /**
   * Asks PostgreSQL (a query through the pool) and NATS (a lookup of the cluster's stream) to
   * answer, each within `timeoutMs` (default 2,000).
   */
  checkReadiness(options: { timeoutMs?: number } = {}): Promise<ReadinessReport> {
    return probeAll(this.resources, options.timeoutMs ?? 2_000);
  }

  /** `PantheonCluster.createActor`: stores the actor; any process may create any actor. */
  createActor(options: CreateActorOptions): Promise<Actor> {
    return this.cluster.createActor(options);
  }

  /** `PantheonCluster.startActor`: started for the whole cluster; its partition's owner runs it. */
  startActor(id: string, options?: { intervalMs?: number }): Promise<void> {
    return this.cluster.startActor(id, options);
  }

  /** `PantheonCluster.stopActor`: stopped for the whole cluster after its current tick. */
  stopActor(id: string): Promise<void> {
    return this.cluster.stopActor(id);
  }

  /** `PantheonCluster.sendMessage`: resolves once JetStream stored the message. */
  sendMessage(id: string, content: string, options?: SendMessageOptions): Promise<string> {
    return this.cluster.sendMessage(id, content, options);
  }

  /** `PantheonCluster.ask`: the answer reaches this process whichever process runs the actor. */
  ask(id: string, content: string, options?: AskOptions): Promise<BusMessage> {
    return this.cluster.ask(id, content, options);
  }

  /** Every actor of the cluster's database. */
  listActors(): Promise<Actor[]> {
    return this.cluster.listActors();
  }

  /** Every actor of the cluster with its partition, owner, started flag and waiting messages. */
  async describeActors(): Promise<ActorStatus[]> {
    return (await this.cluster.actorStatuses()).map((status: ClusterActorStatus) => ({
      id: status.actor.id,
      name: status.actor.name ?? status.actor.id,
      script: status.actor.script.name,
      state: status.actor.state ?? 'idle',
      started: status.started,
      mailboxDepth: status.pending,
      partition: status.partition,
      owner: status.owner,
    }));
  }

  /** The partitions this process owns now, with their fencing epochs. */
  ownedPartitions(): Lease[] {
    return this.cluster.ownedPartitions();
  }

  /** Dead letters of the whole cluster seen by this process since it joined. */
  getDeadLetters(): ClusterDeadLetter[] {
    return this.cluster.getDeadLetters();
  }

  /** This process's read-out: the mailboxes of its partitions' actors, its pending asks. */
  getRuntimeStats(): RuntimeStats {
    return this.cluster.getRuntimeStats();
  }

  /**
   * Subscribes to runtime events of every process of the cluster (with `local: true`, of this
   * process only); returns the function that unsubscribes.
   */
  on<K extends keyof PantheonClusterEvents>(
    event: K,
    handler: (payload: PantheonClusterEvents[K]) => void,
    options?: ClusterEventOptions,
  ): () => void {
    return this.cluster.on(event, handler, options);
  }

  /**
   * Leaves the cluster — each owned partition is handed over once its actors worked through
   * their mailboxes (within `timeoutMs`, default `config.shutdown.timeoutMs`; `drain: false`
   * hands over at once), what they left stays in PostgreSQL for the next owner and is reported
   * as `kept` — then closes the NATS connection and the database. Calling it again returns an
   * empty report.
   */
  async shutdown(options: ShutdownOptions = {}): Promise<ShutdownReport> {
    try {
      return await this.cluster.shutdown({
        timeoutMs:
          options.drain === false ? 0 : (options.timeoutMs ?? this.config.shutdown.timeoutMs),
      });
    } finally {
      this.closing ??= closeAll(this.resources, this.logger);
      await this.closing;
    }
  }
}
