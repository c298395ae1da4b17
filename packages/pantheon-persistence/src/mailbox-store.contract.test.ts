import type { BusMessage } from '@promethean-os/pantheon-core';
import { describeMailboxStoreContract } from '@promethean-os/pantheon-test/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { backends, quietScript } from './backends.test-support';
import type { DurableMailbox } from './durable-mailbox';
import type { Persistence } from './persistence';

const message = (id: string, to = 'a', content = `content of ${id}`): BusMessage => ({
  id,
  from: 'user',
  to,
  content,
  timestamp: 1,
});

for (const makeBackend of backends) {
  const backend = makeBackend();
  afterAll(() => backend.cleanup());

  const owners = new WeakMap<DurableMailbox, Persistence>();
  describeMailboxStoreContract<DurableMailbox>(
    `DurableMailbox (${backend.name})`,
    async () => {
      const db = await backend.create();
      owners.set(db.mailbox, db);
      return { store: db.mailbox, state: db.actors, context: db.context };
    },
    { cleanup: async ({ store }) => owners.get(store)?.close() },
  );

  /** What the contract cannot say about every store: connections, versions, counts. */
  describe(`DurableMailbox (${backend.name})`, () => {
    it('keeps messages across connections (reopened store)', async () => {
      const store = await backend.create();
      await store.mailbox.enqueue(message('m1'));
      const again = await backend.reopen(store);
      expect(await again.mailbox.pending()).toEqual([message('m1')]);
      expect(await again.mailbox.enqueue(message('m1'))).toBe(false);
    });

    it('writes nothing to the database before the commit: other connections see the tick whole, after it', async () => {
      const store = await backend.create();
      await store.actors.spawn(quietScript('worker'), 'work', { id: 'a' });
      await store.mailbox.enqueue(message('m1'));
      const tick = store.mailbox.beginTick('a');
      await tick.state.update('a', { state: 'running' });
      await tick.context.append!('a', { role: 'user', content: 'hello' });
      await tick.context.write!('count', 1, { actorId: 'a' });
      const other = await backend.reopen(store);
      expect(await other.actors.get('a')).toMatchObject({ state: 'idle', version: 1 });
      expect(await other.context.read('count', { actorId: 'a' })).toBeUndefined();
      expect(await other.context.getHistory('a')).toEqual([]);

      await tick.commit('m1', [], []);
      expect(await other.actors.get('a')).toMatchObject({ state: 'running', version: 2 });
      expect(await other.context.read('count', { actorId: 'a' })).toBe(1);
      expect((await other.context.getHistory('a')).map((entry) => entry.content)).toEqual([
        'hello',
      ]);
      expect(await other.mailbox.pending()).toEqual([]);
      expect(await other.mailbox.stats()).toEqual({ pending: 0, acknowledged: 1, unpublished: 0 });
    });

    it('rolls the whole commit back when the actor changed meanwhile (VERSION_CONFLICT)', async () => {
      const store = await backend.create();
      const { actors, context, mailbox } = store;
      await actors.spawn(quietScript('worker'), 'work', { id: 'a' });
      await mailbox.enqueue(message('m1'));
      const tick = mailbox.beginTick('a');
      await tick.state.update('a', { state: 'running' });
      await tick.context.write!('count', 1, { actorId: 'a' });
      const other = await backend.reopen(store);
      await other.actors.update('a', { name: 'renamed elsewhere' });
      await expect(
        tick.commit('m1', [], [{ id: 'm1:0', from: 'a', to: 'user', content: 'x' }]),
      ).rejects.toMatchObject({ code: 'VERSION_CONFLICT', actorId: 'a' });
      tick.abort();
      expect(await mailbox.pending()).toEqual([message('m1')]);
      expect(await mailbox.unpublished()).toEqual([]);
      expect(await context.read('count', { actorId: 'a' })).toBeUndefined();
      expect(await actors.get('a')).toMatchObject({ name: 'renamed elsewhere', state: 'idle' });
    });

    it('rolls the whole commit back when an actor the tick spawned was created meanwhile (ACTOR_EXISTS)', async () => {
      const store = await backend.create();
      const { actors, context, mailbox } = store;
      await actors.spawn(quietScript('worker'), 'work', { id: 'a' });
      await mailbox.enqueue(message('m1'));
      const tick = mailbox.beginTick('a');
      await tick.state.spawn(quietScript('worker'), 'help', { id: 'helper' });
      await tick.context.write!('count', 1, { actorId: 'a' });
      await actors.spawn(quietScript('worker'), 'first come', { id: 'helper' });
      await expect(tick.commit('m1', [], [])).rejects.toMatchObject({
        code: 'ACTOR_EXISTS',
        actorId: 'helper',
      });
      expect(await mailbox.pending()).toEqual([message('m1')]);
      expect(await context.read('count', { actorId: 'a' })).toBeUndefined();
      expect((await actors.get('helper'))?.goals).toEqual(['first come']);
    });

    it('rejects a spawn of a taken id in a tick at once, with ACTOR_EXISTS', async () => {
      const store = await backend.create();
      await store.actors.spawn(quietScript('worker'), 'work', { id: 'a' });
      const tick = store.mailbox.beginTick('a');
      await expect(
        tick.state.spawn(quietScript('worker'), 'again', { id: 'a' }),
      ).rejects.toMatchObject({ code: 'ACTOR_EXISTS' });
      await tick.commit(undefined, [], []);
      expect(await store.actors.list()).toHaveLength(1);
    });
  });
}
