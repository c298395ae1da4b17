import { describe, expect, it } from 'vitest';
import {
  echoLlm,
  fakeBus,
  fakeContext,
  fakeScheduler,
  fakeState,
  fakeTools,
  scriptWith,
} from '../orchestrator/fake-ports.test-support';
import type { Behavior } from '../types';
import { PantheonSystem } from './pantheon-system';

function system() {
  const bus = fakeBus();
  let clock = 1_000;
  const pantheon = new PantheonSystem({
    contextAdapter: fakeContext(),
    toolAdapter: fakeTools(),
    llmAdapter: echoLlm,
    messageBus: bus,
    scheduler: fakeScheduler(),
    actorStateAdapter: fakeState(),
    now: () => clock++,
    log: () => {},
  });
  return { pantheon, bus };
}

/** Passes every message on to `target`. */
const forward = (target: string): Behavior => ({
  name: 'forward',
  mode: 'active',
  plan: async ({ context }) => ({
    actions: [{ type: 'message', content: context.at(-1)?.content ?? '', target }],
  }),
});

describe('PantheonSystem read-outs and trace context', () => {
  it('reports mailbox depth, the oldest waiting message, pending asks and dead letters', async () => {
    const { pantheon } = system();
    const a = await pantheon.createActor({
      name: 'a',
      script: scriptWith([forward('user')]),
      goals: [],
    });
    await pantheon.sendMessage(a.id, 'one');
    await pantheon.sendMessage(a.id, 'two');
    const asked = pantheon.ask(a.id, 'three', { timeoutMs: 60_000 });
    await Promise.resolve();
    const before = pantheon.getRuntimeStats();
    expect(before).toEqual({
      mailboxes: [{ actorId: a.id, started: false, depth: 3, oldestTimestamp: 1_000 }],
      pendingAsks: 1,
      pendingApprovals: 0,
      deadLetters: 0,
    });
    expect((await pantheon.listActors()).map((actor) => actor.name)).toEqual(['a']);

    await pantheon.startActor(a.id);
    await asked;
    await pantheon.whenIdle();
    expect(pantheon.getRuntimeStats()).toEqual({
      mailboxes: [{ actorId: a.id, started: true, depth: 0 }],
      pendingAsks: 0,
      pendingApprovals: 0,
      deadLetters: 0,
    });
  });

  it('carries the traceparent of a sent message onto every message of the conversation', async () => {
    const { pantheon, bus } = system();
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await pantheon.createActor({
      id: 'a',
      name: 'a',
      script: scriptWith([forward('b')]),
      goals: [],
    });
    await pantheon.createActor({
      id: 'b',
      name: 'b',
      script: scriptWith([forward('user')]),
      goals: [],
    });
    await pantheon.startActor('a');
    await pantheon.startActor('b');
    const answer = await pantheon.ask('a', 'hello', {
      metadata: { traceparent, tracestate: 'vendor=1', tenant: 't1' },
    });
    expect(answer.metadata).toMatchObject({ traceparent, tracestate: 'vendor=1', hops: 2 });
    expect(bus.sent.map((message) => message.metadata?.traceparent)).toEqual([
      traceparent,
      traceparent,
    ]);
    // Other metadata of the request stays on the request.
    expect(answer.metadata).not.toHaveProperty('tenant');
  });

  it("keeps the runtime's own metadata entries from the caller", async () => {
    const { pantheon } = system();
    const a = await pantheon.createActor({ name: 'a', script: scriptWith([]), goals: [] });
    await pantheon.sendMessage(a.id, 'hi', {
      metadata: { hops: 99, budget: { tokens: 1 }, tenant: 't1' },
    });
    expect((await pantheon.getMailbox(a.id))[0]?.metadata).toEqual({ tenant: 't1' });
  });

  it('rejects metadata that is not an object with INVALID_MESSAGE and enqueues nothing', async () => {
    const { pantheon } = system();
    const a = await pantheon.createActor({ name: 'a', script: scriptWith([]), goals: [] });
    await expect(
      pantheon.sendMessage(a.id, 'hi', {
        metadata: 'traceparent' as unknown as Record<string, unknown>,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_MESSAGE', details: { field: 'metadata' } });
    expect(await pantheon.getMailbox(a.id)).toEqual([]);
  });
});
