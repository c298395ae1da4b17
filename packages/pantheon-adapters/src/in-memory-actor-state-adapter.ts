import {
  type Actor,
  ActorError,
  type ActorPatch,
  type ActorScript,
  ActorScriptSchema,
  type ActorStatePort,
  ConfigError,
  check,
  describeIssues,
  type SpawnOptions,
} from '@promethean-os/pantheon-core';

/** Options of `InMemoryActorStateAdapter`. */
export interface InMemoryActorStateOptions {
  /** Clock for `createdAt`/`updatedAt`; defaults to `Date.now`. */
  now?: () => number;
}

function copy(actor: Actor): Actor {
  const copied: Actor = { ...actor, goals: [...actor.goals] };
  if (actor.metadata) copied.metadata = { ...actor.metadata };
  return copied;
}

/**
 * Actors held in memory. Returned actors are copies: changing them does not change the store
 * (scripts are shared, since they hold functions).
 */
export class InMemoryActorStateAdapter implements ActorStatePort {
  private readonly actors = new Map<string, Actor>();
  private readonly now: () => number;

  constructor(options: InMemoryActorStateOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async spawn(script: ActorScript, goal: string, options: SpawnOptions = {}): Promise<Actor> {
    const checked = check<ActorScript>(ActorScriptSchema, script, 'script');
    if (!checked.ok) {
      throw new ConfigError(`Cannot spawn an invalid script: ${describeIssues(checked.issues)}`, {
        issues: checked.issues,
      });
    }
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
    this.actors.set(id, copy(actor));
    return copy(actor);
  }

  async list(): Promise<Actor[]> {
    return [...this.actors.values()].map(copy);
  }

  async get(id: string): Promise<Actor | null> {
    const actor = this.actors.get(id);
    return actor ? copy(actor) : null;
  }

  async update(id: string, patch: ActorPatch): Promise<Actor> {
    const actor = this.actors.get(id);
    if (!actor) {
      throw new ActorError(`Actor "${id}" not found`, id, undefined, { code: 'ACTOR_NOT_FOUND' });
    }
    const updated = copy({ ...actor, ...patch, id, updatedAt: this.now() });
    this.actors.set(id, updated);
    return copy(updated);
  }

  async remove(id: string): Promise<boolean> {
    return this.actors.delete(id);
  }
}
