import type {
  Actor,
  MailboxStats,
  OrchestratorHooks,
  PantheonError,
  PantheonSystem,
} from '@promethean-os/pantheon-core';

/** One runtime metric: its Prometheus name, its OpenTelemetry name and unit, and its labels. */
export interface RuntimeMetricDefinition {
  /** The Prometheus name (what the OpenTelemetry Prometheus exporter makes of `otel` and `unit`). */
  readonly prometheus: string;
  /** The OpenTelemetry instrument name. */
  readonly otel: string;
  readonly unit: string;
  readonly kind: 'counter' | 'histogram' | 'gauge';
  readonly help: string;
  readonly labels: readonly string[];
}

/**
 * The runtime metrics kept by `/prometheus` and `/otel`, under the same names. Labels are bounded:
 * actor names (not ids), statuses, error codes, dead-letter reasons, model and tool names. Mailbox
 * gauges carry `actor_id` only with `perActorMailboxes: true`.
 */
export const RUNTIME_METRICS = {
  mailboxDepth: {
    prometheus: 'pantheon_mailbox_depth',
    otel: 'pantheon.mailbox.depth',
    unit: '{message}',
    kind: 'gauge',
    help: 'Messages waiting in mailboxes (per actor with perActorMailboxes)',
    labels: [],
  },
  mailboxOldestAge: {
    prometheus: 'pantheon_mailbox_oldest_message_age_seconds',
    otel: 'pantheon.mailbox.oldest_message_age',
    unit: 's',
    kind: 'gauge',
    help: 'Age of the oldest waiting message (per actor with perActorMailboxes)',
    labels: [],
  },
  pendingAsks: {
    prometheus: 'pantheon_pending_asks',
    otel: 'pantheon.pending_asks',
    unit: '{request}',
    kind: 'gauge',
    help: 'ask() calls waiting for their answer',
    labels: [],
  },
  pendingApprovals: {
    prometheus: 'pantheon_pending_approvals',
    otel: 'pantheon.pending_approvals',
    unit: '{approval}',
    kind: 'gauge',
    help: 'Tool calls waiting for a person (approve/deny), as each process knows them',
    labels: [],
  },
  tickDuration: {
    prometheus: 'pantheon_tick_duration_seconds',
    otel: 'pantheon.tick.duration',
    unit: 's',
    kind: 'histogram',
    help: 'Duration of actor ticks that ended, by outcome',
    labels: ['actor_name', 'status'],
  },
  restarts: {
    prometheus: 'pantheon_actor_restarts_total',
    otel: 'pantheon.actor.restarts',
    unit: '{restart}',
    kind: 'counter',
    help: 'Failed ticks after which supervision went on (actor.restarted)',
    labels: ['code'],
  },
  failures: {
    prometheus: 'pantheon_actor_failures_total',
    otel: 'pantheon.actor.failures',
    unit: '{actor}',
    kind: 'counter',
    help: 'Actors stopped as failed by supervision (actor.failed)',
    labels: ['code'],
  },
  deadLetters: {
    prometheus: 'pantheon_dead_letters_total',
    otel: 'pantheon.dead_letters',
    unit: '{message}',
    kind: 'counter',
    help: 'Messages that could not be delivered, by reason',
    labels: ['reason'],
  },
  budgetsExceeded: {
    prometheus: 'pantheon_budgets_exceeded_total',
    otel: 'pantheon.budgets.exceeded',
    unit: '{conversation}',
    kind: 'counter',
    help: 'Conversations stopped for reaching a limit of their budget (budget.exceeded), by limit',
    labels: ['limit'],
  },
  modelTokens: {
    prometheus: 'pantheon_model_tokens_total',
    otel: 'pantheon.model.tokens',
    unit: '{token}',
    kind: 'counter',
    help: 'Tokens of model calls, by model and token type (input, output)',
    labels: ['model', 'token_type'],
  },
  modelCallDuration: {
    prometheus: 'pantheon_model_call_duration_seconds',
    otel: 'pantheon.model.call.duration',
    unit: 's',
    kind: 'histogram',
    help: 'Duration of model calls, by model and status',
    labels: ['model', 'status'],
  },
  toolDuration: {
    prometheus: 'pantheon_tool_duration_seconds',
    otel: 'pantheon.tool.duration',
    unit: 's',
    kind: 'histogram',
    help: 'Duration of tool calls and tool actions, by tool and status',
    labels: ['tool', 'status'],
  },
} as const satisfies Record<string, RuntimeMetricDefinition>;

export type RuntimeMetricKey = keyof typeof RUNTIME_METRICS;

/** Labels of one sample. */
export type MetricLabels = Record<string, string>;

/** A sample of a gauge: its labels and value. */
export interface GaugeSample {
  labels: MetricLabels;
  value: number;
}

/** Where the runtime metrics go: prom-client or an OpenTelemetry meter. */
export interface MetricsBackend {
  add(metric: RuntimeMetricKey, labels: MetricLabels, value: number): void;
  record(metric: RuntimeMetricKey, labels: MetricLabels, value: number): void;
  /** Registers the function that reads gauge samples at collection time. */
  gauge(metric: RuntimeMetricKey, read: () => GaugeSample[]): void;
}

/** What `observe` reads from a system: its events and its runtime read-out. */
export type ObservableSystem = Pick<PantheonSystem, 'on' | 'getRuntimeStats'>;

