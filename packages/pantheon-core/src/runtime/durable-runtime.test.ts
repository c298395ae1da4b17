import { describe, expect, it, vi } from 'vitest';
import { ConfigError, PantheonError } from '../errors';
import {
  echoLlm,
  fakeBus,
  fakeContext,
  fakeScheduler,
  fakeState,
  fakeTools,
  scriptWith,
} from '../orchestrator/fake-ports.test-support';
import type { ActorStatePort } from '../ports/actor-state-port';
import type { ContextPort } from '../ports/context-port';
import type { MailboxStore } from '../ports/mailbox-store';
import type { Behavior } from '../types';
import { FakeMailboxStore } from './fake-mailbox-store.test-support';
import { PantheonSystem } from './pantheon-system';
import type { PantheonSystemOptions } from './types';

const echo: Behavior = {
  name: 'echo',
  mode: 'active',
  async plan({ context, llm }) {
    const input = context.at(-1);
    const reply = await llm.complete(context);
    return {
      actions: [{ type: 'message', content: reply.content, target: input?.name ?? 'user' }],
    };
  },
};
const forwardToB: Behavior = {
  name: 'forward',
  mode: 'active',
  plan: ({ context }) => ({
    actions: [{ type: 'message', content: `fwd ${context.at(-1)?.content}`, target: 'b' }],
  }),
};

/** A process: a fresh system over the shared store (and its own state and context ports). */
function boot(
  store: FakeMailboxStore,
  supervision: PantheonSystemOptions['supervision'] = { backoffMs: 10 },
  limits?: PantheonSystemOptions['limits'],
) {
  const bus = fakeBus();
  const pantheon = new PantheonSystem({
    contextAdapter: store.context,
    toolAdapter: fakeTools(),
    llmAdapter: echoLlm,
    messageBus: bus,
    scheduler: fakeScheduler(),
    actorStateAdapter: store.state,
    store,
    supervision,
    limits,
  });
  return { pantheon, bus };
}

