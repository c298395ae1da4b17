import { PantheonError } from '@promethean-os/pantheon-core';
import { afterAll, describe, expect, it } from 'vitest';
import { backends, quietScript } from './backends.test-support';
import type { BulkKind } from './bulk-writes';

/** A fence on `lease` as rows (`<id>:<epoch>`, id, epoch): fences of several rows check together. */
const LEASE_FENCE: BulkKind = {
  name: 'test-lease-fence',
  types: ['text', 'integer', 'integer'],
  checked: true,
  plain: (rows) => ({
    sql: 'SELECT 1 FROM lease WHERE id = ? AND epoch = ?',
    params: rows[0]!.slice(1),
  }),
  merged: [
    'SELECT fence.key FROM lease JOIN (VALUES ',
    ') AS fence (key, id, epoch) ON lease.id = fence.id AND lease.epoch = fence.epoch',
  ],
};

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
  it(`checks the fences of several leases in one group and fails only the stale one's ticks (${backend.name})`, async () => {
    const store = await backend.create();
    await store.driver.run('CREATE TABLE lease (id INTEGER PRIMARY KEY, epoch INTEGER)');
    await store.driver.run('INSERT INTO lease (id, epoch) VALUES (1, 2), (2, 1)');
    const fence = (id: number, epoch: number) => ({
      ...LEASE_FENCE.plain([[`${id}:${epoch}`, id, epoch]]),
      expect: {
        changes: 1,
        mismatch: () => new PantheonError(`lease ${id} lost at epoch ${epoch}`, 'ACTOR_ERROR'),
      },
      bulk: { kind: LEASE_FENCE, rows: [[`${id}:${epoch}`, id, epoch]] },
    });
    const ids = ['a', 'b', 'c'];
    for (const id of ids) {
      await store.actors.spawn(quietScript('support'), 'help', { id });
      await store.mailbox.enqueue({ id: `m-${id}`, from: 'user', to: id, content: id });
    }
    // a holds lease 1 at a stale epoch; b and c hold lease 2 at its epoch. One turn: one group.
    const leases: Record<string, [number, number]> = { a: [1, 1], b: [2, 1], c: [2, 1] };
    const ticks = ids.map((id) => {
      const tick = store.mailbox.beginTick(id, { guard: fence(...leases[id]!) });
      return tick.state
        .update(id, { state: 'paused' })
        .then(() =>
          tick.commit(`m-${id}`, [], [{ id: `out-${id}`, from: id, to: 'user', content: id }]),
        );
    });
    const outcomes = await Promise.allSettled(ticks);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect((outcomes[0] as PromiseRejectedResult).reason).toMatchObject({
      message: 'lease 1 lost at epoch 1',
    });
    // Nothing of the stale tick was written; the others committed.
    expect((await store.mailbox.pending()).map((message) => message.id)).toEqual(['m-a']);
    expect((await store.mailbox.unpublished()).map((message) => message.id)).toEqual([
      'out-b',
      'out-c',
    ]);
    expect((await store.actors.get('a'))?.state).not.toBe('paused');
  });
}
