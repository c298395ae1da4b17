import type {
  Actor,
  ActorState,
  AskOptions,
  BusMessage,
  CreateActorOptions,
  LogFunction,
  PantheonSystemEvents,
  SendMessageOptions,
  ShutdownOptions,
  ShutdownReport,
} from '@promethean-os/pantheon-core';
import type { PantheonConfig } from '../config/config-schema';
import type { ReadinessReport, ResourceDescription } from './resource';

/** One actor as `/actors` and `pantheon actors` show it. */
export interface ActorStatus {
  id: string;
  name: string;
  /** Its script's name. */
  script: string;
  state: ActorState;
  /** Whether it is started (in a cluster: for the whole cluster). */
  started: boolean;
  /** Messages waiting for it, the one in a tick included (in a cluster: in its durable mailbox). */
  mailboxDepth: number;
  /** In a cluster: its partition. */
  partition?: number;
  /** In a cluster: the process (`nodeId`) owning its partition now; `null` between owners. */
  owner?: string | null;
}

/** The events both runtimes emit: those of `PantheonSystem`, a dead letter's reason widened. */
export type PantheonRuntimeEvents = Pick<
  PantheonSystemEvents,
  'reply' | 'actor.started' | 'actor.stopped' | 'actor.failed' | 'actor.restarted'
> & {
  /** A message that could not be delivered, and why (`ACTOR_NOT_FOUND`, `HOP_LIMIT`, …). */
  deadletter: { message: BusMessage; reason: string };
};

/**
 * What an app runs on, whichever the configuration chose: one process's system (`Pantheon`,
 * from `createPantheon`) or this process's member of a cluster (`PantheonClusterNode`, from
 * `createPantheonCluster`). `startApp` returns it and an app's `setup` receives it;
 * `pantheon start` serves it.
 */
export interface PantheonRuntime {
  /** The validated configuration it was wired from. */
  readonly config: PantheonConfig;
  /** The logger of `config.logging` (or the `log` it was given). */
  readonly logger: LogFunction;
  /** Which model runs, in words. */
  readonly model: string;
  /** What it opened, in words (e.g. `postgres postgres://app:***@db/app`). */
  describeResources(): ResourceDescription[];
  /** Asks each service it depends on to answer, each within `timeoutMs` (default 2,000). */
  checkReadiness(options?: { timeoutMs?: number }): Promise<ReadinessReport>;
  /** Creates an actor (`ifExists: 'reuse'` keeps a stored one). */
  createActor(options: CreateActorOptions): Promise<Actor>;
  /**
   * Starts processing the actor's mailbox; with `intervalMs`, its passive and persistent
   * behaviors also run that often without input.
   */
  startActor(id: string, options?: { intervalMs?: number }): Promise<void>;
  /** Stops the actor after its current tick; its mailbox is kept. */
  stopActor(id: string): Promise<void>;
  /** Sends a message to the actor; resolves its id once accepted. */
  sendMessage(id: string, content: string, options?: SendMessageOptions): Promise<string>;
  /** Sends a message and resolves with the first answer of its conversation that reaches the asker. */
  ask(id: string, content: string, options?: AskOptions): Promise<BusMessage>;
  /** Every actor of the state store. */
  listActors(): Promise<Actor[]>;
  /** Every actor with its state, whether it runs and what waits for it: what `/actors` serves. */
  describeActors(): Promise<ActorStatus[]>;
  /** Subscribes to runtime events; returns the function that unsubscribes. */
  on<K extends keyof PantheonRuntimeEvents>(
    event: K,
    handler: (payload: PantheonRuntimeEvents[K]) => void,
  ): () => void;
  /**
   * Lets the actors finish their mailboxes (within `timeoutMs`, default
   * `config.shutdown.timeoutMs`), then closes what it opened; reports what was left.
   */
  shutdown(options?: ShutdownOptions): Promise<ShutdownReport>;
}
