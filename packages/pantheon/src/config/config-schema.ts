import type { ClusterTiming } from '@promethean-os/pantheon-cluster';
import type {
  LogLevel,
  OrchestratorLimits,
  RuntimeLimits,
  SupervisionOptions,
} from '@promethean-os/pantheon-core';
import { z } from 'zod';

const positiveInteger = z.number().int().positive();
const nonNegativeInteger = z.number().int().nonnegative();

/** A URL whose scheme is one of `protocols` (e.g. `['postgres:', 'postgresql:']`). */
function urlWith(protocols: readonly string[]) {
  const schemes = protocols.map((protocol) => `${protocol}//`).join(' or ');
  return z
    .string()
    .refine((value) => hasProtocol(value, protocols), { message: `expected a ${schemes} URL` });
}

function hasProtocol(value: string, protocols: readonly string[]): boolean {
  try {
    const url = new URL(value);
    // PostgreSQL may connect over a local socket (no host); the others name a server.
    return (
      protocols.includes(url.protocol) &&
      (url.hostname !== '' || url.protocol.startsWith('postgres'))
    );
  } catch {
    return false;
  }
}

/** One or more NATS server URLs, comma-separated. */
const natsServers = z
  .string()
  .refine(
    (value) =>
      value
        .split(',')
        .every((server) => hasProtocol(server.trim(), ['nats:', 'tls:', 'ws:', 'wss:'])),
    { message: 'expected nats:// (or tls://, ws://, wss://) URLs, comma-separated' },
  );

/** `adapters.context`: where actors' context comes from. */
export const ContextConfigSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('memory') }),
  z.strictObject({
    type: z.literal('elasticsearch'),
    /** The Elasticsearch node, e.g. `http://127.0.0.1:9200`. */
    node: urlWith(['http:', 'https:']),
    /** Index (or alias) of the documents. Default `pantheon-context`. */
    index: z.string().min(1).optional(),
  }),
]);

/** `adapters.llm`: the model. API keys never go here: they come from the environment. */
export const LlmConfigSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('mock') }),
  z.strictObject({
    type: z.literal('openai'),
    model: z.string().min(1).optional(),
    baseURL: urlWith(['http:', 'https:']).optional(),
    timeoutMs: positiveInteger.optional(),
    maxRetries: nonNegativeInteger.optional(),
  }),
  z.strictObject({
    type: z.literal('claude'),
    model: z.string().min(1).optional(),
    baseURL: urlWith(['http:', 'https:']).optional(),
    maxTokens: positiveInteger.optional(),
    timeoutMs: positiveInteger.optional(),
    maxRetries: nonNegativeInteger.optional(),
  }),
]);

/** `adapters.persistence`: where actors, mailboxes and history live. */
export const PersistenceConfigSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('memory') }),
  z.strictObject({
    type: z.literal('sqlite'),
    /** The database file (`:memory:` for a throw-away one). */
    file: z.string().min(1),
  }),
  z.strictObject({
    type: z.literal('postgres'),
    url: urlWith(['postgres:', 'postgresql:']),
    /** Schema of Pantheon's tables (created when missing). Default `public`. */
    schema: z.string().min(1).optional(),
    poolSize: positiveInteger.optional(),
  }),
]);

/** Letters, digits, `_` and `-`: a JetStream stream name that is also a subject token. */
const streamName = z.string().regex(/^[A-Za-z0-9_-]+$/, 'expected letters, digits, "_" or "-"');

/** `adapters.bus`: how messages travel between actors. */
export const BusConfigSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('memory') }),
  z.strictObject({
    type: z.literal('nats'),
    /** NATS server URLs, comma-separated, e.g. `nats://127.0.0.1:4222`. */
    url: natsServers,
    /** The JetStream stream (and subject prefix). Default `pantheon`. */
    stream: streamName.optional(),
  }),
]);

/** `limits`: the runtime's and the orchestrator's bounds; unset ones keep the core's defaults. */
export const LimitsConfigSchema = z.strictObject({
  mailboxCapacity: positiveInteger.optional(),
  maxConcurrentTicks: positiveInteger.optional(),
  maxHops: positiveInteger.optional(),
  maxMessageBytes: positiveInteger.optional(),
  messageLogLimit: nonNegativeInteger.optional(),
  deadLetterLimit: nonNegativeInteger.optional(),
  tickTimeoutMs: positiveInteger.optional(),
  maxActionsPerTick: positiveInteger.optional(),
  maxSpawnDepth: nonNegativeInteger.optional(),
  maxSpawnsPerTick: nonNegativeInteger.optional(),
  maxWaitMs: nonNegativeInteger.optional(),
});

