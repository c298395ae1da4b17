import {
  type Actor,
  ActorError,
  type ActorPatch,
  type ActorScript,
  type ActorStatePort,
  checkActorScript,
  type SpawnOptions,
} from '@promethean-os/pantheon-core';

/** Options of `InMemoryActorStateAdapter`. */
export interface InMemoryActorStateOptions {
  /** Clock for `createdAt`/`updatedAt`; defaults to `Date.now`. */
  now?: () => number;
}

/**
 * A frozen snapshot of `base` with `patch` applied: readers share it, and only `update` makes a
 * new one. Every snapshot has the same fields (`name` and `metadata` may be undefined), which keeps
 * property access fast; goals and metadata the caller still holds are copied first.
 */
function snapshot(base: Actor, patch: ActorPatch, updatedAt: number): Actor {
  const goals = patch.goals ?? base.goals;
  const metadata = 'metadata' in patch ? patch.metadata : base.metadata;
  return Object.freeze({
    id: base.id,
    script: patch.script ?? base.script,
    goals: Object.isFrozen(goals) ? goals : (Object.freeze([...goals]) as string[]),
    name: 'name' in patch ? patch.name : base.name,
    state: patch.state ?? base.state,
    createdAt: patch.createdAt ?? base.createdAt,
    updatedAt,
    metadata:
      metadata === undefined || Object.isFrozen(metadata)
        ? metadata
        : Object.freeze({ ...metadata }),
  });
}

/**
 * Actors held in memory. Returned actors are frozen snapshots (shared, never copied on read);
 * change an actor through `update`. Scripts are shared as given, since they hold functions.
 */
export class InMemoryActorStateAdapter implements ActorStatePort {
  private readonly actors = new Map<string, Actor>();
  private readonly now: () => number;

  constructor(options: InMemoryActorStateOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async spawn(script: ActorScript, goal: string, options: SpawnOptions = {}): Promise<Actor> {
    checkActorScript(script);
    const id = options.id ?? crypto.randomUUID();
    if (this.actors.has(id)) {
      throw new ActorError(`Actor "${id}" already exists`, id, undefined, { code: 'ACTOR_EXISTS' });
    }
    const at = this.now();
    const actor: Actor = {
      id,
      script,
      goals: options.goals ?? [goal],
      name: options.name,
      state: 'idle',
      createdAt: at,
      metadata: options.metadata,
    };
    const stored = snapshot(actor, {}, at);
    this.actors.set(id, stored);
    return stored;
  }

  async list(): Promise<Actor[]> {
    return [...this.actors.values()];
  }

  async get(id: string): Promise<Actor | null> {
    const actor = this.actors.get(id);
    return actor ?? null;
  }

  async update(id: string, patch: ActorPatch): Promise<Actor> {
    const actor = this.actors.get(id);
    if (!actor) {
      throw new ActorError(`Actor "${id}" not found`, id, undefined, { code: 'ACTOR_NOT_FOUND' });
    }
    const updated = snapshot(actor, patch, this.now());
    this.actors.set(id, updated);
    return updated;
  }

  async remove(id: string): Promise<boolean> {
    return this.actors.delete(id);
  }
}
