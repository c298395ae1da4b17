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

/** A frozen snapshot: readers share it, and only `update` makes a new one. */
function snapshot(actor: Actor): Actor {
  const frozen: Actor = { ...actor };
  if (!Object.isFrozen(actor.goals)) frozen.goals = Object.freeze([...actor.goals]) as string[];
  if (actor.metadata && !Object.isFrozen(actor.metadata))
    frozen.metadata = Object.freeze({ ...actor.metadata });
  return Object.freeze(frozen);
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
      state: 'idle',
      createdAt: at,
      updatedAt: at,
    };
    if (options.name !== undefined) actor.name = options.name;
    if (options.metadata !== undefined) actor.metadata = options.metadata;
    const stored = snapshot(actor);
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
    const updated = snapshot({ ...actor, ...patch, id, updatedAt: this.now() });
    this.actors.set(id, updated);
    return updated;
  }

  async remove(id: string): Promise<boolean> {
    return this.actors.delete(id);
  }
}