/** `supervision`: how failing actors are restarted; unset ones keep the core's defaults. */
export const SupervisionConfigSchema = z.strictObject({
  maxFailures: positiveInteger.optional(),
  windowMs: positiveInteger.optional(),
  backoffMs: nonNegativeInteger.optional(),
  maxBackoffMs: nonNegativeInteger.optional(),
});

/** `cluster.timing`: ownership and fail-over tuning; unset ones keep `PantheonCluster`'s defaults. */
export const ClusterTimingConfigSchema = z.strictObject({
  leaseMs: positiveInteger.optional(),
  heartbeatMs: positiveInteger.optional(),
  ackWaitMs: positiveInteger.optional(),
  handoverTimeoutMs: positiveInteger.optional(),
  publishTimeoutMs: positiveInteger.optional(),
  trimIntervalMs: positiveInteger.optional(),
});

/**
 * `cluster`: run the actors across every process started with this configuration
 * (`PantheonCluster`, on PostgreSQL and NATS JetStream). Absent: one process's system.
 */
export const ClusterConfigSchema = z.strictObject({
  /** The cluster's name: its JetStream stream, subject prefix and lease rows. Same in every process. */
  name: streamName,
  /** Partitions (units of ownership); the same in every process for the cluster's life. Default 16. */
  partitions: positiveInteger.optional(),
  /** `false`: a client that sends and asks but runs no actor. Default true. */
  member: z.boolean().optional(),
  /** This process's id in the cluster, unique per process. Default a random UUID. */
  nodeId: z.string().min(1).optional(),
  timing: ClusterTimingConfigSchema.optional(),
});

/**
 * `PantheonCluster`'s defaults of the two timings compared below (docs/cluster.md); kept here so
 * that loading a configuration does not load the cluster package and NATS.
 */
const CLUSTER_TIMING_DEFAULTS = { leaseMs: 1_500, heartbeatMs: 250 } as const satisfies Pick<
  ClusterTiming,
  'leaseMs' | 'heartbeatMs'
>;

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const satisfies readonly LogLevel[];

/** The sections of the configuration, before the checks across them. */
const PantheonConfigObjectSchema = z.strictObject({
  environment: z.enum(['development', 'production', 'test']),
  /** The app's module for `pantheon start` (see `defineApp`), absolute once loaded. */
  entry: z.string().min(1).optional(),
  logging: z.strictObject({
    level: z.enum(LOG_LEVELS),
    format: z.enum(['json', 'pretty']),
  }),
  adapters: z.strictObject({
    context: ContextConfigSchema,
    llm: LlmConfigSchema,
    persistence: PersistenceConfigSchema,
    bus: BusConfigSchema,
  }),
  limits: LimitsConfigSchema,
  supervision: SupervisionConfigSchema,
  http: z.strictObject({
    host: z.string().min(1),
    port: z.number().int().min(0).max(65_535),
  }),
  shutdown: z.strictObject({
    /** How long `pantheon start` lets actors drain their mailboxes on SIGTERM. */
    timeoutMs: positiveInteger,
  }),
  cluster: ClusterConfigSchema.optional(),
});

/**
 * The whole configuration, as `loadConfig` resolves it (defaults applied): every object is
 * strict, so a key Pantheon does not know is an error rather than silently ignored.
 */
export const PantheonConfigSchema = PantheonConfigObjectSchema.superRefine((config, context) => {
  // A durable store compiles context from its own history (STORE_PORTS_MISMATCH otherwise).
  if (config.adapters.context.type !== 'memory' && config.adapters.persistence.type !== 'memory') {
    context.addIssue({
      code: 'custom',
      path: ['adapters', 'context', 'type'],
      message: `"${config.adapters.context.type}" cannot be combined with ${config.adapters.persistence.type} persistence, whose store keeps the context (history) itself; use context "memory" with durable persistence, or persistence "memory" with Elasticsearch`,
    });
  }
  if (config.cluster) checkCluster(config, context);
});

