import type { ActorScript } from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import { InMemoryActorStateAdapter } from './in-memory-actor-state-adapter';

const script: ActorScript = { name: 'helper', talents: [], contextSources: [] };

describe('InMemoryActorStateAdapter', () => {
  it('spawns, lists, gets, updates and removes actors', async () => {
    let clock = 1000;
    const state = new InMemoryActorStateAdapter({ now: () => clock });
    const actor = await state.spawn(script, 'assist', {
      id: 'a-1',
      name: 'Ada',
      metadata: { team: 'x' },
    });
    expect(actor).toEqual({
      id: 'a-1',
      name: 'Ada',
      script,
      goals: ['assist'],
      state: 'idle',
      createdAt: 1000,
      updatedAt: 1000,
      metadata: { team: 'x' },
    });
    const generated = await state.spawn(script, 'other', { goals: ['g1', 'g2'] });
    expect(generated.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.goals).toEqual(['g1', 'g2']);
    expect((await state.list()).map((candidate) => candidate.id)).toEqual(['a-1', generated.id]);

    clock = 2000;
    const updated = await state.update('a-1', { state: 'running' });
    expect(updated).toMatchObject({ state: 'running', updatedAt: 2000, createdAt: 1000 });
    expect((await state.get('a-1'))?.state).toBe('running');
    expect(await state.remove('a-1')).toBe(true);
    expect(await state.get('a-1')).toBeNull();
    expect(await state.remove('a-1')).toBe(false);
  });

  it('returns frozen snapshots, so only update changes the store', async () => {
    const state = new InMemoryActorStateAdapter();
    const actor = await state.spawn(script, 'g', { id: 'a', metadata: { n: 1 } });
    expect(() => {
      actor.state = 'failed';
    }).toThrow(TypeError);
    expect(() => actor.goals.push('mutated')).toThrow(TypeError);
    expect(() => {
      actor.metadata!.n = 2;
    }).toThrow(TypeError);
    const updated = await state.update('a', { state: 'running' });
    expect(actor.state).toBe('idle');
    expect(await state.get('a')).toBe(updated);
    expect(updated).toMatchObject({ state: 'running', goals: ['g'], metadata: { n: 1 } });
  });

  it('rejects updates of unknown actors with ACTOR_NOT_FOUND and duplicate ids with ACTOR_EXISTS', async () => {
    const state = new InMemoryActorStateAdapter();
    await expect(state.update('ghost', { state: 'idle' })).rejects.toMatchObject({
      name: 'ActorError',
      code: 'ACTOR_NOT_FOUND',
      actorId: 'ghost',
    });
    await state.spawn(script, 'g', { id: 'dup' });
    await expect(state.spawn(script, 'g', { id: 'dup' })).rejects.toMatchObject({
      code: 'ACTOR_EXISTS',
    });
    expect(await state.list()).toHaveLength(1);
  });

  it('rejects an invalid script with a ConfigError SCRIPT_INVALID naming the field', async () => {
    const state = new InMemoryActorStateAdapter();
    await expect(state.spawn({ name: 'bad', talents: 'x' } as never, 'g')).rejects.toMatchObject({
      code: 'SCRIPT_INVALID',
      message: expect.stringContaining('script.talents'),
    });
    expect(await state.list()).toEqual([]);
  });
});
