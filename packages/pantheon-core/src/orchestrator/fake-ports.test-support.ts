// Minimal working ports for the core's own tests (the core cannot depend on the adapter or test
// packages, which depend on it). Timers are real `setTimeout`s, so `vi.useFakeTimers()` turns
// them into virtual time.
import { ActorError } from '../errors';
import type { ActorStatePort } from '../ports/actor-state-port';
import type { ContextPort } from '../ports/context-port';
import type { LlmPort } from '../ports/llm-port';
import type { BusMessage, MessageBus } from '../ports/message-bus';
import type { Scheduler } from '../ports/scheduler';
import type { ToolPort } from '../ports/tool-port';
import type { Actor, ActorScript, Behavior, Message, ToolSpec } from '../types';
import type { OrchestratorDeps } from './types';

export function fakeScheduler(): Scheduler {
  return {
    every(ms, job) {
      let running = false;
      const timer = setInterval(async () => {
        if (running) return;
        running = true;
        try {
          await job();
        } finally {
          running = false;
        }
      }, ms);
      return () => clearInterval(timer);
    },
    once(ms, job) {
      const timer = setTimeout(job, ms);
      return () => clearTimeout(timer);
    },
  };
}

export function fakeState(actors: Actor[] = []): ActorStatePort & { actors: Map<string, Actor> } {
  const map = new Map(actors.map((actor) => [actor.id, { ...actor }]));
  return {
    actors: map,
    async spawn(script, goal, options = {}) {
      const actor: Actor = {
        id: options.id ?? `spawned-${map.size + 1}`,
        script,
        goals: options.goals ?? [goal],
        state: 'idle',
      };
      if (options.metadata) actor.metadata = options.metadata;
      if (options.name) actor.name = options.name;
      map.set(actor.id, actor);
      return { ...actor };
    },
    async list() {
      return [...map.values()];
    },
    async get(id) {
      const actor = map.get(id);
      return actor ? { ...actor } : null;
    },
    async update(id, patch) {
      const actor = map.get(id);
      if (!actor)
        throw new ActorError(`Actor "${id}" not found`, id, undefined, { code: 'ACTOR_NOT_FOUND' });
      const updated = { ...actor, ...patch };
      map.set(id, updated);
      return { ...updated };
    },
  };
}

/** History is kept per actor and conversation: `actorId`, or `actorId/conversationId`. */
function historyKey(actorId: string, conversationId: string | undefined): string {
  return conversationId === undefined ? actorId : `${actorId}/${conversationId}`;
}

export function fakeContext(): ContextPort & {
  history: Map<string, Message[]>;
  store: Map<string, unknown>;
} {
  const history = new Map<string, Message[]>();
  const store = new Map<string, unknown>();
  return {
    history,
    store,
    async compile({ texts = [], sources, actorId, conversationId, from }) {
      const messages: Message[] = [];
      for (const source of sources)
        if (source.type === 'text') messages.push({ role: 'system', content: source.content });
      messages.push(...(actorId ? (history.get(historyKey(actorId, conversationId)) ?? []) : []));
      for (const text of texts)
        messages.push(
          from ? { role: 'user', content: text, name: from } : { role: 'user', content: text },
        );
      return messages;
    },
    async append(actorId, message, options) {
      const key = historyKey(actorId, options?.conversationId);
      history.set(key, [...(history.get(key) ?? []), message]);
    },
    async read(target, options) {
      return store.get(`${options?.actorId}/${target}`);
    },
    async write(target, data, options) {
      store.set(`${options?.actorId}/${target}`, data);
    },
    async delete(target, options) {
      store.delete(`${options?.actorId}/${target}`);
    },
  };
}

export function fakeTools(tools: ToolSpec[] = []): ToolPort {
  const registry = new Map(tools.map((tool) => [tool.name, tool]));
  return {
    register(tool) {
      registry.set(tool.name, tool);
    },
    list: () => [...registry.values()],
    async invoke(name, args, options) {
      const tool = registry.get(name);
      if (!tool) throw new Error(`no tool ${name}`);
      return tool.execute(args, {
        signal: options?.signal,
        actorId: options?.actorId,
        idempotencyKey: options?.idempotencyKey,
      });
    },
  };
}

export function fakeBus(): MessageBus & { sent: BusMessage[] } {
  const sent: BusMessage[] = [];
  const handlers = new Set<(message: BusMessage) => void | Promise<void>>();
  return {
    sent,
    async send(message) {
      sent.push(message);
      for (const handler of handlers) await handler(message);
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
}

export const echoLlm: LlmPort = {
  async complete(messages) {
    return { role: 'assistant', content: `echo: ${messages.at(-1)?.content ?? ''}` };
  },
};

export function scriptWith(
  behaviors: Behavior[],
  contextSources: ActorScript['contextSources'] = [],
): ActorScript {
  return { name: 'test-script', talents: [{ name: 'talent', behaviors }], contextSources };
}

export function actorWith(behaviors: Behavior[], overrides: Partial<Actor> = {}): Actor {
  return {
    id: 'actor-1',
    script: scriptWith(behaviors),
    goals: ['help', 'be brief'],
    state: 'idle',
    ...overrides,
  };
}

export function portsFor(actor: Actor, overrides: Partial<OrchestratorDeps> = {}) {
  const state = fakeState([actor]);
  const context = fakeContext();
  const bus = fakeBus();
  const logs: Array<{ message: string; meta?: Record<string, unknown> }> = [];
  const deps: OrchestratorDeps = {
    now: () => Date.now(),
    log: (message, meta) => logs.push({ message, meta }),
    context,
    tools: fakeTools(),
    llm: echoLlm,
    bus,
    schedule: fakeScheduler(),
    state,
    ...overrides,
  };
  return { deps, state, context, bus, logs };
}