/** A cluster runs on PostgreSQL and NATS, on a stream of its own, with a heartbeat under its lease. */
function checkCluster(
  config: z.infer<typeof PantheonConfigObjectSchema>,
  context: z.RefinementCtx,
): void {
  const { persistence, bus } = config.adapters;
  if (persistence.type !== 'postgres') {
    context.addIssue({
      code: 'custom',
      path: ['adapters', 'persistence', 'type'],
      message: `a cluster (cluster.name is set) keeps its actors, mailboxes and leases in PostgreSQL: set adapters.persistence to postgres (or PANTHEON_PERSISTENCE_URL=postgres://…)`,
    });
  }
  if (bus.type !== 'nats') {
    context.addIssue({
      code: 'custom',
      path: ['adapters', 'bus', 'type'],
      message: `a cluster (cluster.name is set) carries its messages on NATS JetStream: set adapters.bus to nats (or PANTHEON_BUS_URL=nats://…)`,
    });
  } else if (bus.stream !== undefined) {
    context.addIssue({
      code: 'custom',
      path: ['adapters', 'bus', 'stream'],
      message: `a cluster's stream is named after cluster.name ("${config.cluster?.name}"): remove adapters.bus.stream`,
    });
  }
  const timing = { ...CLUSTER_TIMING_DEFAULTS, ...config.cluster?.timing };
  if (timing.heartbeatMs >= timing.leaseMs) {
    // The check names the field that was set (the heartbeat when both were).
    const heartbeatSet = config.cluster?.timing?.heartbeatMs !== undefined;
    context.addIssue({
      code: 'custom',
      path: ['cluster', 'timing', heartbeatSet ? 'heartbeatMs' : 'leaseMs'],
      message: heartbeatSet
        ? `must be shorter than the lease (cluster.timing.leaseMs, ${timing.leaseMs} ms), or the processes lose their partitions between two renewals`
        : `must be longer than the heartbeat (cluster.timing.heartbeatMs, ${timing.heartbeatMs} ms), or the processes lose their partitions between two renewals`,
    });
  }
}

/** The resolved configuration: what `loadConfig` returns and `createPantheon` runs on. */
export type PantheonConfig = z.infer<typeof PantheonConfigSchema>;
/** `adapters.context` of a resolved configuration. */
export type ContextConfig = PantheonConfig['adapters']['context'];
/** `adapters.llm` of a resolved configuration. */
export type LlmConfig = PantheonConfig['adapters']['llm'];
/** `adapters.persistence` of a resolved configuration. */
export type PersistenceConfig = PantheonConfig['adapters']['persistence'];
/** `adapters.bus` of a resolved configuration. */
export type BusConfig = PantheonConfig['adapters']['bus'];
/** `cluster` of a resolved configuration. */
export type ClusterConfig = NonNullable<PantheonConfig['cluster']>;

/** An adapter section as a file writes it: its `type`, and any of that type's other fields. */
type SectionInput<T> = T extends { type: infer K } ? { type: K } & Partial<Omit<T, 'type'>> : never;

/**
 * A configuration as a file (or `createPantheon`'s argument) writes it: every field optional,
 * merged over the defaults. An adapter section names its `type`; its other fields may come
 * from environment variables (e.g. `PANTHEON_PERSISTENCE_URL`).
 */
export interface PantheonConfigInput {
  environment?: PantheonConfig['environment'];
  /** The app's module for `pantheon start`, relative to the configuration file. */
  entry?: string;
  logging?: Partial<PantheonConfig['logging']>;
  adapters?: {
    context?: SectionInput<ContextConfig>;
    llm?: SectionInput<LlmConfig>;
    persistence?: SectionInput<PersistenceConfig>;
    bus?: SectionInput<BusConfig>;
  };
  limits?: PantheonConfig['limits'];
  supervision?: PantheonConfig['supervision'];
  http?: Partial<PantheonConfig['http']>;
  shutdown?: Partial<PantheonConfig['shutdown']>;
  /**
   * Run the actors across every process started with this configuration. Its `name` may come
   * from `PANTHEON_CLUSTER_NAME`; needs postgres persistence and a nats bus.
   */
  cluster?: Partial<ClusterConfig>;
}

// The limits and supervision sections are the core's options, field for field: a field added to
// the core's types and not here (or the other way round) fails the type check.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const limitsMatchCore: Same<
  PantheonConfig['limits'],
  Partial<RuntimeLimits & OrchestratorLimits>
> = true;
const supervisionMatchesCore: Same<
  PantheonConfig['supervision'],
  Partial<SupervisionOptions>
> = true;
const clusterTimingMatchesCluster: Same<
  NonNullable<ClusterConfig['timing']>,
  Partial<ClusterTiming>
> = true;
void limitsMatchCore;
void supervisionMatchesCore;
void clusterTimingMatchesCluster;
