import { createMockScheduler } from '@promethean-os/pantheon-test';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { backends } from './backends.test-support';

const DAY = 86_400_000;

for (const makeBackend of backends) {
  const backend = makeBackend();
  afterAll(() => backend.cleanup());

  describe(`retention (${backend.name})`, () => {
    it('keeps the last N history entries per actor', async () => {
      const store = await backend.create({ retention: { historyEntries: 3 } });
      for (let index = 0; index < 6; index++) {
        await store.context.append('a', { role: 'user', content: `a${index}` });
        await store.context.append('b', { role: 'user', content: `b${index}` });
      }
      expect(await store.prune()).toMatchObject({ history: 6 });
      const contents = async (actorId: string) =>
        (await store.context.getHistory(actorId)).map((message) => message.content);
      expect(await contents('a')).toEqual(['a3', 'a4', 'a5']);
      expect(await contents('b')).toEqual(['b3', 'b4', 'b5']);
    });

    it('keeps the last N history entries per actor and conversation', async () => {
      const store = await backend.create({ retention: { historyEntries: 2 } });
      const { context } = store;
      for (let index = 0; index < 4; index++) {
        await context.append('a', { role: 'user', content: `wide${index}` });
        await context.append(
          'a',
          { role: 'user', content: `one${index}` },
          { conversationId: 'one' },
        );
        await context.append(
          'b',
          { role: 'user', content: `b-one${index}` },
          { conversationId: 'one' },
        );
      }
      await context.append('a', { role: 'user', content: 'two0' }, { conversationId: 'two' });
      // A busy conversation does not push a quiet one out: each keeps its own last N.
      expect(await store.prune()).toMatchObject({ history: 6 });
      const contents = async (actorId: string, conversationId?: string) =>
        (await context.getHistory(actorId, conversationId)).map((message) => message.content);
      expect(await contents('a')).toEqual(['wide2', 'wide3']);
      expect(await contents('a', 'one')).toEqual(['one2', 'one3']);
      expect(await contents('a', 'two')).toEqual(['two0']);
      expect(await contents('b', 'one')).toEqual(['b-one2', 'b-one3']);
      expect(await store.prune()).toMatchObject({ history: 0 });
    });

    it('deletes history older than T days in every conversation', async () => {
      let now = 0;
      const store = await backend.create({ now: () => now, retention: { historyDays: 10 } });
      const { context } = store;
      await context.append('a', { role: 'user', content: 'old, idle' }, { conversationId: 'idle' });
      await context.append('a', { role: 'user', content: 'old, busy' }, { conversationId: 'busy' });
      await context.append('a', { role: 'user', content: 'old, actor-wide' });
      now = 11 * DAY;
      await context.append('a', { role: 'user', content: 'new, busy' }, { conversationId: 'busy' });
      expect(await store.prune()).toMatchObject({ history: 3 });
      expect(await context.getHistory('a', 'idle')).toEqual([]);
      expect((await context.getHistory('a', 'busy')).map((message) => message.content)).toEqual([
        'new, busy',
      ]);
      expect(await context.getHistory('a')).toEqual([]);
    });

    it('deletes history older than T days, and acknowledged/published messages past their retention', async () => {
      let now = 0;
      const store = await backend.create({
        now: () => now,
        retention: { historyDays: 30, messageDays: 2 },
      });
      const { context, mailbox } = store;
      await context.append('a', { role: 'user', content: 'old' });
      await mailbox.enqueue({ id: 'old', from: 'user', to: 'a', content: 'x' });
      await mailbox.enqueue({ id: 'waiting', from: 'user', to: 'a', content: 'y' });
      await mailbox
        .beginTick('a')
        .commit('old', [], [{ id: 'old:0', from: 'a', to: 'user', content: 'r' }]);
      await mailbox
        .beginTick('a')
        .commit(undefined, [], [{ id: 'unpub', from: 'a', to: 'user', content: 's' }]);
      await mailbox.markPublished(['old:0']);
      await mailbox.recordToolEffect('old:tool:0', { receipt: 'r-1' });
      now = 1 * DAY;
      // Within the retention the id still de-duplicates.
      expect(await store.prune()).toEqual({ history: 0, mailbox: 0, outbox: 0, toolEffects: 0 });
      expect(await mailbox.enqueue({ id: 'old', from: 'user', to: 'a', content: 'x' })).toBe(false);
      expect(await mailbox.toolEffect('old:tool:0')).toEqual({ result: { receipt: 'r-1' } });
      now = 31 * DAY;
      await context.append('a', { role: 'user', content: 'new' });
      expect(await store.prune()).toEqual({ history: 1, mailbox: 1, outbox: 1, toolEffects: 1 });
      expect(await mailbox.toolEffect('old:tool:0')).toBeUndefined();
      expect((await context.getHistory('a')).map((message) => message.content)).toEqual(['new']);
      // Pending and unpublished rows are never pruned.
      expect((await mailbox.pending()).map((message) => message.id)).toEqual(['waiting']);
      expect((await mailbox.unpublished()).map((message) => message.id)).toEqual(['unpub']);
    });

    it('prunes every pruneIntervalMs on the scheduler it is given, until closed', async () => {
      let now = 0;
      const scheduler = createMockScheduler();
      const store = await backend.create({
        now: () => now,
        scheduler,
        retention: { messageDays: 1, pruneIntervalMs: 60_000 },
      });
      const { mailbox } = store;
      await mailbox.enqueue({ id: 'old', from: 'user', to: 'a', content: 'x' });
      await mailbox.beginTick('a').commit('old', [], []);
      now = 2 * DAY;
      await scheduler.advance(59_999);
      expect(await mailbox.stats()).toMatchObject({ acknowledged: 1 });
      await scheduler.advance(1);
      // The prune the timer started is a database round trip of its own.
      await vi.waitFor(async () =>
        expect(await mailbox.stats()).toMatchObject({ acknowledged: 0 }),
      );
      expect(scheduler.pending()).toBe(1);
      await store.close();
      expect(scheduler.pending()).toBe(0);
    });
  });
}
