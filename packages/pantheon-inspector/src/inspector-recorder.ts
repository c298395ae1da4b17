import type { Actor, OrchestratorHooks, PantheonError } from '@promethean-os/pantheon-core';

/** One node of a tick's span tree: the tick, a behavior, a model call, a tool call or an action. */
export interface SpanNode {
  /** E.g. `invoke_agent triage`, `behavior answer`, `chat gpt-4o`, `execute_tool lookup`, `send user`. */
  name: string;
  /** Milliseconds from the tick's start. */
  startMs: number;
  durationMs: number;
  attributes: Record<string, string | number | boolean>;
  /** The error's code (or name) when this part failed. */
  error?: string;
  children: SpanNode[];
}

/** What one tick of an actor did: the message in, the messages out, tool calls, errors, spans. */
export interface TickRecord {
  /** Increasing across the recorder: a stable key for the page. */
  seq: number;
  actorId: string;
  /** Milliseconds since the epoch when the tick started. */
  at: number;
  durationMs?: number;
  /** `running` until the tick ends; then the state the actor was left in, or `rejected`. */
  state: string;
  input?: { messageId?: string; from: string; content: string; conversationId?: string };
  sent: { to: string; content: string; id?: string }[];
  toolCalls: {
    name: string;
    toolCallId?: string;
    args: unknown;
    result?: unknown;
    error?: string;
  }[];
  errors: { code: string; message: string }[];
  span: SpanNode;
}

/** Options of `createInspectorRecorder`. */
export interface InspectorRecorderOptions {
  /** Ticks kept per actor (the newest). Default 100. */
  ticksPerActor?: number;
}

/** Hooks that record each tick for the inspector, and what they recorded. */
export interface InspectorRecorder {
  /** Pass to `new PantheonSystem({ hooks })` (with `combineHooks` beside other hooks). */
  readonly hooks: OrchestratorHooks;
  /** The actor's recorded ticks, oldest first. */
  ticks(actorId: string): TickRecord[];
  /** The actor's last recorded tick. */
  lastTick(actorId: string): TickRecord | undefined;
  /** Calls `listener` with each tick when it starts and again when it ends; returns the unsubscribe. */
  subscribe(listener: (tick: TickRecord) => void): () => void;
}

interface Open {
  record: TickRecord;
  started: number;
  behavior?: SpanNode;
  action?: SpanNode;
}

