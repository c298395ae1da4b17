import {
  type ActorScript,
  type ActorStatePort,
  type BusMessage,
  type ContextPort,
  type MailboxStore,
  type Message,
  PantheonError,
} from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import {
  type ContractOptions,
  expectPantheonError,
  failureOf,
  type PortFactory,
  usePort,
} from './support';

/** What the factory of `describeMailboxStoreContract` makes: a store and its own ports. */
export interface MailboxStoreFixture<S extends MailboxStore = MailboxStore> {
  store: S;
  /** The store's own state port (with `@promethean-os/pantheon-persistence`, `db.actors`). */
  state: ActorStatePort;
  /**
   * The store's own context port (`db.context`), with `append`, `read`, `write` and `delete`:
   * a durable tick keeps history and key/value entries.
   */
  context: ContextPort;
}

/** Options of `describeMailboxStoreContract`. */
export interface MailboxStoreContractOptions<S extends MailboxStore>
  extends ContractOptions<MailboxStoreFixture<S>> {
  /**
   * The script the suite spawns its actors with. Default: a script named `worker` with one
   * active behavior that does nothing (register it, if your state port resolves scripts by name).
   */
  script?: ActorScript;
}

function workerScript(): ActorScript {
  return {
    name: 'worker',
    description: 'The worker script',
    talents: [
      {
        name: 'talk',
        behaviors: [{ name: 'reply', mode: 'active', plan: () => ({ actions: [] }) }],
      },
    ],
    contextSources: [{ type: 'text', content: 'Be helpful.' }],
  };
}

const incoming = (id: string, to = 'worker-1', content = `content of ${id}`): BusMessage => ({
  id,
  from: 'user',
  to,
  content,
  timestamp: 1,
});

const outgoing = (id: string, to: string, content: string): BusMessage => ({
  id,
  from: 'worker-1',
  to,
  content,
  timestamp: 2,
});

const ids = (messages: readonly BusMessage[]) => messages.map((message) => message.id);

/**
 * Registers the `MailboxStore` contract for a durable store and its own state and context ports:
 * `enqueue` stores a message once per id (`false` for a known id; a message without an id is
 * `INVALID_MESSAGE`, storing nothing) and `pending` lists unacknowledged messages oldest first;
 * `owns` accepts the store's own ports and no others; a tick's transaction commits its views'
 * writes (state updates and spawns, history in its conversation, key/value writes and deletes)
 * together with the acknowledgement, `deliver` (new mailbox messages) and `publish` (unpublished
 * outbound messages), ignoring ids stored before; its views see their own writes, which nothing
 * else sees before the commit — neither the store's ports nor another transaction; `abort`
 * discards everything and keeps the message pending; a commit whose message was acknowledged
 * already applies nothing; a transaction ends with its commit or abort (then `commit` and writes
 * through its views are `TICK_ENDED`, writing nothing); `markPublished` removes messages from
 * `unpublished`, ignoring unknown and repeated ids.
 *
 * @example
 * describeMailboxStoreContract('MyStore', async () => {
 *   const db = await openMyStore();
 *   return { store: db.mailbox, state: db.actors, context: db.context };
 * }, { cleanup: ({ store }) => store.close() });
 */
