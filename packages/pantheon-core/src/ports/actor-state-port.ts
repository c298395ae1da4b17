import type { Actor, ActorScript } from '../types';

/** Optional settings of `ActorStatePort.spawn`. */
export interface SpawnOptions {
  /** Defaults to a random UUID. */
  id?: string;
  name?: string;
  /** Defaults to `[goal]`. */
  goals?: string[];
  metadata?: Record<string, unknown>;
}

/** Fields `update` may change (shallow merge; `metadata` is replaced as given). */
export type ActorPatch = Partial<Omit<Actor, 'id'>>;

/** Where actors live. */
export interface ActorStatePort {
  spawn(script: ActorScript, goal: string, options?: SpawnOptions): Promise<Actor>;
  list(): Promise<Actor[]>;
  get(id: string): Promise<Actor | null>;
  /** Rejects with `ActorError` (`ACTOR_NOT_FOUND`) for an unknown id. */
  update(id: string, patch: ActorPatch): Promise<Actor>;
  /** `true` when the actor existed. */
  remove?(id: string): Promise<boolean>;
}
