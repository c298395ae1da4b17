import {
  ActorError,
  type ActorScript,
  type ActorStatePort,
  ConfigError,
} from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import {
  type ContractOptions,
  detectFeatures,
  expectPantheonError,
  failureOf,
  featureTitle,
  type PortFactory,
  usePort,
} from './support';

/** Optional `ActorStatePort` methods the suite tests when the adapter has them. */
export interface ActorStatePortFeatures {
  remove: boolean;
}

/** Options of `describeActorStatePortContract`. */
export interface ActorStatePortContractOptions<P extends ActorStatePort>
  extends ContractOptions<P> {
  /** Overrides the detected features. */
  features?: Partial<ActorStatePortFeatures>;
}

/** Which optional `ActorStatePort` methods `port` has. */
export function detectActorStatePortFeatures(port: ActorStatePort): ActorStatePortFeatures {
  return { remove: typeof port.remove === 'function' };
}

function script(name: string): ActorScript {
  return {
    name,
    description: `The ${name} script`,
    talents: [
      {
        name: 'talk',
        behaviors: [{ name: 'reply', mode: 'active', plan: () => ({ actions: [] }) }],
      },
    ],
    contextSources: [{ type: 'text', content: 'Be helpful.' }],
  };
}

/**
 * Registers the `ActorStatePort` contract for an adapter: `spawn` creates an actor with a fresh
 * id (or the one given), `goals` defaulting to `[goal]`, and the given name and metadata; `get`
 * returns it (`null` for an unknown id); `list` returns every actor in spawn order; `update`
 * merges a patch, returns and stores the result, and rejects an unknown id with `ActorError`
 * `ACTOR_NOT_FOUND`; `spawn` rejects an invalid script with `ConfigError` `SCRIPT_INVALID` and a
 * taken id with `ActorError` `ACTOR_EXISTS`, storing nothing; actors handed out are copies — and,
 * when the adapter has it, `remove`.
 *
 * @example
 * describeActorStatePortContract('SqliteActorStateAdapter', () => new SqliteActorStateAdapter(':memory:'),
 *   { cleanup: (adapter) => adapter.close() });
 */