describe('PantheonSystem with a durable store', () => {
  it('stores a message before sendMessage resolves and restores it in the next process', async () => {
    const store = new FakeMailboxStore();
    const first = boot(store);
    await first.pantheon.createActor({ id: 'a', name: 'a', script: scriptWith([echo]), goals: [] });
    await first.pantheon.sendMessage('a', 'survive me');
    expect(await store.pending()).toHaveLength(1);

    // The first process dies before starting the actor; the next one finds the message.
    const second = boot(store);
    await second.pantheon.startActor('a');
    await second.pantheon.whenIdle();
    expect(second.bus.sent.map((message) => message.content)).toEqual(['echo: survive me']);
    expect(await store.pending()).toEqual([]);
    expect(await store.unpublished()).toEqual([]);
  });

  it('takes a messageId once: a send retried after its answer was lost makes one message', async () => {
    const store = new FakeMailboxStore();
    const { pantheon, bus } = boot(store);
    await pantheon.createActor({ id: 'a', name: 'a', script: scriptWith([echo]), goals: [] });
    // The connection breaks after the store committed: the sender cannot tell it was stored.
    const enqueue = store.enqueue.bind(store);
    store.enqueue = async (message) => {
      store.enqueue = enqueue;
      await enqueue(message);
      throw new PantheonError('connection terminated', 'STORE_UNAVAILABLE');
    };
    const options = { messageId: 'order-7' };
    await expect(pantheon.sendMessage('a', 'ship it', options)).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    expect(await pantheon.sendMessage('a', 'ship it', options)).toBe('order-7');
    await pantheon.startActor('a');
    await pantheon.whenIdle();
    expect(bus.sent.map((message) => [message.id, message.content])).toEqual([
      ['order-7:0', 'echo: ship it'],
    ]);
  });

  it('adopts a message delivered again after its store answer was lost; handles it once', async () => {
    const store = new FakeMailboxStore();
    const { pantheon, bus } = boot(store);
    await pantheon.createActor({ id: 'a', name: 'a', script: scriptWith([echo]), goals: [] });
    await pantheon.startActor('a');
    const enqueue = store.enqueue.bind(store);
    store.enqueue = async (message) => {
      store.enqueue = enqueue;
      await enqueue(message);
      throw new PantheonError('connection terminated', 'STORE_UNAVAILABLE');
    };
    // From another process over an at-least-once bus: the first delivery fails, the bus retries.
    const message = {
      id: 'm-1',
      from: 'elsewhere',
      to: 'a',
      content: 'hello',
      conversationId: 'c',
    };
    await expect(bus.send(message)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(await store.pending()).toHaveLength(1);
    await bus.send(message);
    await bus.send(message);
    await pantheon.whenIdle();
    expect(bus.sent.filter((sent) => sent.from === 'a').map((sent) => sent.content)).toEqual([
      'echo: hello',
    ]);
    expect(await store.pending()).toEqual([]);
  });

  it('acknowledges only after the commit: a failed commit keeps the message, which is handled once later', async () => {
    vi.useFakeTimers();
    try {
      const store = new FakeMailboxStore();
      const { pantheon, bus } = boot(store);
      await pantheon.createActor({ id: 'a', name: 'a', script: scriptWith([echo]), goals: [] });
      await pantheon.startActor('a');
      store.failCommits = 2;
      const id = await pantheon.sendMessage('a', 'important');
      await vi.advanceTimersByTimeAsync(100);
      expect(store.commits).toEqual([{ actorId: 'a', messageId: id }]);
      // Nothing reached the bus from the failed attempts: their messages were held until commit.
      expect(bus.sent).toEqual([
        expect.objectContaining({ id: `${id}:0`, content: 'echo: important' }),
      ]);
      expect(store.mailbox.get(id)?.acked).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('waits out a database outage however long: STORE_UNAVAILABLE never stops the actor', async () => {
    vi.useFakeTimers();
    try {
      const store = new FakeMailboxStore();
      const { pantheon, bus } = boot(store, { backoffMs: 10, maxFailures: 2 });
      const restarts: string[] = [];
      const failed: string[] = [];
      pantheon.on('actor.restarted', ({ error }) => restarts.push(error.code));
      pantheon.on('actor.failed', ({ error }) => failed.push(error.code));
      await pantheon.createActor({ id: 'a', name: 'a', script: scriptWith([echo]), goals: [] });
      await pantheon.startActor('a');
      store.failCommits = 8; // far past maxFailures
      await pantheon.sendMessage('a', 'after the outage');
      await vi.advanceTimersByTimeAsync(10_000);
      expect(restarts).toEqual(Array(8).fill('STORE_UNAVAILABLE'));
      expect(failed).toEqual([]);
      expect(bus.sent.map((message) => message.content)).toEqual(['echo: after the outage']);
      expect([...store.mailbox.values()].map((entry) => entry.acked)).toEqual([true]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('delivers actor-to-actor messages inside the sender’s commit, with stable ids', async () => {
    const store = new FakeMailboxStore();
    const { pantheon, bus } = boot(store);
    const answerUser: Behavior = {
      name: 'answer',
      mode: 'active',
      plan: () => ({ actions: [{ type: 'message', content: 'done' }] }),
    };
    await pantheon.createActor({ id: 'a', name: 'a', script: scriptWith([forwardToB]), goals: [] });
    await pantheon.createActor({ id: 'b', name: 'b', script: scriptWith([answerUser]), goals: [] });
    await pantheon.startActor('a');
    await pantheon.startActor('b');
    const id = await pantheon.sendMessage('a', 'hello');
    await pantheon.whenIdle();
    expect(store.mailbox.get(`${id}:0`)).toMatchObject({
      acked: true,
      message: { from: 'a', to: 'b', content: 'fwd hello' },
    });
    // Only messages leaving the system go on the bus; a → b went through the store.
    expect(bus.sent.map((message) => [message.id, message.from, message.to])).toEqual([
      [`${id}:0:0`, 'b', 'user'],
    ]);
    expect(await pantheon.getActorMessages('a')).toHaveLength(1);
  });

  it('publishes committed messages again after a crash between commit and publish', async () => {
    const store = new FakeMailboxStore();
    const first = boot(store);
    await first.pantheon.createActor({ id: 'a', name: 'a', script: scriptWith([echo]), goals: [] });
    await first.pantheon.startActor('a');
    store.failMarkPublished = 1;
    await first.pantheon.sendMessage('a', 'ping');
    await first.pantheon.whenIdle();
    expect(await store.unpublished()).toHaveLength(1);

    const second = boot(store);
    await second.pantheon.startActor('a');
    // At least once: the reply is published again with the same id, so receivers can de-duplicate.
    expect(second.bus.sent.map((message) => message.id)).toEqual(
      first.bus.sent.map((message) => message.id),
    );
    expect(await store.unpublished()).toEqual([]);
  });

  it('goes on to the next message while the last publish mark is written; whenIdle waits for the marks', async () => {
    const store = new FakeMailboxStore();
    const marking: string[][] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const markPublished = store.markPublished.bind(store);
    store.markPublished = async (ids) => {
      marking.push([...ids]);
      await held;
      return markPublished(ids);
    };
    const { pantheon, bus } = boot(store);
    await pantheon.createActor({ id: 'a', name: 'a', script: scriptWith([echo]), goals: [] });
    await pantheon.startActor('a');
    await pantheon.sendMessage('a', 'one');
    await pantheon.sendMessage('a', 'two');

    // Both replies are published while the first mark is still being written.
    await vi.waitFor(() => expect(bus.sent).toHaveLength(2));
    expect(marking).toEqual(bus.sent.map((message) => [message.id]));
    let idle = false;
    const idled = pantheon.whenIdle().then(() => {
      idle = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(idle).toBe(false);
    expect(await store.unpublished()).toHaveLength(2);

    release();
    await idled;
    expect(await store.unpublished()).toEqual([]);
  });

  it('marks the replies of ticks whose commits complete together in one markPublished', async () => {
    const store = new FakeMailboxStore();
    const marks: string[][] = [];
    const markPublished = store.markPublished.bind(store);
    store.markPublished = async (ids) => {
      marks.push([...ids]);
      return markPublished(ids);
    };
    // Commits wait until three are waiting, then complete together (as one group commit does).
    const waiting: (() => void)[] = [];
    const beginTick = store.beginTick.bind(store);
    store.beginTick = (actorId) => {
      const tick = beginTick(actorId);
      const commit = tick.commit.bind(tick);
      tick.commit = async (...args) => {
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          if (waiting.length === 3) for (const release of waiting.splice(0)) release();
        });
        return commit(...args);
      };
      return tick;
    };
    const { pantheon, bus } = boot(store);
    for (const id of ['a', 'b', 'c']) {
      await pantheon.createActor({ id, name: id, script: scriptWith([echo]), goals: [] });
      await pantheon.startActor(id);
    }
    await Promise.all(['a', 'b', 'c'].map((id) => pantheon.sendMessage(id, `to ${id}`)));
    await pantheon.whenIdle();

    expect(bus.sent).toHaveLength(3);
    expect(marks).toEqual([bus.sent.map((message) => message.id)]);
    expect(await store.unpublished()).toEqual([]);
  });

  it('publishes again later when a store throws from markPublished instead of rejecting', async () => {
    const store = new FakeMailboxStore();
    const markPublished = store.markPublished.bind(store);
    let throws = 1;
    store.markPublished = (ids) => {
      if (throws-- > 0) throw new Error('connection lost');
      return markPublished(ids);
    };
    const { pantheon, bus } = boot(store, { backoffMs: 1 });
    await pantheon.createActor({ id: 'a', name: 'a', script: scriptWith([echo]), goals: [] });
    await pantheon.startActor('a');
    await pantheon.sendMessage('a', 'ping');
    await pantheon.whenIdle();
    expect(await store.unpublished()).toHaveLength(1);

    // The retry (on the system's scheduler) publishes it again, under the same id, and marks it.
    await vi.waitFor(async () => expect(await store.unpublished()).toEqual([]));
    expect(bus.sent.map((message) => message.id)).toEqual([bus.sent[0]!.id, bus.sent[0]!.id]);
  });

  it('tries the restore again when the store was unreachable at first', async () => {
    const store = new FakeMailboxStore();
    const first = boot(store);
    await first.pantheon.createActor({ id: 'a', name: 'a', script: scriptWith([echo]), goals: [] });
    await first.pantheon.sendMessage('a', 'kept');
    const second = boot(store);
    store.failPending = 1;
    await expect(second.pantheon.startActor('a')).rejects.toThrow('connection refused');
    await second.pantheon.startActor('a');
    await second.pantheon.whenIdle();
    expect(second.bus.sent.map((message) => message.content)).toEqual(['echo: kept']);
  });

  it('loads a message once when the restore failed after reading the mailbox', async () => {
    const store = new FakeMailboxStore();
    const first = boot(store);
    await first.pantheon.createActor({ id: 'a', name: 'a', script: scriptWith([echo]), goals: [] });
    await first.pantheon.sendMessage('a', 'kept');
    const second = boot(store);
    // The mailbox was read; the approvals (read next) were not.
    const approvals = store.approvals.bind(store);
    let outage = 1;
    store.approvals = () =>
      outage-- > 0 ? Promise.reject(new Error('connection refused')) : approvals();
    await expect(second.pantheon.startActor('a')).rejects.toThrow('connection refused');
    await second.pantheon.startActor('a');
    await second.pantheon.whenIdle();
    expect(second.bus.sent.map((message) => message.content)).toEqual(['echo: kept']);
    expect(await store.pending()).toEqual([]);
  });

  it('stores messages for actors of the store that this process has not started yet', async () => {
    const store = new FakeMailboxStore();
    const first = boot(store);
    await first.pantheon.createActor({
      id: 'a',
      name: 'a',
      script: scriptWith([forwardToB]),
      goals: [],
    });
    await first.pantheon.createActor({ id: 'b', name: 'b', script: scriptWith([echo]), goals: [] });
    const second = boot(store);
    await second.pantheon.startActor('a');
    const id = await second.pantheon.sendMessage('a', 'for b');
    await second.pantheon.whenIdle();
    expect(second.bus.sent).toEqual([]);
    expect(await second.pantheon.getMailbox('b')).toEqual([
      expect.objectContaining({ id: `${id}:0`, to: 'b', content: 'fwd for b' }),
    ]);
  });

  it('dead-letters a message for a full mailbox without storing it: no restart handles it later', async () => {
    const store = new FakeMailboxStore();
    const first = boot(store, undefined, { mailboxCapacity: 1 });
    const script = scriptWith([forwardToB]);
    await first.pantheon.createActor({ id: 'a', name: 'a', script, goals: [] });
    await first.pantheon.createActor({ id: 'b', name: 'b', script: scriptWith([echo]), goals: [] });
    await first.pantheon.startActor('a');
    // b is not started, so its mailbox fills: one message from a's ticks, then one from the bus.
    for (const content of ['one', 'two']) {
      await first.pantheon.sendMessage('a', content);
      await first.pantheon.whenIdle();
    }
    await first.bus.send({ id: 'outside', from: 'user', to: 'b', content: 'three' });
    expect(
      first.pantheon
        .getDeadLetters()
        .map((letter) => [letter.reason, letter.message.from, letter.message.content]),
    ).toEqual([
      ['MAILBOX_FULL', 'a', 'fwd two'],
      ['MAILBOX_FULL', 'user', 'three'],
    ]);
    const waiting = (await store.pending()).filter((message) => message.to === 'b');
    expect(waiting.map((message) => message.content)).toEqual(['fwd one']);

    // The next process handles the accepted message only, once.
    const second = boot(store);
    await second.pantheon.startActor('b');
    await second.pantheon.whenIdle();
    const answered = await second.pantheon.getActorMessages('b');
    expect(answered.map((message) => message.content)).toEqual(['echo: fwd one']);
    expect((await store.pending()).filter((message) => message.to === 'b')).toEqual([]);
  });

  it('retries publishing with backoff instead of waiting for a restart', async () => {
    vi.useFakeTimers();
    try {
      const store = new FakeMailboxStore();
      const { pantheon, bus } = boot(store);
      await pantheon.createActor({ id: 'a', name: 'a', script: scriptWith([echo]), goals: [] });
      await pantheon.startActor('a');
      store.failMarkPublished = 2;
      await pantheon.sendMessage('a', 'ping');
      await vi.advanceTimersByTimeAsync(10);
      expect(await store.unpublished()).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(100);
      expect(await store.unpublished()).toEqual([]);
      // At least once: each attempt published the same id.
      expect(new Set(bus.sent.map((message) => message.id)).size).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('ignores a redelivered message it already stored', async () => {
    const store = new FakeMailboxStore();
    const { pantheon, bus } = boot(store);
    await pantheon.createActor({ id: 'a', name: 'a', script: scriptWith([echo]), goals: [] });
    await pantheon.startActor('a');
    const message = { id: 'external-1', from: 'user', to: 'a', content: 'once' };
    await bus.send(message);
    await bus.send(message);
    await pantheon.whenIdle();
    expect(bus.sent.filter((sent) => sent.from === 'a')).toHaveLength(1);
  });

  it('answers once: one reply event, one logged message, one bus message', async () => {
    const store = new FakeMailboxStore();
    const { pantheon, bus } = boot(store);
    await pantheon.createActor({ id: 'a', name: 'a', script: scriptWith([echo]), goals: [] });
    await pantheon.startActor('a');
    const replies: string[] = [];
    pantheon.on('reply', ({ message }) => replies.push(message.id!));
    const answer = await pantheon.ask('a', 'once please', { timeoutMs: 1000 });
    await pantheon.whenIdle();
    expect(replies).toEqual([answer.id]);
    expect((await pantheon.getActorMessages('a')).map((message) => message.id)).toEqual([
      answer.id,
    ]);
    expect(bus.sent.map((message) => message.id)).toEqual([answer.id]);
  });

  it('shows stored messages in getMailbox of a new process before anything else', async () => {
    const store = new FakeMailboxStore();
    const first = boot(store);
    await first.pantheon.createActor({ id: 'a', name: 'a', script: scriptWith([echo]), goals: [] });
    const id = await first.pantheon.sendMessage('a', 'waiting');
    const second = boot(store);
    expect(await second.pantheon.getMailbox('a')).toEqual([
      expect.objectContaining({ id, content: 'waiting' }),
    ]);
  });

  it('reports messages kept in the store at shutdown apart from lost ones', async () => {
    const store = new FakeMailboxStore();
    const { pantheon } = boot(store);
    await pantheon.createActor({ id: 'a', name: 'a', script: scriptWith([echo]), goals: [] });
    const id = await pantheon.sendMessage('a', 'for the next start');
    const report = await pantheon.shutdown({ timeoutMs: 10 });
    expect(report.pending).toEqual([]);
    expect(report.kept).toEqual([expect.objectContaining({ id })]);
    expect(pantheon.getDeadLetters()).toEqual([]);
    expect(await store.pending()).toEqual([expect.objectContaining({ id })]);
  });

  it('runs each tick in a transaction of the store: nothing shows before the commit, a failed commit leaves no trace', async () => {
    vi.useFakeTimers();
    try {
      const store = new FakeMailboxStore();
      const { pantheon, bus } = boot(store);
      const seenOutside: unknown[] = [];
      const counting: Behavior = {
        name: 'count',
        mode: 'active',
        async plan() {
          // The store's own ports show what is committed, not the running tick's writes.
          seenOutside.push(store.state.actors.get('a')?.state);
          return {
            actions: [
              { type: 'context', operation: 'write', target: 'seen', data: true },
              { type: 'spawn', actor: scriptWith([]), goal: 'help' },
              { type: 'message', content: 'counted' },
            ],
          };
        },
      };
      await pantheon.createActor({ id: 'a', name: 'a', script: scriptWith([counting]), goals: [] });
      await pantheon.startActor('a');
      store.failCommits = 1;
      const id = await pantheon.sendMessage('a', 'one', { conversationId: 'c-1' });
      await vi.advanceTimersByTimeAsync(100);
      await pantheon.whenIdle();

      expect(seenOutside).toEqual(['idle', 'idle']);
      expect(store.commits).toEqual([{ actorId: 'a', messageId: id }]);
      // The first attempt wrote nothing: one history of the tick, one spawned actor, one reply.
      expect(store.context.history.get('a/c-1')?.map((entry) => entry.content)).toEqual([
        'one',
        'counted',
      ]);
      expect(store.context.store.get('a/seen')).toBe(true);
      expect([...store.state.actors.keys()].filter((key) => key !== 'a')).toHaveLength(1);
      expect(store.state.actors.get('a')?.state).toBe('idle');
      expect(bus.sent.map((message) => message.content)).toEqual(['counted']);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('PantheonSystem with a store and ports that are not its own', () => {
  function systemWith(store: MailboxStore, state: ActorStatePort, context: ContextPort) {
    const bus = fakeBus();
    const subscribe = vi.spyOn(bus, 'subscribe');
    const create = () =>
      new PantheonSystem({
        contextAdapter: context,
        toolAdapter: fakeTools(),
        llmAdapter: echoLlm,
        messageBus: bus,
        scheduler: fakeScheduler(),
        actorStateAdapter: state,
        store,
      });
    return { create, subscribe };
  }

  it('rejects an in-memory state port with STORE_PORTS_MISMATCH, naming what to pass, and loses nothing', async () => {
    const store = new FakeMailboxStore();
    const first = boot(store);
    await first.pantheon.createActor({ id: 'a', name: 'a', script: scriptWith([echo]), goals: [] });
    const id = await first.pantheon.sendMessage('a', 'kept');

    const { create, subscribe } = systemWith(store, fakeState(), store.context);
    let error: unknown;
    try {
      create();
    } catch (thrown) {
      error = thrown;
    }
    expect(ConfigError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'STORE_PORTS_MISMATCH',
      details: { ports: ['actorStateAdapter'] },
    });
    expect((error as Error).message).toContain('actorStateAdapter: db.actors');
    expect((error as Error).message).toContain('contextAdapter: db.context');
    // Nothing was subscribed or read; the stored message waits for a correctly wired system.
    expect(subscribe).not.toHaveBeenCalled();
    expect(store.commits).toEqual([]);
    const second = boot(store);
    await second.pantheon.startActor('a');
    await second.pantheon.whenIdle();
    expect(second.bus.sent.map((message) => [message.id, message.content])).toEqual([
      [`${id}:0`, 'echo: kept'],
    ]);
  });

  it('names both ports when neither is the store’s own', () => {
    const store = new FakeMailboxStore();
    const { create } = systemWith(store, fakeState(), fakeContext());
    expect(create).toThrow(
      expect.objectContaining({
        code: 'STORE_PORTS_MISMATCH',
        details: { ports: ['actorStateAdapter', 'contextAdapter'] },
      }),
    );
  });

  it('rejects a store written for the previous port (no owns) with STORE_PORTS_MISMATCH', () => {
    const store = new FakeMailboxStore();
    const previous = Object.assign(Object.create(null), {
      enqueue: store.enqueue.bind(store),
      pending: store.pending.bind(store),
      unpublished: store.unpublished.bind(store),
      beginTick: () => {},
      markPublished: store.markPublished.bind(store),
    }) as unknown as MailboxStore;
    const { create, subscribe } = systemWith(previous, store.state, store.context);
    expect(create).toThrow(expect.objectContaining({ code: 'STORE_PORTS_MISMATCH' }));
    expect(subscribe).not.toHaveBeenCalled();
  });
});