export function describeMailboxStoreContract<S extends MailboxStore>(
  name: string,
  factory: PortFactory<MailboxStoreFixture<S>>,
  options: MailboxStoreContractOptions<S> = {},
): void {
  const script = options.script ?? workerScript();

  describe(`MailboxStore contract: ${name}`, () => {
    const fixture = usePort(factory, options.cleanup);
    const store = () => fixture().store;

    /** A stored actor `worker-1` and a pending message `m1` for it. */
    async function workerWithMessage() {
      await fixture().state.spawn(script, 'work', { id: 'worker-1' });
      await store().enqueue(incoming('m1'));
    }

    /** The contents of a history as `compile` returns it (the actor-wide one without a conversation). */
    async function history(
      context: ContextPort,
      actorId: string,
      conversationId?: string,
    ): Promise<string[]> {
      const messages = await context.compile({ sources: [], actorId, conversationId });
      return messages.map((message: Message) => message.content);
    }

    it('stores a message once per id and lists pending messages oldest first', async () => {
      expect(await store().enqueue(incoming('m1'))).toBe(true);
      expect(await store().enqueue(incoming('m2', 'worker-2'))).toBe(true);
      expect(await store().enqueue(incoming('m1', 'worker-1', 'a different body'))).toBe(false);
      expect(await store().pending()).toEqual([incoming('m1'), incoming('m2', 'worker-2')]);
    });

    it('rejects a message without an id with INVALID_MESSAGE, storing nothing', async () => {
      const { id: _id, ...withoutId } = incoming('m1');
      expectPantheonError(
        await failureOf(() => store().enqueue(withoutId)),
        'INVALID_MESSAGE',
        PantheonError,
      );
      expect(await store().pending()).toEqual([]);
    });

    it('owns its own state and context ports, and no others', async () => {
      const { state, context } = fixture();
      expect(store().owns(state)).toBe(true);
      expect(store().owns(context)).toBe(true);
      const foreignState: ActorStatePort = {
        spawn: state.spawn.bind(state),
        list: state.list.bind(state),
        get: state.get.bind(state),
        update: state.update.bind(state),
      };
      const foreignContext: ContextPort = { compile: context.compile.bind(context) };
      expect(store().owns(foreignState)).toBe(false);
      expect(store().owns(foreignContext)).toBe(false);
    });

    it('commits the views’ writes with the acknowledgement, deliveries and publications, together', async () => {
      const { state, context } = fixture();
      await workerWithMessage();
      await context.write!('kept', 'before', { actorId: 'worker-1' });
      const tick = store().beginTick('worker-1');
      await tick.state.update('worker-1', { state: 'running', metadata: { count: 1 } });
      await tick.context.append!(
        'worker-1',
        { role: 'user', content: 'hello' },
        { conversationId: 'c-1' },
      );
      await tick.context.write!('count', 1, { actorId: 'worker-1' });
      await tick.context.delete!('kept', { actorId: 'worker-1' });
      const toOther = outgoing('m1:0', 'worker-2', 'forwarded');
      const toUser = outgoing('m1:1', 'user', 'answer');
      await tick.commit('m1', [toOther], [toUser]);

      expect(await state.get('worker-1')).toMatchObject({
        state: 'running',
        metadata: { count: 1 },
      });
      expect(await history(context, 'worker-1', 'c-1')).toEqual(['hello']);
      expect(await history(context, 'worker-1')).toEqual([]);
      expect(await context.read!('count', { actorId: 'worker-1' })).toBe(1);
      expect(await context.read!('kept', { actorId: 'worker-1' })).toBeUndefined();
      expect(await store().pending()).toEqual([toOther]);
      expect(await store().unpublished()).toEqual([toUser]);
    });

    it('shows a tick’s writes to its own views only until the commit', async () => {
      const { state, context } = fixture();
      await workerWithMessage();
      const tick = store().beginTick('worker-1');
      await tick.state.update('worker-1', { state: 'running' });
      await tick.context.append!('worker-1', { role: 'user', content: 'hello' });
      await tick.context.write!('count', 1, { actorId: 'worker-1' });
      const spawned = await tick.state.spawn(script, 'help', { id: 'helper-1' });
      expect(spawned.id).toBe('helper-1');

      // The tick's views read their own writes …
      expect((await tick.state.get('worker-1'))?.state).toBe('running');
      expect((await tick.state.get('helper-1'))?.goals).toEqual(['help']);
      expect((await tick.state.list()).map((actor) => actor.id)).toEqual(['worker-1', 'helper-1']);
      expect(await history(tick.context, 'worker-1')).toEqual(['hello']);
      expect(await tick.context.read!('count', { actorId: 'worker-1' })).toBe(1);
      // … the store's ports do not …
      expect((await state.get('worker-1'))?.state).not.toBe('running');
      expect(await state.get('helper-1')).toBeNull();
      expect((await state.list()).map((actor) => actor.id)).toEqual(['worker-1']);
      expect(await history(context, 'worker-1')).toEqual([]);
      expect(await context.read!('count', { actorId: 'worker-1' })).toBeUndefined();
      // … nor does another transaction.
      const other = store().beginTick('worker-1');
      expect((await other.state.get('worker-1'))?.state).not.toBe('running');
      expect(await other.state.get('helper-1')).toBeNull();
      expect(await history(other.context, 'worker-1')).toEqual([]);
      expect(await other.context.read!('count', { actorId: 'worker-1' })).toBeUndefined();
      other.abort();

      await tick.commit('m1', [], []);
      expect((await state.get('worker-1'))?.state).toBe('running');
      expect((await state.get('helper-1'))?.goals).toEqual(['help']);
      expect(await history(context, 'worker-1')).toEqual(['hello']);
      expect(await context.read!('count', { actorId: 'worker-1' })).toBe(1);
    });

    it('discards everything on abort: the message stays pending, a later commit is TICK_ENDED', async () => {
      const { state, context } = fixture();
      await workerWithMessage();
      const tick = store().beginTick('worker-1');
      await tick.state.update('worker-1', { state: 'running' });
      await tick.state.spawn(script, 'help', { id: 'helper-1' });
      await tick.context.append!('worker-1', { role: 'user', content: 'lost' });
      await tick.context.write!('count', 5, { actorId: 'worker-1' });
      tick.abort();
      tick.abort();

      const late = expectPantheonError(
        await failureOf(() =>
          tick.commit('m1', [outgoing('m1:0', 'worker-2', 'x')], [outgoing('m1:1', 'user', 'y')]),
        ),
        'TICK_ENDED',
        PantheonError,
      );
      expect(late.details?.actorId).toBe('worker-1');
      expect((await state.get('worker-1'))?.state).not.toBe('running');
      expect(await state.get('helper-1')).toBeNull();
      expect(await history(context, 'worker-1')).toEqual([]);
      expect(await context.read!('count', { actorId: 'worker-1' })).toBeUndefined();
      expect(await store().pending()).toEqual([incoming('m1')]);
      expect(await store().unpublished()).toEqual([]);
    });

    it('ends a transaction with its commit: a second commit or a write through a view is TICK_ENDED', async () => {
      const { context } = fixture();
      await workerWithMessage();
      await store().enqueue(incoming('m2'));
      const tick = store().beginTick('worker-1');
      await tick.context.write!('count', 1, { actorId: 'worker-1' });
      await tick.commit('m1', [], []);

      expectPantheonError(
        await failureOf(() => tick.commit('m2', [], [outgoing('m2:0', 'user', 'again')])),
        'TICK_ENDED',
        PantheonError,
      );
      expectPantheonError(
        await failureOf(() => tick.context.write!('count', 2, { actorId: 'worker-1' })),
        'TICK_ENDED',
        PantheonError,
      );
      expectPantheonError(
        await failureOf(() => tick.context.append!('worker-1', { role: 'user', content: 'x' })),
        'TICK_ENDED',
        PantheonError,
      );
      expectPantheonError(
        await failureOf(() => tick.state.update('worker-1', { state: 'failed' })),
        'TICK_ENDED',
        PantheonError,
      );
      tick.abort(); // does nothing once committed
      expect(await context.read!('count', { actorId: 'worker-1' })).toBe(1);
      expect(await history(context, 'worker-1')).toEqual([]);
      expect((await fixture().state.get('worker-1'))?.state).not.toBe('failed');
      expect(await store().pending()).toEqual([incoming('m2')]);
      expect(await store().unpublished()).toEqual([]);
    });

    it('commits a tick without a message: its writes, nothing acknowledged', async () => {
      const { context } = fixture();
      await workerWithMessage();
      const tick = store().beginTick('worker-1');
      await tick.context.write!('count', 1, { actorId: 'worker-1' });
      const toUser = outgoing('idle-1', 'user', 'ping');
      await tick.commit(undefined, [], [toUser]);
      expect(await context.read!('count', { actorId: 'worker-1' })).toBe(1);
      expect(await store().pending()).toEqual([incoming('m1')]);
      expect(await store().unpublished()).toEqual([toUser]);
    });

    it('applies nothing when the message was acknowledged already (a replay after a lost answer)', async () => {
      const { state, context } = fixture();
      await workerWithMessage();
      const first = store().beginTick('worker-1');
      await first.context.write!('count', 1, { actorId: 'worker-1' });
      await first.commit('m1', [], [outgoing('m1:0', 'user', 'first')]);

      // The runtime believed that commit failed and ran the tick again.
      const replay = store().beginTick('worker-1');
      expect(await replay.context.read!('count', { actorId: 'worker-1' })).toBe(1);
      await replay.context.write!('count', 2, { actorId: 'worker-1' });
      await replay.context.append!('worker-1', { role: 'user', content: 'again' });
      await replay.state.update('worker-1', { state: 'failed' });
      await replay.commit(
        'm1',
        [outgoing('m1:1', 'worker-2', 'second')],
        [outgoing('m1:0', 'user', 'second')],
      );

      expect(await context.read!('count', { actorId: 'worker-1' })).toBe(1);
      expect(await history(context, 'worker-1')).toEqual([]);
      expect((await state.get('worker-1'))?.state).not.toBe('failed');
      expect(await store().pending()).toEqual([]);
      expect(await store().unpublished()).toEqual([outgoing('m1:0', 'user', 'first')]);
    });

    it('ignores deliveries and publications whose ids it stored before', async () => {
      await workerWithMessage();
      await store().enqueue(incoming('m2'));
      const toOther = outgoing('m1:0', 'worker-2', 'forwarded');
      const toUser = outgoing('m1:1', 'user', 'answer');
      await store().beginTick('worker-1').commit('m1', [toOther], [toUser]);
      await store()
        .beginTick('worker-1')
        .commit(
          'm2',
          [{ ...toOther, content: 'a different body' }],
          [{ ...toUser, content: 'a different body' }],
        );
      expect(await store().pending()).toEqual([toOther]);
      expect(await store().unpublished()).toEqual([toUser]);
    });

    it('marks published messages, ignoring unknown and repeated ids', async () => {
      const published = [
        outgoing('p1', 'user', 'one'),
        outgoing('p2', 'user', 'two'),
        outgoing('p3', 'user', 'three'),
      ];
      await store().beginTick('worker-1').commit(undefined, [], published);
      expect(ids(await store().unpublished())).toEqual(['p1', 'p2', 'p3']);
      await store().markPublished(['p2', 'unknown']);
      expect(ids(await store().unpublished())).toEqual(['p1', 'p3']);
      await store().markPublished(['p2', 'p1']);
      await store().markPublished([]);
      expect(ids(await store().unpublished())).toEqual(['p3']);
    });

    it('keeps the first result of a once tool per key, outside any tick, if it keeps tool effects', async () => {
      const tested = store();
      if (!tested.toolEffect || !tested.recordToolEffect) {
        expect(tested.toolEffect).toBe(tested.recordToolEffect); // both or neither
        return;
      }
      expect(await tested.toolEffect('m1:tool:0')).toBeUndefined();
      const tick = tested.beginTick('worker-1');
      await tested.recordToolEffect('m1:tool:0', { receipt: 'r-1', cents: 100 });
      tick.abort(); // the effect happened: an aborted tick does not take it back
      await tested.recordToolEffect('m1:tool:0', { receipt: 'r-2' });
      await tested.recordToolEffect('m1:tool:1', undefined);
      expect(await tested.toolEffect('m1:tool:0')).toEqual({
        result: { receipt: 'r-1', cents: 100 },
      });
      expect(await tested.toolEffect('m1:tool:1')).toEqual({ result: undefined });
      expect(await tested.toolEffect('m2:tool:0')).toBeUndefined();
    });
  });
}
