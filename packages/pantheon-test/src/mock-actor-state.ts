import {
  type Actor,
  ActorError,
  type ActorPatch,
  ActorSchema,
  type ActorScript,
  type ActorStatePort,
  checkActorScript,
  type SpawnOptions,
  type ValidationIssue,
} from '@promethean-os/pantheon-core';
import { check, describeValue, invalidArgument } from '@promethean-os/pantheon-core/adapter-kit';
import { copyData } from './internal/copy-data';
import { type RecordedCalls, recorded } from './recorded-calls';

/** Options of `createMockActorState`. */
export interface MockActorStateOptions {
  /** Actors present from the start (validated), e.g. the actor a loop test ticks. */
  actors?: Actor[];
  /**
   * What `update` does with an id it does not know: `'upsert'` (default) creates the actor from
   * the patch, so an orchestrator can tick an actor the test never stored; `'reject'` rejects
   * with `ActorError` `ACTOR_NOT_FOUND`, like a real adapter (the contract suite runs this mode).
   */
  unknownIds?: 'upsert' | 'reject';
  /** Clock for `createdAt`/`updatedAt`. Default `Date.now`. */
  now?: () => number;
}

/** One recorded `update` call. */
export interface MockActorUpdate {
  id: string;
  patch: ActorPatch;
}

/** A working in-memory `ActorStatePort` that records updates. */
export interface MockActorState extends Required<ActorStatePort> {
  /** Every `update` call so far (copies), oldest first; only those for `id` when given. */
  getUpdates(id?: string): RecordedCalls<MockActorUpdate>;
  /** Stores `actor` as is (validated), replacing one with the same id; returns a copy. */
  put(actor: Actor): Actor;
  /** Removes every actor and forgets the updates. */
  reset(): void;
}

/** What an upsert creates for an unknown id when the patch has no script. */
const PLACEHOLDER_SCRIPT: ActorScript = { name: 'unknown', talents: [], contextSources: [] };

const PATCH_KEYS = new Set([
  'script',
  'goals',
  'name',
  'state',
  'createdAt',
  'updatedAt',
  'metadata',
]);

function patchIssues(patch: unknown): ValidationIssue[] {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    return [{ path: 'patch', message: `expected an object, received ${describeValue(patch)}` }];
  }
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(patch)) {
    if (key === 'id') issues.push({ path: 'patch.id', message: 'an actor id cannot be changed' });
    else if (!PATCH_KEYS.has(key))
      issues.push({ path: `patch.${key}`, message: 'not an actor field' });
  }
  const shape = ActorSchema.pick({
    script: true,
    goals: true,
    name: true,
    state: true,
    createdAt: true,
    updatedAt: true,
    metadata: true,
  }).partial();
  const checked = check(shape, patch, 'patch');
  if (!checked.ok) issues.push(...checked.issues);
  return issues;
}

/** Copies an actor: plain data deeply, behaviors (functions, class instances) by reference. */
function copyActor(actor: Actor): Actor {
  return copyData(actor);
}

/**
 * Creates a working in-memory `ActorStatePort` for unit tests: `spawn`, `get`, `list` (in
 * insertion order), `update` (shallow merge) and `remove` work, every value handed out is a
 * copy, and every `update` is recorded (`getUpdates()`). By default `update` of an unknown id
 * upserts the actor (see `unknownIds`), so a test can tick an actor it never stored; a loop test
 * must still store it (`actors` or `put`), because `startActorLoop` re-reads it with `get`.
 * Spawned actors get ids `actor-1`, `actor-2`, … unless `options.id` is given.
 *
 * @example
 * const actor = createTestActor();
 * const state = createMockActorState({ actors: [actor] });
 * await makeOrchestrator({ ...ports, state }).tickActor(actor);
 * state.getUpdates(actor.id).map(({ patch }) => patch.state); // ['running', 'idle']
 */
export function createMockActorState(options: MockActorStateOptions = {}): MockActorState {
  const unknownIds = options.unknownIds ?? 'upsert';
  if (unknownIds !== 'upsert' && unknownIds !== 'reject') {
    throw invalidArgument('createMockActorState', [
      {
        path: 'unknownIds',
        message: `expected 'upsert' or 'reject', received ${String(unknownIds)}`,
      },
    ]);
  }
  const now = options.now ?? Date.now;
  const actors = new Map<string, Actor>();
  let updates: MockActorUpdate[] = [];
  let counter = 0;

  function put(actor: Actor): Actor {
    const checked = check<Actor>(ActorSchema, actor, 'actor');
    if (!checked.ok) throw invalidArgument('MockActorState.put', checked.issues);
    actors.set(actor.id, copyActor(actor));
    return copyActor(actor);
  }

  for (const actor of options.actors ?? []) put(actor);

  return {
    async spawn(script: ActorScript, goal: string, spawnOptions: SpawnOptions = {}) {
      checkActorScript(script);
      const issues: ValidationIssue[] = [];
      if (typeof goal !== 'string') issues.push({ path: 'goal', message: 'expected a string' });
      if (
        spawnOptions.id !== undefined &&
        (typeof spawnOptions.id !== 'string' || spawnOptions.id === '')
      ) {
        issues.push({ path: 'options.id', message: 'expected a non-empty string' });
      }
      if (issues.length > 0) throw invalidArgument('MockActorState.spawn', issues);

      let id = spawnOptions.id;
      if (id === undefined) {
        do id = `actor-${++counter}`;
        while (actors.has(id));
      } else if (actors.has(id)) {
        throw new ActorError(`An actor with id "${id}" already exists`, id, undefined, {
          code: 'ACTOR_EXISTS',
        });
      }
      const time = now();
      const actor: Actor = {
        id,
        script,
        goals: spawnOptions.goals ? [...spawnOptions.goals] : [goal],
        state: 'idle',
        createdAt: time,
        updatedAt: time,
      };
      if (spawnOptions.name !== undefined) actor.name = spawnOptions.name;
      if (spawnOptions.metadata !== undefined) actor.metadata = spawnOptions.metadata;
      actors.set(id, copyActor(actor));
      return copyActor(actor);
    },
    async list() {
      return [...actors.values()].map(copyActor);
    },
    async get(id) {
      const actor = actors.get(id);
      return actor ? copyActor(actor) : null;
    },
    async update(id, patch) {
      updates.push({ id, patch: copyData(patch) });
      const issues = patchIssues(patch);
      if (issues.length > 0) throw invalidArgument('MockActorState.update', issues);
      const current = actors.get(id);
      if (!current && unknownIds === 'reject') {
        throw new ActorError(`Actor "${id}" not found`, id, undefined, { code: 'ACTOR_NOT_FOUND' });
      }
      const base: Actor = current ?? {
        id,
        script: PLACEHOLDER_SCRIPT,
        goals: [],
        createdAt: now(),
      };
      const updated: Actor = { ...base, ...copyData(patch), id };
      if (patch.updatedAt === undefined) updated.updatedAt = now();
      actors.set(id, updated);
      return copyActor(updated);
    },
    async remove(id) {
      return actors.delete(id);
    },
    getUpdates(id) {
      return recorded(
        updates
          .filter((update) => id === undefined || update.id === id)
          .map((update) => copyData(update)),
      );
    },
    put,
    reset() {
      actors.clear();
      updates = [];
      counter = 0;
    },
  };
}
