import type {
  ActorScript,
  LlmPort,
  LogFunction,
  PantheonSystemOptions,
  ToolPort,
  ToolSpec,
} from '@promethean-os/pantheon-core';
import type { ScriptRegistry } from '@promethean-os/pantheon-persistence';
import type { Environment } from '../config/config-environment';
import { invalidConfig } from '../config/config-errors';
import type { PantheonConfig, PantheonConfigInput } from '../config/config-schema';
import { resolveConfig } from '../config/load-config';
import { createLogger } from './logger';
import { openBus } from './open-bus';
import { openContext } from './open-context';
import { openLlm } from './open-llm';
import { openPersistence } from './open-persistence';
import { Pantheon } from './pantheon';
import { closeAll, type Resource } from './resource';

/** What `createPantheon` and `createPantheonCluster` need besides the configuration. */
export interface CreatePantheonOptions
  extends Pick<PantheonSystemOptions, 'hooks' | 'approvals' | 'budget' | 'prices'> {
  /**
   * The scripts of the actors (those created later, and those a behavior spawns): a durable
   * store re-attaches stored actors to them by name and version. An array or a `ScriptRegistry`.
   */
  scripts?: readonly ActorScript[] | ScriptRegistry;
  /** Tools registered in the tool adapter. */
  tools?: readonly ToolSpec[];
  /** The tool adapter; default a new `InMemoryToolAdapter`. `tools` are registered into it. */
  toolAdapter?: ToolPort;
  /**
   * A model that replaces the one `adapters.llm` names (then no API key is read): e.g. an
   * `AiSdkLlmAdapter`, or a recording in tests.
   */
  llm?: LlmPort;
  /**
   * The offline stand-in used when `adapters.llm.type` is `mock`, e.g. an app's scripted model.
   * Default: a model that echoes the last user message, labelled `[offline mock model]`.
   */
  offlineModel?: LlmPort;
  /** Replaces the logger of `config.logging`. */
  log?: LogFunction;
  /** Where API keys (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`) are read. Default `process.env`. */
  env?: Environment;
}

async function scriptRegistry(scripts: CreatePantheonOptions['scripts']): Promise<ScriptRegistry> {
  if (scripts !== undefined && !Array.isArray(scripts)) return scripts as ScriptRegistry;
  const { ScriptRegistry } = await import('@promethean-os/pantheon-persistence');
  const registry = new ScriptRegistry();
  for (const script of (scripts as readonly ActorScript[] | undefined) ?? []) {
    registry.register(script);
  }
  return registry;
}

/** What both runtimes are wired with before any service is opened. */
export interface RuntimeWiring {
  config: PantheonConfig;
  logger: LogFunction;
  model: { llm: LlmPort; description: string };
  scripts: ScriptRegistry;
  toolAdapter: ToolPort;
  /** The system options a single process and a cluster node share. */
  systemOptions: Pick<
    PantheonSystemOptions,
    | 'toolAdapter'
    | 'llmAdapter'
    | 'scheduler'
    | 'log'
    | 'limits'
    | 'supervision'
    | 'hooks'
    | 'approvals'
    | 'budget'
    | 'prices'
  >;
}

/**
 * Validates the configuration and prepares what needs no service: the logger, the model (its
 * API key read now, so a missing one fails before anything is opened), the scripts, the tools.
 */
