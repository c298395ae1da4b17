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

/** `adapters.bus`: how messages travel between actors. */
export const BusConfigSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('memory') }),
  z.strictObject({
    type: z.literal('nats'),
    /** NATS server URLs, comma-separated, e.g. `nats://127.0.0.1:4222`. */
    url: natsServers,
    /** The JetStream stream (and subject prefix). Default `pantheon`. */
    stream: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'expected letters, digits, "_" or "-"')
      .optional(),
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

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const satisfies readonly LogLevel[];

/**
 * The whole configuration, as `loadConfig` resolves it (defaults applied): every object is
 * strict, so a key Pantheon does not know is an error rather than silently ignored.
 */
export const PantheonConfigSchema = z
  .strictObject({
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
  })
  .superRefine((config, context) => {
    // A durable store compiles context from its own history (STORE_PORTS_MISMATCH otherwise).
    if (
      config.adapters.context.type !== 'memory' &&
      config.adapters.persistence.type !== 'memory'
    ) {
      context.addIssue({
        code: 'custom',
        path: ['adapters', 'context', 'type'],
        message: `"${config.adapters.context.type}" cannot be combined with ${config.adapters.persistence.type} persistence, whose store keeps the context (history) itself; use context "memory" with durable persistence, or persistence "memory" with Elasticsearch`,
      });
    }
  });

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
void limitsMatchCore;
void supervisionMatchesCore;
