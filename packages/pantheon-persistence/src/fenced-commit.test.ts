import { PantheonError } from '@promethean-os/pantheon-core';
import { afterAll, describe, expect, it } from 'vitest';
import { backends, quietScript } from './backends.test-support';

for (const makeBackend of backends) {
  const backend = makeBackend();
  afterAll(() => backend.cleanup());

  // A fence that changes the row (locks it), or one that only finds it (the cluster's, which adds
  // `FOR KEY SHARE` on PostgreSQL).
  const fences = {
    update: 'UPDATE lease SET epoch = epoch WHERE id = 1 AND epoch = ?',
    select: 'SELECT 1 FROM lease WHERE id = 1 AND epoch = ?',
  };
  describe.each(Object.entries(fences))(
    `beginTick with a guard (${backend.name}, %s)`,
    (_, sql) => {
      it('commits and enqueues only while the guard matches; a fenced call writes nothing', async () => {
        const store = await backend.create();
        await store.driver.run('CREATE TABLE lease (id INTEGER PRIMARY KEY, epoch INTEGER)');
        await store.driver.run('INSERT INTO lease (id, epoch) VALUES (1, 1)');
        await store.actors.spawn(quietScript('support'), 'help', { id: 'a' });
        await store.mailbox.enqueue({ id: 'm-1', from: 'user', to: 'a', content: 'one' });
        const fence = (epoch: number) => ({
          sql,
          params: [epoch],
          expect: {
            changes: 1,
            mismatch: () => new PantheonError(`lease lost at epoch ${epoch}`, 'ACTOR_ERROR'),
          },
        });

        // Another owner took the lease (epoch 2): the tick that started under epoch 1 is rejected.
        await store.driver.run('UPDATE lease SET epoch = 2 WHERE id = 1');
        const stale = store.mailbox.beginTick('a', { guard: fence(1) });
        await stale.state.update('a', { state: 'paused' });
        await expect(
          stale.commit('m-1', [], [{ id: 'out-1', from: 'a', to: 'user', content: 'x' }]),
        ).rejects.toMatchObject({ message: 'lease lost at epoch 1' });
        expect((await store.actors.get('a'))?.state).not.toBe('paused');
        expect(await store.mailbox.pending()).toHaveLength(1);
        expect(await store.mailbox.unpublished()).toEqual([]);

        // Enqueueing under a stale guard stores nothing; under the current one, once.
        const next = { id: 'm-2', from: 'user', to: 'a', content: 'two' };
        await expect(store.mailbox.enqueue(next, { guard: fence(1) })).rejects.toMatchObject({
          message: 'lease lost at epoch 1',
        });
        expect(await store.mailbox.enqueue(next, { guard: fence(2) })).toBe(true);
        expect(await store.mailbox.enqueue(next, { guard: fence(2) })).toBe(false);
        expect((await store.mailbox.pending()).map((message) => message.id)).toEqual([
          'm-1',
          'm-2',
        ]);

        // The owner of epoch 2 replays the tick: same message, same outbound id, committed once.
        const current = store.mailbox.beginTick('a', { guard: fence(2) });
        await current.state.update('a', { state: 'paused' });
        await current.commit('m-1', [], [{ id: 'out-1', from: 'a', to: 'user', content: 'x' }]);
        expect((await store.actors.get('a'))?.state).toBe('paused');
        expect((await store.mailbox.pending()).map((message) => message.id)).toEqual(['m-2']);
        expect((await store.mailbox.unpublished()).map((message) => message.id)).toEqual(['out-1']);
      });
    },
  );
}