export async function prepareWiring(
  config: PantheonConfig | PantheonConfigInput,
  options: CreatePantheonOptions,
  caller: string,
): Promise<RuntimeWiring> {
  const resolved = resolveConfig(config);
  const logger =
    options.log ?? createLogger({ level: resolved.logging.level, format: resolved.logging.format });
  const model = options.llm
    ? { llm: options.llm, description: `the model given to ${caller}` }
    : await openLlm(resolved.adapters.llm, options.env ?? process.env, options.offlineModel);
  const scripts = await scriptRegistry(options.scripts);
  const { InMemoryToolAdapter, NodeScheduler } = await import('@promethean-os/pantheon-adapters');
  const toolAdapter = options.toolAdapter ?? new InMemoryToolAdapter();
  for (const tool of options.tools ?? []) await toolAdapter.register(tool);
  const systemOptions: RuntimeWiring['systemOptions'] = {
    toolAdapter,
    llmAdapter: model.llm,
    scheduler: new NodeScheduler(),
    log: logger,
    limits: resolved.limits,
    supervision: resolved.supervision,
    hooks: options.hooks,
    approvals: options.approvals,
    budget: options.budget,
    prices: options.prices,
  };
  return { config: resolved, logger, model, scripts, toolAdapter, systemOptions };
}

/**
 * A running `Pantheon` (a `PantheonSystem`) wired from `config`: the context, the model (its API
 * key from the environment), the persistence (SQLite or PostgreSQL through
 * `pantheon-persistence`, migrations applied, mailboxes durable), the bus (NATS JetStream), the
 * limits, the supervision and the logger. `shutdown()` drains the actors and closes what this
 * opened.
 *
 * `config` may be what `loadConfig` returned or a configuration written in code (merged over the
 * defaults and validated the same way). Nothing is opened before it is valid; if opening one
 * service fails, the ones opened before are closed again.
 *
 * This is one process's system: `bus: nats` runs its messages over JetStream with a durable
 * consumer per stream, so run one process per stream and database. A configuration with a
 * `cluster` section (actors across processes) is refused: use `createPantheonCluster`, or
 * `startApp`/`pantheon start`, which run either.
 *
 * @throws ConfigError `CONFIG_INVALID` for an invalid configuration or one with a `cluster`
 * section, `CONFIG_ERROR` for a missing API key (naming the variable); `PantheonError`
 * `STORE_UNAVAILABLE` or `BUS_UNAVAILABLE` when the database or NATS cannot be reached.
 *
 * @example
 * const pantheon = await createPantheon(await loadConfig(), { scripts: [supportScript] });
 * await pantheon.createActor({ id: 'support', name: 'support', script: supportScript, goals: ['Help'], ifExists: 'reuse' });
 * await pantheon.startActor('support');
 * const answer = await pantheon.ask('support', 'Where is my parcel?');
 */
export async function createPantheon(
  config: PantheonConfig | PantheonConfigInput,
  options: CreatePantheonOptions = {},
): Promise<Pantheon> {
  const resolved = resolveConfig(config);
  if (resolved.cluster) {
    throw invalidConfig([
      {
        field: 'cluster',
        source: { kind: 'argument' },
        message: `the configuration describes a cluster ("${resolved.cluster.name}"), and createPantheon runs one process's system: use createPantheonCluster (startApp and pantheon start run either)`,
      },
    ]);
  }
  const wiring = await prepareWiring(resolved, options, 'createPantheon');
  const { InMemoryActorStateAdapter, InMemoryMessageBus } = await import(
    '@promethean-os/pantheon-adapters'
  );

  const resources: Resource[] = [];
  try {
    const persistence = await openPersistence(resolved.adapters.persistence, wiring.scripts);
    if (persistence) resources.push(persistence.resource);
    const context = persistence ? undefined : await openContext(resolved.adapters.context);
    if (context?.resource) resources.push(context.resource);
    const bus = await openBus(resolved.adapters.bus);
    if (bus) resources.push(bus.resource);

    return new Pantheon(
      {
        contextAdapter: persistence?.context ?? context!.context,
        ...wiring.systemOptions,
        actorStateAdapter: persistence?.actors ?? new InMemoryActorStateAdapter(),
        store: persistence?.store,
        messageBus: bus?.bus ?? new InMemoryMessageBus(),
      },
      {
        config: resolved,
        logger: wiring.logger,
        resources,
        model: wiring.model.description,
      },
    );
  } catch (error) {
    await closeAll(resources);
    throw error;
  }
}
