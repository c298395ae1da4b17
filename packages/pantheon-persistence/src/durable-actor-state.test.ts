import { afterAll, describe, expect, it } from 'vitest';
import { backends, quietScript } from './backends.test-support';
import { ScriptRegistry } from './script-registry';

for (const makeBackend of backends) {
  const backend = makeBackend();
  afterAll(() => backend.cleanup());

  describe(`DurableActorState (${backend.name})`, () => {
    it('numbers versions and rejects a stale writer with VERSION_CONFLICT', async () => {
      const first = await backend.create();
      const second = await backend.reopen(first);
      const spawned = await first.actors.spawn(quietScript('support'), 'Help', { id: 'a' });
      expect(spawned.version).toBe(1);
      const seenByFirst = await first.actors.get('a');
      const seenBySecond = await second.actors.get('a');
      const updated = await first.actors.update(
        'a',
        { state: 'paused' },
        { expectedVersion: seenByFirst!.version },
      );
      expect(updated.version).toBe(2);
      const conflict = second.actors.update(
        'a',
        { name: 'stale' },
        { expectedVersion: seenBySecond!.version },
      );
      await expect(conflict).rejects.toMatchObject({
        name: 'ActorError',
        code: 'VERSION_CONFLICT',
        details: { actorId: 'a', expectedVersion: 1, actualVersion: 2 },
      });
      expect(await second.actors.get('a')).toMatchObject({ state: 'paused', version: 2 });
      expect(await second.actors.getVersion('a')).toBe(2);
      expect(await second.actors.getVersion('nobody')).toBeUndefined();
    });

    it('merges updates without a version and never loses a concurrent one', async () => {
      const first = await backend.create();
      const second = await backend.reopen(first);
      await first.actors.spawn(quietScript('support'), 'Help', { id: 'a' });
      await Promise.all([
        ...Array.from({ length: 10 }, (_, index) =>
          first.actors.update('a', { goals: [`goal ${index}`] }),
        ),
        ...Array.from({ length: 10 }, () => second.actors.update('a', { state: 'running' })),
      ]);
      expect(await first.actors.getVersion('a')).toBe(21);
    });

    it('ignores a version field in the patch', async () => {
      const store = await backend.create();
      await store.actors.spawn(quietScript('support'), 'Help', { id: 'a' });
      const patch = { state: 'running', version: 99 } as { state: 'running' };
      expect(await store.actors.update('a', patch)).toMatchObject({ version: 2 });
    });

    it('re-attaches scripts from the registry by name and version', async () => {
      const v1 = quietScript('support', '1.0.0');
      const v2 = quietScript('support', '2.0.0');
      const scripts = new ScriptRegistry().register(v1).register(v2);
      const store = await backend.create({ scripts });
      await store.actors.spawn(v2, 'Help', { id: 'a' });
      const reopened = await backend.reopen(store, {
        scripts: new ScriptRegistry().register(v1).register(v2),
      });
      const loaded = await reopened.actors.get('a');
      expect(loaded?.script.version).toBe('2.0.0');
      expect(loaded?.script.talents[0]?.behaviors[0]?.plan).toBeTypeOf('function');
    });

    it('rejects a stored actor whose script is not registered with SCRIPT_NOT_FOUND, at load', async () => {
      const script = quietScript('support', '1.0.0');
      const store = await backend.create({ scripts: new ScriptRegistry().register(script) });
      await store.actors.spawn(script, 'Help', { id: 'a' });
      const reopened = await backend.reopen(store, {
        scripts: new ScriptRegistry().register(quietScript('support', '0.9.0')),
      });
      const expected = {
        name: 'ConfigError',
        code: 'SCRIPT_NOT_FOUND',
        details: expect.objectContaining({
          actorId: 'a',
          scriptName: 'support',
          scriptVersion: '1.0.0',
          registered: ['0.9.0'],
        }),
      };
      await expect(reopened.actors.get('a')).rejects.toMatchObject(expected);
      await expect(reopened.actors.list()).rejects.toMatchObject(expected);
    });

    it('lists what `where` keeps, leaving out and reporting actors of unregistered scripts when asked', async () => {
      const old = quietScript('support', '1.0.0');
      const next = quietScript('support', '2.0.0');
      const store = await backend.create({
        scripts: new ScriptRegistry().register(old).register(next),
      });
      await store.actors.spawn(old, 'Help', { id: 'a' });
      await store.actors.spawn(next, 'Help', { id: 'b' });
      await store.actors.spawn(old, 'Help', { id: 'c' });
      const reopened = await backend.reopen(store, {
        scripts: new ScriptRegistry().register(old),
      });
      // `where` filters before the script is looked up: b is never converted.
      const kept = await reopened.actors.list({ where: (id) => id !== 'b' });
      expect(kept.map((actor) => actor.id)).toEqual(['a', 'c']);
      const unknown: unknown[] = [];
      const listed = await reopened.actors.list({
        onUnknownScript: (error) => unknown.push(error),
      });
      expect(listed.map((actor) => actor.id)).toEqual(['a', 'c']);
      expect(unknown).toEqual([
        expect.objectContaining({
          code: 'SCRIPT_NOT_FOUND',
          details: expect.objectContaining({ actorId: 'b', scriptVersion: '2.0.0' }),
        }),
      ]);
      // Nothing was lost: the new version reads b again.
      const upgraded = await backend.reopen(store, {
        scripts: new ScriptRegistry().register(old).register(next),
      });
      expect((await upgraded.actors.list()).map((actor) => actor.id)).toEqual(['a', 'b', 'c']);
    });

    it('refuses to spawn a script that is not registered', async () => {
      const store = await backend.create({ scripts: new ScriptRegistry() });
      await expect(store.actors.spawn(quietScript('stranger'), 'Help')).rejects.toMatchObject({
        code: 'SCRIPT_NOT_FOUND',
      });
      expect(await store.actors.list()).toEqual([]);
    });

    it('rejects a taken id with ACTOR_EXISTS', async () => {
      const store = await backend.create();
      await store.actors.spawn(quietScript('support'), 'Help', { id: 'a' });
      await expect(
        store.actors.spawn(quietScript('support'), 'Help', { id: 'a' }),
      ).rejects.toMatchObject({
        code: 'ACTOR_EXISTS',
      });
    });
  });
}
