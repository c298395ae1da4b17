import { ActorError, ConfigError, makeOrchestrator } from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import { createTestActor, createTestScript } from './fixtures';
import { createMockActorState } from './mock-actor-state';
import { MockContextAdapter } from './mock-context-adapter';
import { MockLlmAdapter } from './mock-llm-adapter';
import { createMockMessageBus } from './mock-message-bus';
import { createMockScheduler } from './mock-scheduler';
import { MockToolAdapter } from './mock-tool-adapter';

describe('createMockActorState', () => {
  it('upserts an unknown id on update by default, and records every update', async () => {
    const state = createMockActorState({ now: () => 7 });
    const updated = await state.update('ghost', { state: 'running' });
    expect(updated).toMatchObject({ id: 'ghost', state: 'running', goals: [], updatedAt: 7 });
    expect(await state.get('ghost')).toMatchObject({ id: 'ghost', state: 'running' });
    expect(state.getUpdates()).toEqual([{ id: 'ghost', patch: { state: 'running' } }]);
  });

  it('lets an orchestrator tick an actor it never stored, recording the state changes', async () => {
    const state = createMockActorState();
    const bus = createMockMessageBus();
    const orchestrator = makeOrchestrator({
      now: () => 0,
      log: () => {},
      context: new MockContextAdapter(),
      tools: new MockToolAdapter(),
      llm: new MockLlmAdapter(),
      bus,
      schedule: createMockScheduler(),
      state,
    });
    const actor = createTestActor();
    const result = await orchestrator.tickActor(actor, { userMessage: 'Hello, test!' });
    expect(result.errors).toEqual([]);
    expect(state.getUpdates(actor.id).map(({ patch }) => patch.state)).toEqual(['running', 'idle']);
    expect(bus.getCalls()).toMatchObject([
      { from: 'test-actor', to: 'user', content: 'Hello, test!' },
    ]);
  });

  it('rejects an unknown id with ACTOR_NOT_FOUND in reject mode', async () => {
    const state = createMockActorState({ unknownIds: 'reject' });
    const error = await state.update('ghost', { state: 'idle' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ActorError);
    expect((error as ActorError).code).toBe('ACTOR_NOT_FOUND');
    expect(state.getUpdates()).toHaveLength(1);
  });

  it('seeds actors, spawns with deterministic ids and refuses duplicates', async () => {
    const seeded = createTestActor({ id: 'actor-1' });
    const state = createMockActorState({ actors: [seeded], now: () => 100 });
    const spawned = await state.spawn(createTestScript(), 'Do it');
    expect(spawned).toMatchObject({
      id: 'actor-2',
      goals: ['Do it'],
      state: 'idle',
      createdAt: 100,
    });
    await expect(state.spawn(createTestScript(), 'again', { id: 'actor-1' })).rejects.toMatchObject(
      {
        code: 'ACTOR_EXISTS',
      },
    );
    expect((await state.list()).map((actor) => actor.id)).toEqual(['actor-1', 'actor-2']);
  });

  it('keeps behaviors callable in the copies it hands out', async () => {
    const state = createMockActorState({ actors: [createTestActor()] });
    const actor = await state.get('test-actor');
    const behavior = actor?.script.talents[0]?.behaviors[0];
    expect(typeof behavior?.plan).toBe('function');
  });

  it('puts, removes and resets', async () => {
    const state = createMockActorState();
    state.put(createTestActor({ id: 'x' }));
    expect(await state.remove('x')).toBe(true);
    expect(await state.remove('x')).toBe(false);
    state.put(createTestActor({ id: 'y' }));
    await state.update('y', { state: 'paused' });
    state.reset();
    expect(await state.list()).toEqual([]);
    expect(state.getUpdates()).toEqual([]);
  });

  describe('bad input fails at the call that made the mistake', () => {
    it('rejects a malformed seeded or put actor', () => {
      expect(() => createMockActorState({ actors: [{ id: '' } as never] })).toThrow(ConfigError);
      expect(() => createMockActorState().put({ id: 'x', goals: [] } as never)).toThrow(
        /actor\.script/,
      );
    });

    it('rejects a malformed script at spawn', async () => {
      await expect(
        createMockActorState().spawn({ name: 'x', talents: 'none' } as never, 'goal'),
      ).rejects.toThrow(/script\.talents/);
    });

    it('rejects a malformed patch at update', async () => {
      const state = createMockActorState();
      await expect(state.update('a', { state: 'sleeping' } as never)).rejects.toThrow(
        /patch\.state/,
      );
      await expect(state.update('a', { id: 'b' } as never)).rejects.toThrow(/patch\.id/);
      await expect(state.update('a', { colour: 'red' } as never)).rejects.toThrow(/patch\.colour/);
    });

    it('rejects an unknown unknownIds mode', () => {
      expect(() => createMockActorState({ unknownIds: 'ignore' as never })).toThrow(ConfigError);
    });
  });
});