export function describeActorStatePortContract<P extends ActorStatePort>(
  name: string,
  factory: PortFactory<P>,
  options: ActorStatePortContractOptions<P> = {},
): void {
  describe(`ActorStatePort contract: ${name}`, async () => {
    const features = await detectFeatures(
      factory,
      options.cleanup,
      detectActorStatePortFeatures,
      options.features,
    );

    describe(`features${featureTitle(features) || ' [none]'}`, () => {
      const state = usePort(factory, options.cleanup);

      it('spawns an actor that `get` returns', async () => {
        const actor = await state().spawn(script('support'), 'Help customers');
        expect(typeof actor.id).toBe('string');
        expect(actor.id).not.toBe('');
        expect(actor.script.name).toBe('support');
        expect(actor.goals).toEqual(['Help customers']);
        const stored = await state().get(actor.id);
        expect(stored?.id).toBe(actor.id);
        expect(stored?.script.name).toBe('support');
        expect(stored?.goals).toEqual(['Help customers']);
      });

      it('honours the spawn options', async () => {
        const actor = await state().spawn(script('support'), 'ignored when goals are given', {
          id: 'support-7',
          name: 'Support #7',
          goals: ['Answer', 'Escalate'],
          metadata: { team: 'blue' },
        });
        expect(actor).toMatchObject({
          id: 'support-7',
          name: 'Support #7',
          goals: ['Answer', 'Escalate'],
          metadata: { team: 'blue' },
        });
        expect(await state().get('support-7')).toMatchObject({
          name: 'Support #7',
          goals: ['Answer', 'Escalate'],
          metadata: { team: 'blue' },
        });
      });

      it('gives each spawned actor its own id', async () => {
        const ids = new Set<string>();
        for (let index = 0; index < 5; index++) {
          ids.add((await state().spawn(script('worker'), `job ${index}`)).id);
        }
        expect(ids.size).toBe(5);
      });

      it('returns null for an unknown id', async () => {
        expect(await state().get('nobody')).toBeNull();
      });

      it('lists every actor in spawn order', async () => {
        const spawned = [];
        for (const role of ['first', 'second', 'third']) {
          spawned.push(await state().spawn(script(role), `be ${role}`));
        }
        const listed = await state().list();
        expect(listed.map((actor) => actor.id)).toEqual(spawned.map((actor) => actor.id));
        expect(listed.map((actor) => actor.script.name)).toEqual(['first', 'second', 'third']);
      });

      it('merges an update, returns it and keeps it', async () => {
        const actor = await state().spawn(script('support'), 'Help customers', {
          metadata: { team: 'blue' },
        });
        const updated = await state().update(actor.id, {
          state: 'running',
          metadata: { lastTick: { at: 5 } },
        });
        expect(updated).toMatchObject({
          id: actor.id,
          state: 'running',
          goals: ['Help customers'],
          metadata: { lastTick: { at: 5 } },
        });
        expect(updated.script.name).toBe('support');
        const stored = await state().get(actor.id);
        expect(stored).toMatchObject({ state: 'running', goals: ['Help customers'] });
        expect(stored?.metadata).toEqual({ lastTick: { at: 5 } });
        await state().update(actor.id, { state: 'idle' });
        expect((await state().get(actor.id))?.state).toBe('idle');
      });

      it('rejects an update of an unknown id with ACTOR_NOT_FOUND', async () => {
        const error = expectPantheonError(
          await failureOf(() => state().update('nobody', { state: 'running' })),
          'ACTOR_NOT_FOUND',
          ActorError,
        );
        expect(error.details?.actorId).toBe('nobody');
        expect(await state().get('nobody')).toBeNull();
      });

      it('rejects an invalid script at `spawn` with SCRIPT_INVALID, storing nothing', async () => {
        const invalid = { ...script('broken'), talents: 'not a list' } as unknown as ActorScript;
        const error = expectPantheonError(
          await failureOf(() => state().spawn(invalid, 'Do something', { id: 'broken-1' })),
          'SCRIPT_INVALID',
          ConfigError,
        );
        expect(JSON.stringify(error.details?.issues)).toContain('script.talents');
        expect(await state().get('broken-1')).toBeNull();
        expect(await state().list()).toEqual([]);
      });

      it('rejects a `spawn` with a taken id with ACTOR_EXISTS and keeps the first actor', async () => {
        await state().spawn(script('support'), 'Help customers', { id: 'support-1' });
        const error = expectPantheonError(
          await failureOf(() =>
            state().spawn(script('support'), 'Something else', { id: 'support-1' }),
          ),
          'ACTOR_EXISTS',
          ActorError,
        );
        expect(error.details?.actorId).toBe('support-1');
        expect((await state().get('support-1'))?.goals).toEqual(['Help customers']);
        expect(await state().list()).toHaveLength(1);
      });

      it('hands out copies or frozen snapshots: changing a returned actor changes nothing stored', async () => {
        // A frozen snapshot refuses the change (TypeError in strict mode); a copy takes it harmlessly.
        const tryToChange = (change: () => void) => {
          try {
            change();
          } catch (error) {
            if (!(error instanceof TypeError)) throw error;
          }
        };
        const actor = await state().spawn(script('support'), 'Help customers');
        tryToChange(() => {
          actor.state = 'failed';
          actor.name = 'changed';
        });
        const fetched = await state().get(actor.id);
        tryToChange(() => {
          fetched!.state = 'failed';
          fetched!.metadata = { changed: true };
        });
        const stored = await state().get(actor.id);
        expect(stored?.state).not.toBe('failed');
        expect(stored?.name).toBeUndefined();
        expect(stored?.metadata).toBeUndefined();
      });

      if (features.remove) {
        it('removes an actor: it is then unknown', async () => {
          const actor = await state().spawn(script('temporary'), 'Do one thing');
          const keeper = await state().spawn(script('keeper'), 'Stay');
          expect(await state().remove!(actor.id)).toBe(true);
          expect(await state().remove!(actor.id)).toBe(false);
          expect(await state().get(actor.id)).toBeNull();
          expect((await state().list()).map((entry) => entry.id)).toEqual([keeper.id]);
          expectPantheonError(
            await failureOf(() => state().update(actor.id, { state: 'running' })),
            'ACTOR_NOT_FOUND',
            ActorError,
          );
        });
      }
    });
  });
}
