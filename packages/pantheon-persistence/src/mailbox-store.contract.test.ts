import type { BusMessage } from '@promethean-os/pantheon-core';
import { afterAll, describe, expect, it } from 'vitest';
import { backends } from './backends.test-support';

const message = (id: string, to = 'a', content = `content of ${id}`): BusMessage => ({
  id,
  from: 'user',
  to,
  content,
  timestamp: 1,
});

/** The `MailboxStore` semantics `PantheonSystem` relies on, run on every back end. */
for (const makeBackend of backends) {
  const backend = makeBackend();
  afterAll(() => backend.cleanup());

  describe(`MailboxStore contract: DurableMailbox (${backend.name})`, () => {
    it('stores a message once per id and returns pending messages oldest first', async () => {
      const { mailbox } = await backend.create();
      expect(await mailbox.enqueue(message('m1'))).toBe(true);
      expect(await mailbox.enqueue(message('m2', 'b'))).toBe(true);
      expect(await mailbox.enqueue(message('m1', 'a', 'a different body'))).toBe(false);
      expect(await mailbox.pending()).toEqual([message('m1'), message('m2', 'b')]);
    });

    it('keeps messages across connections (reopened store)', async () => {
      const store = await backend.create();
      await store.mailbox.enqueue(message('m1'));
      const again = await backend.reopen(store);
      expect(await again.mailbox.pending()).toEqual([message('m1')]);
      expect(await again.mailbox.enqueue(message('m1'))).toBe(false);
    });

    it('acknowledges, delivers and publishes in one commit', async () => {
      const { mailbox } = await backend.create();
      await mailbox.enqueue(message('m1'));
      mailbox.beginTick('a');
      const toB = { id: 'm1:0', from: 'a', to: 'b', content: 'forwarded' };
      const toUser = { id: 'm1:1', from: 'a', to: 'user', content: 'answer' };
      await mailbox.commitTick('a', 'm1', [toB], [toUser]);
      expect(await mailbox.pending()).toEqual([toB]);
      expect(await mailbox.unpublished()).toEqual([toUser]);
      await mailbox.markPublished(['m1:1']);
      expect(await mailbox.unpublished()).toEqual([]);
    });

    it('ignores deliveries and publications it already stored (a replayed tick)', async () => {
      const { mailbox } = await backend.create();
      await mailbox.enqueue(message('m1'));
      await mailbox.enqueue(message('m2'));
      const toB = { id: 'm1:0', from: 'a', to: 'b', content: 'forwarded' };
      const toUser = { id: 'm1:1', from: 'a', to: 'user', content: 'answer' };
      await mailbox.commitTick('a', 'm1', [toB], [toUser]);
      await mailbox.commitTick('a', 'm2', [toB], [toUser]);
      expect(await mailbox.pending()).toEqual([toB]);
      expect(await mailbox.unpublished()).toEqual([toUser]);
      expect(await mailbox.stats()).toEqual({ pending: 1, acknowledged: 2, unpublished: 1 });
    });

    it('commits the actor’s buffered writes with the acknowledgement', async () => {
      const store = await backend.create();
      const { actors, context, mailbox } = store;
      await actors.spawn((await import('./backends.test-support')).quietScript('worker'), 'work', {
        id: 'a',
      });
      await mailbox.enqueue(message('m1'));
      mailbox.beginTick('a');
      await actors.update('a', { state: 'running' });
      await context.append('a', { role: 'user', content: 'hello' });
      await context.write('count', 1, { actorId: 'a' });
      await context.write('gone', true, { actorId: 'a' });
      await context.delete('gone', { actorId: 'a' });
      // Reads inside the tick see the buffered writes …
      expect((await actors.get('a'))?.state).toBe('running');
      expect(await context.read('count', { actorId: 'a' })).toBe(1);
      expect(await context.read('gone', { actorId: 'a' })).toBeUndefined();
      const inTick = await context.compile({ sources: [], actorId: 'a' });
      expect(inTick.map((entry) => entry.content)).toEqual(['hello']);
      // … other connections do not.
      const other = await backend.reopen(store);
      expect((await other.actors.get('a'))?.state).toBe('idle');
      expect(await other.context.read('count', { actorId: 'a' })).toBeUndefined();
      expect(await other.context.getHistory('a')).toEqual([]);

      await mailbox.commitTick('a', 'm1', [], []);
      expect(await other.actors.get('a')).toMatchObject({ state: 'running', version: 2 });
      expect(await other.context.read('count', { actorId: 'a' })).toBe(1);
      expect((await other.context.getHistory('a')).map((entry) => entry.content)).toEqual([
        'hello',
      ]);
      expect(await other.mailbox.pending()).toEqual([]);
    });

    it('discards buffered writes on abort and keeps the message pending', async () => {
      const store = await backend.create();
      const { context, mailbox } = store;
      await mailbox.enqueue(message('m1'));
      mailbox.beginTick('a');
      await context.write('count', 5, { actorId: 'a' });
      await context.append('a', { role: 'user', content: 'lost' });
      mailbox.abortTick('a');
      expect(await context.read('count', { actorId: 'a' })).toBeUndefined();
      expect(await context.getHistory('a')).toEqual([]);
      expect(await mailbox.pending()).toEqual([message('m1')]);
    });

    it('rolls the whole commit back when the actor changed meanwhile (VERSION_CONFLICT)', async () => {
      const store = await backend.create();
      const { actors, context, mailbox } = store;
      const { quietScript } = await import('./backends.test-support');
      await actors.spawn(quietScript('worker'), 'work', { id: 'a' });
      await mailbox.enqueue(message('m1'));
      mailbox.beginTick('a');
      await actors.update('a', { state: 'running' });
      await context.write('count', 1, { actorId: 'a' });
      const other = await backend.reopen(store);
      await other.actors.update('a', { name: 'renamed elsewhere' });
      await expect(
        mailbox.commitTick('a', 'm1', [], [{ id: 'm1:0', from: 'a', to: 'user', content: 'x' }]),
      ).rejects.toMatchObject({ code: 'VERSION_CONFLICT', actorId: 'a' });
      mailbox.abortTick('a');
      expect(await mailbox.pending()).toEqual([message('m1')]);
      expect(await mailbox.unpublished()).toEqual([]);
      expect(await context.read('count', { actorId: 'a' })).toBeUndefined();
      expect(await actors.get('a')).toMatchObject({ name: 'renamed elsewhere', state: 'idle' });
    });

    it('applies nothing when the message was acknowledged already (a commit whose answer was lost)', async () => {
      const { context, mailbox } = await backend.create();
      await mailbox.enqueue(message('m1'));
      mailbox.beginTick('a');
      await context.write('count', 1, { actorId: 'a' });
      await mailbox.commitTick(
        'a',
        'm1',
        [],
        [{ id: 'm1:0', from: 'a', to: 'user', content: '1' }],
      );
      // The runtime believed the commit failed and ran the tick again.
      mailbox.beginTick('a');
      expect(await context.read('count', { actorId: 'a' })).toBe(1);
      await context.write('count', 2, { actorId: 'a' });
      await context.append('a', { role: 'user', content: 'again' });
      await mailbox.commitTick(
        'a',
        'm1',
        [],
        [{ id: 'm1:0', from: 'a', to: 'user', content: '2' }],
      );
      expect(await context.read('count', { actorId: 'a' })).toBe(1);
      expect(await context.getHistory('a')).toEqual([]);
      expect(await mailbox.unpublished()).toEqual([
        { id: 'm1:0', from: 'a', to: 'user', content: '1' },
      ]);
    });

    it('rejects a message without an id with a typed error', async () => {
      const { mailbox } = await backend.create();
      await expect(mailbox.enqueue({ from: 'user', to: 'a', content: 'x' })).rejects.toMatchObject({
        code: 'INVALID_MESSAGE',
      });
    });
  });
}