/** Options shared by the `/prometheus` and `/otel` runtime metrics. */
export interface RuntimeMetricsOptions {
  /** Label the mailbox gauges with `actor_id` (one series per actor). Default `false`: totals. */
  perActorMailboxes?: boolean;
  /** Clock of the mailbox age gauge, in milliseconds. Default `Date.now`. */
  now?: () => number;
}

export function actorName(actor: Actor): string {
  return actor.name ?? actor.script.name;
}

/** The `code` of a PantheonError, else the error's name: a bounded `error.type`. */
export function errorType(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as Partial<PantheonError>).code;
    if (typeof code === 'string') return code;
    if (error instanceof Error) return error.name;
  }
  return 'Error';
}

/** The model a call reports (the reply's `metadata.model`), else the one requested. */
export function modelOf(
  reply: { metadata?: Record<string, unknown> } | undefined,
  requested: string | undefined,
): string | undefined {
  const reported = reply?.metadata?.model;
  return typeof reported === 'string' ? reported : requested;
}

/** Token counts in a reply's `metadata.usage`, when the adapter reported them. */
export function usageOf(
  reply: { metadata?: Record<string, unknown> } | undefined,
): { inputTokens: number; outputTokens: number } | undefined {
  const usage = reply?.metadata?.usage as
    | { inputTokens?: unknown; outputTokens?: unknown }
    | undefined;
  if (typeof usage?.inputTokens !== 'number' || typeof usage.outputTokens !== 'number') {
    return undefined;
  }
  return { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens };
}

/** Runtime metrics fed by orchestrator hooks and, once `observe`d, by a system's events. */
export interface RuntimeMetricsHooks extends OrchestratorHooks {
  /**
   * Subscribes to the system's events (restarts, failures, dead letters) and reads its mailboxes
   * and pending asks at every collection. Returns the function that unsubscribes.
   */
  observe(system: ObservableSystem): () => void;
}

/** The hooks and `observe` of the runtime metrics, writing to `backend`. */
export function runtimeMetricsHooks(
  backend: MetricsBackend,
  options: RuntimeMetricsOptions = {},
): RuntimeMetricsHooks {
  const now = options.now ?? Date.now;
  const perActor = options.perActorMailboxes === true;
  const systems = new Set<ObservableSystem>();

  // Depth adds up across mailboxes; the age of the oldest message is the greatest age.
  backend.gauge('mailboxDepth', () => mailboxSamples((mailbox) => mailbox.depth, sum));
  backend.gauge('mailboxOldestAge', () =>
    mailboxSamples(
      (mailbox) =>
        mailbox.oldestTimestamp === undefined
          ? 0
          : Math.max(0, now() - mailbox.oldestTimestamp) / 1000,
      (values) => values.reduce((greatest, age) => Math.max(greatest, age), 0),
    ),
  );
  backend.gauge('pendingAsks', () => [
    { labels: {}, value: sum([...systems].map((system) => system.getRuntimeStats().pendingAsks)) },
  ]);
  backend.gauge('pendingApprovals', () => [
    {
      labels: {},
      value: sum([...systems].map((system) => system.getRuntimeStats().pendingApprovals)),
    },
  ]);

  /** One sample per actor, or one of all mailboxes `combine`d. */
  function mailboxSamples(
    value: (mailbox: MailboxStats) => number,
    combine: (values: number[]) => number,
  ): GaugeSample[] {
    const mailboxes = [...systems].flatMap((system) => system.getRuntimeStats().mailboxes);
    if (perActor) {
      return mailboxes.map((mailbox) => ({
        labels: { actor_id: mailbox.actorId },
        value: value(mailbox),
      }));
    }
    return [{ labels: {}, value: combine(mailboxes.map(value)) }];
  }

  const recordTool = (tool: string, ok: boolean, durationMs: number) =>
    backend.record('toolDuration', { tool, status: ok ? 'success' : 'error' }, durationMs / 1000);

  return {
    onTickEnd({ actor, result }) {
      backend.record(
        'tickDuration',
        { actor_name: actorName(actor), status: result.errors.length === 0 ? 'success' : 'error' },
        result.durationMs / 1000,
      );
    },
    onModelCall({ options: request, reply, error, durationMs }) {
      const model = modelOf(reply, request.model) ?? 'unknown';
      backend.record(
        'modelCallDuration',
        { model, status: error === undefined ? 'success' : 'error' },
        durationMs / 1000,
      );
      const usage = usageOf(reply);
      if (usage) {
        backend.add('modelTokens', { model, token_type: 'input' }, usage.inputTokens);
        backend.add('modelTokens', { model, token_type: 'output' }, usage.outputTokens);
      }
    },
    onToolCall({ name, error, durationMs }) {
      recordTool(name, error === undefined, durationMs);
    },
    onActionEnd({ result }) {
      if (result.action.type === 'tool')
        recordTool(result.action.name, result.ok, result.durationMs);
    },
    observe(system) {
      systems.add(system);
      const unsubscribe = [
        system.on('actor.restarted', ({ error }) =>
          backend.add('restarts', { code: errorType(error) }, 1),
        ),
        system.on('actor.failed', ({ error }) =>
          backend.add('failures', { code: errorType(error) }, 1),
        ),
        system.on('deadletter', ({ reason }) => backend.add('deadLetters', { reason }, 1)),
        system.on('budget.exceeded', ({ limit }) => backend.add('budgetsExceeded', { limit }, 1)),
      ];
      return () => {
        systems.delete(system);
        for (const stop of unsubscribe) stop();
      };
    },
  };
}

function sum(values: number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
