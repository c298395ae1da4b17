import {
  type Actor,
  ActorError,
  type ActorStatePort,
  type ContextPort,
  type Message,
} from '@promethean-os/pantheon-core';

/**
 * The state a simulation without a store runs on: a plain map, cheap enough for thousands of
 * runs (the mocks validate and copy every call). `update` of an unknown id rejects, as a real
 * store does once an actor is removed.
 */
export function memoryState(now: () => number): ActorStatePort {
  const actors = new Map<string, Actor>();
  const notFound = (id: string) =>
    new ActorError(`Actor "${id}" not found`, id, undefined, { code: 'ACTOR_NOT_FOUND' });
  return {
    async spawn(script, goal, options = {}) {
      const id = options.id ?? `actor-${actors.size + 1}`;
      if (actors.has(id)) {
        throw new ActorError(`An actor with id "${id}" already exists`, id, undefined, {
          code: 'ACTOR_EXISTS',
        });
      }
      const actor: Actor = {
        id,
        script,
        goals: options.goals ? [...options.goals] : [goal],
        state: 'idle',
        createdAt: now(),
      };
      if (options.name !== undefined) actor.name = options.name;
      if (options.metadata !== undefined) actor.metadata = options.metadata;
      actors.set(id, actor);
      return { ...actor };
    },
    async list() {
      return [...actors.values()].map((actor) => ({ ...actor }));
    },
    async get(id) {
      const actor = actors.get(id);
      return actor ? { ...actor } : null;
    },
    async update(id, patch) {
      const actor = actors.get(id);
      if (!actor) throw notFound(id);
      const updated = { ...actor, ...patch, id, updatedAt: now() };
      actors.set(id, updated);
      return { ...updated };
    },
    async remove(id) {
      return actors.delete(id);
    },
  };
}

/** History per actor and conversation, and a key/value store: the context of a memory run. */
export function memoryContext(): ContextPort {
  const history = new Map<string, Message[]>();
  const store = new Map<string, unknown>();
  const key = (actorId: string, conversationId: string | undefined) =>
    conversationId === undefined ? actorId : `${actorId}\u0000${conversationId}`;
  return {
    async compile(options) {
      const past = options.actorId
        ? (history.get(key(options.actorId, options.conversationId)) ?? []).slice(-20)
        : [];
      const inputs = (options.texts ?? []).map(
        (text): Message =>
          options.from
            ? { role: 'user', content: text, name: options.from }
            : { role: 'user', content: text },
      );
      return [...past, ...inputs];
    },
    async append(actorId, message, options) {
      const entries = history.get(key(actorId, options?.conversationId)) ?? [];
      entries.push(message);
      history.set(key(actorId, options?.conversationId), entries);
    },
    async read(target, options) {
      return store.get(`${options?.actorId ?? ''}\u0000${target}`);
    },
    async write(target, data, options) {
      store.set(`${options?.actorId ?? ''}\u0000${target}`, data);
    },
    async delete(target, options) {
      store.delete(`${options?.actorId ?? ''}\u0000${target}`);
    },
  };
}
