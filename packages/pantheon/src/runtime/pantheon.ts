import {
  type LogFunction,
  PantheonSystem,
  type PantheonSystemOptions,
  type ShutdownOptions,
  type ShutdownReport,
} from '@promethean-os/pantheon-core';
import type { PantheonConfig } from '../config/config-schema';
import type { ActorStatus, PantheonRuntime } from './pantheon-runtime';
import {
  closeAll,
  describeAll,
  probeAll,
  type ReadinessReport,
  type Resource,
  type ResourceDescription,
} from './resource';

/** What `createPantheon` hands the system besides the `PantheonSystem` options. */
export interface PantheonParts {
  config: PantheonConfig;
  logger: LogFunction;
  /** Opened first to last; closed last to first. */
  resources: readonly Resource[];
  /** Which model runs, in words. */
  model: string;
}

/**
 * A `PantheonSystem` wired from a `PantheonConfig` by `createPantheon`: everything a
 * `PantheonSystem` does, plus the configuration it runs on, its logger, a readiness probe of the
 * services it opened, and a `shutdown` that also closes them (database, NATS connection,
 * Elasticsearch client).
 */
export class Pantheon extends PantheonSystem implements PantheonRuntime {
  /** The validated configuration the system was wired from. */
  readonly config: PantheonConfig;
  /** The logger of `config.logging` (or the `log` given to `createPantheon`). */
  readonly logger: LogFunction;
  /** Which model runs, in words: provider and model, or the offline stand-in. */
  readonly model: string;
  private readonly resources: readonly Resource[];
  private closing: Promise<void> | undefined;

  /** Use `createPantheon`, which opens the resources this takes. */
  constructor(options: PantheonSystemOptions, parts: PantheonParts) {
    super(options);
    this.config = parts.config;
    this.logger = parts.logger;
    this.resources = parts.resources;
    this.model = parts.model;
  }

  /** What `createPantheon` opened, in words (e.g. `postgres postgres://app:***@db/app`). */
  describeResources(): ResourceDescription[] {
    return describeAll(this.resources);
  }

  /**
   * Asks each service the system depends on to answer — the database with a query through its
   * pool, NATS with a JetStream request — each within `timeoutMs` (default 2,000).
   * In-memory parts are always ready.
   */
  checkReadiness(options: { timeoutMs?: number } = {}): Promise<ReadinessReport> {
    return probeAll(this.resources, options.timeoutMs ?? 2_000);
  }

  /** Every actor of the state port with its state, whether it runs and its mailbox's depth. */
  async describeActors(): Promise<ActorStatus[]> {
    const mailboxes = new Map(
      this.getRuntimeStats().mailboxes.map((mailbox) => [mailbox.actorId, mailbox]),
    );
    return (await this.listActors()).map((actor) => ({
      id: actor.id,
      name: actor.name ?? actor.id,
      script: actor.script.name,
      state: actor.state ?? 'idle',
      started: mailboxes.get(actor.id)?.started ?? false,
      mailboxDepth: mailboxes.get(actor.id)?.depth ?? 0,
    }));
  }

  /**
   * `PantheonSystem.shutdown` — started actors drain their mailboxes within `timeoutMs` (default
   * `config.shutdown.timeoutMs`), the report says what is left — then closes what
   * `createPantheon` opened, last opened first. A close that fails is logged; the others still
   * close. Calling it again returns an empty report.
   */
  override async shutdown(options: ShutdownOptions = {}): Promise<ShutdownReport> {
    try {
      return await super.shutdown({
        ...options,
        timeoutMs: options.timeoutMs ?? this.config.shutdown.timeoutMs,
      });
    } finally {
      this.closing ??= closeAll(this.resources, this.logger);
      await this.closing;
    }
  }
}