function codeOf(error: unknown): string {
  const code = (error as Partial<PantheonError> | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'Error';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function actorLabel(actor: Actor): string {
  return actor.name ?? actor.script.name;
}

/**
 * Records what each tick did — its input, the messages it sent, its tool calls and errors, and a
 * span tree of behaviors, model calls, tool calls and actions — for `serveInspector` to show.
 * Keeps the last `ticksPerActor` ticks of each actor in memory.
 *
 * @example
 * const recorder = createInspectorRecorder();
 * const pantheon = new PantheonSystem({ ...ports, hooks: recorder.hooks });
 * await serveInspector(pantheon, { port: 4319, recorder });
 */
export function createInspectorRecorder(options: InspectorRecorderOptions = {}): InspectorRecorder {
  const limit = options.ticksPerActor ?? 100;
  const byActor = new Map<string, TickRecord[]>();
  const open = new Map<string, Open>();
  const listeners = new Set<(tick: TickRecord) => void>();
  let seq = 0;

  const publish = (record: TickRecord) => {
    for (const listener of listeners) listener(record);
  };
  const offset = (state: Open) => Date.now() - state.started;
  const node = (
    name: string,
    startMs: number,
    attributes: SpanNode['attributes'] = {},
  ): SpanNode => ({ name, startMs, durationMs: 0, attributes, children: [] });
  /** Where a call of the actor's tick goes: under its behavior, or the tick. */
  const parent = (state: Open) => state.behavior ?? state.record.span;

  function finish(actorId: string, state: string, durationMs: number, errors: unknown[]) {
    const current = open.get(actorId);
    if (!current) return;
    open.delete(actorId);
    const { record } = current;
    record.state = state;
    record.durationMs = durationMs;
    record.span.durationMs = durationMs;
    record.errors.push(
      ...errors.map((error) => ({ code: codeOf(error), message: messageOf(error) })),
    );
    if (record.errors[0]) record.span.error = record.errors[0].code;
    publish(record);
  }

  const hooks: OrchestratorHooks = {
    onTickStart({ actor, input }) {
      const started = Date.now();
      const record: TickRecord = {
        seq: ++seq,
        actorId: actor.id,
        at: started,
        state: 'running',
        sent: [],
        toolCalls: [],
        errors: [],
        span: node(`invoke_agent ${actorLabel(actor)}`, 0, { 'gen_ai.agent.id': actor.id }),
      };
      if (input.userMessage !== undefined) {
        record.input = {
          from: input.from ?? 'user',
          content: input.userMessage,
          messageId: input.messageId,
          conversationId: input.conversationId,
        };
      }
      const kept = byActor.get(actor.id) ?? [];
      kept.push(record);
      if (kept.length > limit) kept.shift();
      byActor.set(actor.id, kept);
      open.set(actor.id, { record, started });
      publish(record);
    },
    onBehaviorStart({ actor, behavior }) {
      const state = open.get(actor.id);
      if (!state) return;
      state.behavior = node(`behavior ${behavior.name}`, offset(state));
      state.record.span.children.push(state.behavior);
    },
    onBehaviorEnd({ actor, durationMs, error }) {
      const state = open.get(actor.id);
      if (!state?.behavior) return;
      state.behavior.durationMs = durationMs;
      if (error) state.behavior.error = error.code;
      state.behavior = undefined;
    },
    onActionStart({ actor, action }) {
      const state = open.get(actor.id);
      if (!state) return;
      const name =
        action.type === 'tool'
          ? `execute_tool ${action.name}`
          : action.type === 'message' || action.type === 'handoff'
            ? `send ${action.target ?? 'reply'}`
            : `action ${action.type}`;
      state.action = node(name, offset(state));
      parent(state).children.push(state.action);
    },
    onActionEnd({ actor, result }) {
      const state = open.get(actor.id);
      const span = state?.action;
      if (!state || !span) return;
      state.action = undefined;
      span.durationMs = result.durationMs;
      if (result.error) span.error = result.error.code;
      const { action } = result;
      if ((action.type === 'message' || action.type === 'handoff') && result.ok) {
        const message = result.result as { id?: string; to: string; content: string };
        span.name = `send ${message.to}`;
        state.record.sent.push({ to: message.to, content: message.content, id: message.id });
      } else if (action.type === 'tool') {
        state.record.toolCalls.push({
          name: action.name,
          args: action.args,
          ...(result.ok ? { result: result.result } : { error: codeOf(result.error) }),
        });
      }
    },
    onModelCall({ actor, options, reply, error, durationMs }) {
      const state = open.get(actor.id);
      if (!state) return;
      const model = (reply?.metadata?.model as string | undefined) ?? options.model;
      const usage = reply?.metadata?.usage as
        | { inputTokens?: number; outputTokens?: number }
        | undefined;
      const attributes: SpanNode['attributes'] = {};
      if (model !== undefined) attributes['gen_ai.response.model'] = model;
      if (typeof usage?.inputTokens === 'number')
        attributes['gen_ai.usage.input_tokens'] = usage.inputTokens;
      if (typeof usage?.outputTokens === 'number')
        attributes['gen_ai.usage.output_tokens'] = usage.outputTokens;
      const span = node(
        model === undefined ? 'chat' : `chat ${model}`,
        offset(state) - durationMs,
        attributes,
      );
      span.durationMs = durationMs;
      if (error !== undefined) span.error = codeOf(error);
      parent(state).children.push(span);
    },
    onToolCall({ actor, name, args, toolCallId, result, error, durationMs }) {
      const state = open.get(actor.id);
      if (!state) return;
      const attributes: SpanNode['attributes'] = {};
      if (toolCallId !== undefined) attributes['gen_ai.tool.call.id'] = toolCallId;
      const span = node(`execute_tool ${name}`, offset(state) - durationMs, attributes);
      span.durationMs = durationMs;
      if (error !== undefined) span.error = codeOf(error);
      parent(state).children.push(span);
      state.record.toolCalls.push({
        name,
        toolCallId,
        args,
        ...(error === undefined ? { result } : { error: `${codeOf(error)}: ${messageOf(error)}` }),
      });
    },
    onTickEnd({ actor, result }) {
      finish(actor.id, result.state, result.durationMs, result.errors);
    },
    onTickFailed({ actor, error }) {
      const state = open.get(actor.id);
      finish(actor.id, 'rejected', state ? offset(state) : 0, [error]);
    },
  };

  return {
    hooks,
    ticks: (actorId) => [...(byActor.get(actorId) ?? [])],
    lastTick: (actorId) => byActor.get(actorId)?.at(-1),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
