import type { ActorPatch, ActorStatePort, SpawnOptions } from '../ports/actor-state-port';
import type { Actor, ActorScript } from '../types';

/**
 * The state port ticks run on: every actor a `spawn` action creates is reported to `spawned`
 * (the runtime gives it a mailbox at once, so a message to it — even from the same plan — waits
 * for its `startActor` instead of being taken for a message leaving the system). A class, so a
 * durable tick, which wraps its transaction's view, allocates one small object.
 */
export class SpawnRegisteringState implements ActorStatePort {
  remove?: (id: string) => Promise<boolean>;

  constructor(
    private readonly state: ActorStatePort,
    private readonly spawned: (actor: Actor) => void,
  ) {
    if (state.remove) this.remove = (id) => state.remove!(id);
  }

  async spawn(script: ActorScript, goal: string, options?: SpawnOptions): Promise<Actor> {
    const actor = await this.state.spawn(script, goal, options);
    this.spawned(actor);
    return actor;
  }

  list(): Promise<Actor[]> {
    return this.state.list();
  }

  get(id: string): Promise<Actor | null> {
    return this.state.get(id);
  }

  update(id: string, patch: ActorPatch): Promise<Actor> {
    return this.state.update(id, patch);
  }
}
