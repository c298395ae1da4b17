import { afterEach, describe, expect, it, vi } from 'vitest';
import { llmBehavior } from '../agent/llm-behavior';
import {
  echoLlm,
  fakeBus,
  fakeContext,
  fakeScheduler,
  fakeState,
  fakeTools,
  scriptWith,
} from '../orchestrator/fake-ports.test-support';
import type { LlmPort } from '../ports/llm-port';
import type { Behavior, BehaviorInput } from '../types';
import { PantheonSystem } from './pantheon-system';
import type { PantheonSystemOptions } from './types';

afterEach(() => {
  vi.useRealTimers();
});

function system(overrides: Partial<PantheonSystemOptions> = {}) {
  const state = fakeState();
  const bus = fakeBus();
  const pantheon = new PantheonSystem({
    contextAdapter: fakeContext(),
    toolAdapter: fakeTools(),
    llmAdapter: echoLlm,
    messageBus: bus,
    scheduler: fakeScheduler(),
    actorStateAdapter: state,
    ...overrides,
  });
  return { pantheon, state, bus };
}

/** Replies with the model's echo of the last input, to `target` (default: the sender). */
const echo = (target?: string): Behavior => ({
  name: 'echo',
  mode: 'active',
  async plan({ context, llm }) {
    const input = context.at(-1);
    const reply = await llm.complete(context);
    return {
      actions: [
        { type: 'message', content: reply.content, target: target ?? input?.name ?? 'user' },
      ],
    };
  },
});

describe('PantheonSystem', () => {
  it('runs the guide’s lifecycle: create, start, send, read replies, stop', async () => {
    const { pantheon, state } = system();
    const actor = await pantheon.createActor({
      name: 'test-agent',
      script: scriptWith([echo()]),
      goals: ['Test'],
    });
    expect(actor).toMatchObject({ name: 'test-agent', goals: ['Test'] });
    await pantheon.startActor(actor.id);
    await pantheon.sendMessage(actor.id, 'Hello, test!');
    await pantheon.whenIdle();
    const messages = await pantheon.getActorMessages(actor.id);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      from: actor.id,
      to: 'user',
      content: 'echo: Hello, test!',
    });
    await pantheon.stopActor(actor.id);
    expect(state.actors.get(actor.id)?.state).toBe('stopped');
  });

  it('processes one mailbox one message at a time, in arrival order', async () => {
    const seen: string[] = [];
    let inFlight = 0;
    let overlapped = false;
    const slow: Behavior = {
      name: 'slow',
      mode: 'active',
      async plan({ context }) {
        inFlight++;
        if (inFlight > 1) overlapped = true;
        await new Promise((resolve) => setTimeout(resolve, 1));
        seen.push(context.at(-1)?.content ?? '');
        inFlight--;
        return { actions: [] };
      },
    };
    const { pantheon } = system();
    const actor = await pantheon.createActor({ name: 'a', script: scriptWith([slow]), goals: [] });
    await pantheon.startActor(actor.id);
    await Promise.all(
      Array.from({ length: 20 }, (_, index) => pantheon.sendMessage(actor.id, `m${index}`)),
    );
    await pantheon.whenIdle();
    expect(seen).toEqual(Array.from({ length: 20 }, (_, index) => `m${index}`));
    expect(overlapped).toBe(false);
  });

  it('runs different actors concurrently up to maxConcurrentTicks', async () => {
    let running = 0;
    let peak = 0;
    const slow: Behavior = {
      name: 'slow',
      mode: 'active',
      async plan() {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        return { actions: [] };
      },
    };
    const { pantheon } = system({ limits: { maxConcurrentTicks: 3 } });
    const actors = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        pantheon.createActor({ name: `a${index}`, script: scriptWith([slow]), goals: [] }),
      ),
    );
    for (const actor of actors) await pantheon.startActor(actor.id);
    for (const actor of actors) await pantheon.sendMessage(actor.id, 'go');
    await pantheon.whenIdle();
    expect(peak).toBe(3);
  });

  it('delivers actor-to-actor messages through the bus, naming the sender', async () => {
    let received: BehaviorInput['context'] = [];
    const { pantheon } = system();
    const b = await pantheon.createActor({
      id: 'b',
      name: 'b',
      goals: [],
      script: scriptWith([
        {
          name: 'listen',
          mode: 'active',
          plan: ({ context }) => {
            received = context;
            return { actions: [] };
          },
        },
      ]),
    });
    const a = await pantheon.createActor({
      id: 'a',
      name: 'a',
      goals: [],
      script: scriptWith([echo('b')]),
    });
    await pantheon.startActor(a.id);
    await pantheon.startActor(b.id);
    await pantheon.sendMessage(a.id, 'pass it on');
    await pantheon.whenIdle();
    expect(received.at(-1)).toEqual({ role: 'user', content: 'echo: pass it on', name: 'a' });
    const [forwarded] = await pantheon.getActorMessages('a');
    expect(forwarded).toMatchObject({ from: 'a', to: 'b', metadata: { hops: 1 } });
  });

  it('keeps the model reasoning from other actors unless llmBehavior shares it', async () => {
    const thinkingLlm: LlmPort = {
      complete: async () => ({
        role: 'assistant',
        content: 'Refund approved.',
        metadata: { reasoning: 'The order is within the 30-day window.' },
      }),
    };
    const { pantheon } = system({ llmAdapter: thinkingLlm });
    // b is not started: what a sends waits in its mailbox, exactly as b would receive it.
    await pantheon.createActor({ id: 'b', name: 'b', goals: [], script: scriptWith([echo()]) });
    for (const shareReasoning of [undefined, true]) {
      const id = shareReasoning ? 'sharing' : 'private';
      await pantheon.createActor({
        id,
        name: id,
        goals: [],
        script: scriptWith([llmBehavior({ name: 'answer', target: 'b', shareReasoning })]),
      });
      await pantheon.startActor(id);
      await pantheon.sendMessage(id, 'Can I get a refund?');
    }
    await pantheon.whenIdle();

    const received = await pantheon.getMailbox('b');
    expect(received.map((message) => message.from)).toEqual(['private', 'sharing']);
    expect(received.map((message) => message.content)).toEqual([
      'Refund approved.',
      'Refund approved.',
    ]);
    expect(received[0]?.metadata).not.toHaveProperty('reasoning');
    expect(received[1]?.metadata).toMatchObject({
      reasoning: 'The order is within the 30-day window.',
      // The tick's own metadata is kept next to it.
      hops: 1,
    });
    expect(() =>
      llmBehavior({ name: 'answer', shareReasoning: 'yes' as unknown as boolean }),
    ).toThrowError(/shareReasoning must be a boolean/);
  });

  it('dead-letters a chain past maxHops so two actors cannot talk forever', async () => {
    const { pantheon } = system({ limits: { maxHops: 4 } });
    const deadLetters: string[] = [];
    pantheon.on('deadletter', ({ reason }) => deadLetters.push(reason));
    await pantheon.createActor({
      id: 'ping',
      name: 'ping',
      goals: [],
      script: scriptWith([echo('pong')]),
    });
    await pantheon.createActor({
      id: 'pong',
      name: 'pong',
      goals: [],
      script: scriptWith([echo('ping')]),
    });
    await pantheon.startActor('ping');
    await pantheon.startActor('pong');
    await pantheon.sendMessage('ping', 'serve');
    await pantheon.whenIdle();
    const sent = [
      ...(await pantheon.getActorMessages('ping')),
      ...(await pantheon.getActorMessages('pong')),
    ];
    expect(sent).toHaveLength(5);
    expect(deadLetters).toEqual(['HOP_LIMIT']);
    expect(pantheon.getDeadLetters()[0]).toMatchObject({
      reason: 'HOP_LIMIT',
      message: { metadata: { hops: 5 } },
    });
  });

  it('rejects sends to unknown actors, oversized messages and full mailboxes, losing nothing', async () => {
    const { pantheon } = system({ limits: { mailboxCapacity: 2, maxMessageBytes: 12 } });
    await expect(pantheon.sendMessage('ghost', 'hi')).rejects.toMatchObject({
      code: 'ACTOR_NOT_FOUND',
      actorId: 'ghost',
    });
    const actor = await pantheon.createActor({
      name: 'a',
      script: scriptWith([echo()]),
      goals: [],
    });
    await expect(pantheon.sendMessage(actor.id, 'x'.repeat(13))).rejects.toMatchObject({
      code: 'MESSAGE_TOO_LARGE',
      details: { bytes: 13, max: 12 },
    });
    await expect(pantheon.sendMessage(actor.id, 'ééééééé')).rejects.toMatchObject({
      code: 'MESSAGE_TOO_LARGE',
    });
    await expect(pantheon.sendMessage(actor.id, 42 as never)).rejects.toMatchObject({
      code: 'INVALID_MESSAGE',
    });
    await pantheon.sendMessage(actor.id, 'first');
    await pantheon.sendMessage(actor.id, 'second');
    await expect(pantheon.sendMessage(actor.id, 'third')).rejects.toMatchObject({
      name: 'ActorError',
      code: 'MAILBOX_FULL',
    });
    expect((await pantheon.getMailbox(actor.id)).map((message) => message.content)).toEqual([
      'first',
      'second',
    ]);
    await pantheon.startActor(actor.id);
    await pantheon.whenIdle();
    expect((await pantheon.getActorMessages(actor.id)).map((message) => message.content)).toEqual([
      'echo: first',
      'echo: second',
    ]);
  });

  it('keeps a stopped actor’s mailbox and resumes it on startActor', async () => {
    const { pantheon } = system();
    const actor = await pantheon.createActor({
      name: 'a',
      script: scriptWith([echo()]),
      goals: [],
    });
    await pantheon.startActor(actor.id);
    await pantheon.stopActor(actor.id);
    await pantheon.sendMessage(actor.id, 'while stopped');
    await pantheon.whenIdle();
    expect(await pantheon.getActorMessages(actor.id)).toEqual([]);
    expect(await pantheon.getMailbox(actor.id)).toHaveLength(1);
    await pantheon.startActor(actor.id);
    await pantheon.whenIdle();
    expect((await pantheon.getActorMessages(actor.id))[0]?.content).toBe('echo: while stopped');
  });

  it('restarts a failing actor with doubling backoff, then stops it as failed past the limit', async () => {
    vi.useFakeTimers();
    const failing: Behavior = {
      name: 'fails',
      mode: 'active',
      plan: () => Promise.reject(new Error('model down')),
    };
    const { pantheon, state } = system({
      supervision: { maxFailures: 3, windowMs: 60_000, backoffMs: 100 },
    });
    const events: string[] = [];
    pantheon.on('actor.restarted', ({ attempt, backoffMs }) =>
      events.push(`restarted ${attempt} after ${backoffMs}`),
    );
    pantheon.on('actor.failed', ({ failures, error }) =>
      events.push(`failed after ${failures}: ${error.code}`),
    );
    const actor = await pantheon.createActor({
      name: 'a',
      script: scriptWith([failing]),
      goals: [],
    });
    await pantheon.startActor(actor.id);
    for (const content of ['1', '2', '3', '4']) await pantheon.sendMessage(actor.id, content);
    await vi.advanceTimersByTimeAsync(1000);
    expect(events).toEqual([
      'restarted 1 after 100',
      'restarted 2 after 200',
      'failed after 3: BEHAVIOR_ERROR',
    ]);
    expect(state.actors.get(actor.id)?.state).toBe('failed');
    expect((await pantheon.getMailbox(actor.id)).map((message) => message.content)).toEqual(['4']);
  });

  it('stops a failing actor even when the state port throws instead of rejecting, and logs it', async () => {
    const state = fakeState();
    const update = state.update;
    state.update = (id, patch) => {
      // Only supervision's own mark (the tick's update carries more than the state).
      if (patch.state === 'failed' && Object.keys(patch).length === 1) {
        throw new Error('read-only replica');
      }
      return update(id, patch);
    };
    const logged: string[] = [];
    const { pantheon } = system({
      actorStateAdapter: state,
      supervision: { maxFailures: 1 },
      log: (message) => logged.push(message),
    });
    const failed = new Promise<string>((resolve) =>
      pantheon.on('actor.failed', ({ error }) => resolve(error.code)),
    );
    const actor = await pantheon.createActor({
      name: 'a',
      script: scriptWith([
        { name: 'fails', mode: 'active', plan: () => Promise.reject(new Error('model down')) },
      ]),
      goals: [],
    });
    await pantheon.startActor(actor.id);
    await pantheon.sendMessage(actor.id, 'x');
    // Supervision gives up; its update to `failed` throws synchronously and is logged.
    expect(await failed).toBe('BEHAVIOR_ERROR');
    expect(logged).toContain('Could not mark the actor failed');
  });

  it('runs starts and stops of an actor in call order: a stop during a slow start stops it', async () => {
    const state = fakeState();
    const update = state.update;
    state.update = async (id, patch) => {
      if (patch.state === 'idle') await new Promise((resolve) => setTimeout(resolve, 20));
      return update(id, patch);
    };
    const { pantheon, bus } = system({ actorStateAdapter: state });
    const events: string[] = [];
    pantheon.on('actor.started', () => events.push('started'));
    pantheon.on('actor.stopped', () => events.push('stopped'));
    const actor = await pantheon.createActor({
      name: 'a',
      script: scriptWith([echo()]),
      goals: [],
    });
    const started = pantheon.startActor(actor.id);
    const stopped = pantheon.stopActor(actor.id);
    await Promise.all([started, stopped]);
    await pantheon.sendMessage(actor.id, 'anyone?');
    await pantheon.whenIdle();
    expect(events).toEqual(['started', 'stopped']);
    expect(state.actors.get(actor.id)?.state).toBe('stopped');
    expect(bus.sent).toEqual([]);
  });

  it('keeps the message when the tick itself fails (state port down) and processes it once the port is back', async () => {
    vi.useFakeTimers();
    const state = fakeState();
    const { pantheon } = system({ actorStateAdapter: state, supervision: { backoffMs: 50 } });
    const actor = await pantheon.createActor({
      name: 'a',
      script: scriptWith([echo()]),
      goals: [],
    });
    await pantheon.startActor(actor.id);
    const get = state.get;
    let outage = 2;
    state.get = (id) => (outage-- > 0 ? Promise.reject(new Error('connection refused')) : get(id));
    const restarts: string[] = [];
    pantheon.on('actor.restarted', ({ error }) => restarts.push(error.code));
    await pantheon.sendMessage(actor.id, 'important');
    await vi.advanceTimersByTimeAsync(500);
    expect(restarts).toEqual(['ACTOR_ERROR', 'ACTOR_ERROR']);
    expect((await pantheon.getActorMessages(actor.id)).map((message) => message.content)).toEqual([
      'echo: important',
    ]);
    expect(await pantheon.getMailbox(actor.id)).toEqual([]);
  });

  it('answers ask with the actor’s reply, and times out with ASK_TIMEOUT', async () => {
    vi.useFakeTimers();
    const { pantheon } = system();
    const actor = await pantheon.createActor({
      name: 'a',
      script: scriptWith([echo()]),
      goals: [],
    });
    await pantheon.startActor(actor.id);
    const reply = await pantheon.ask(actor.id, 'ping', { timeoutMs: 1000 });
    expect(reply).toMatchObject({
      from: actor.id,
      content: 'echo: ping',
      correlationId: expect.any(String),
    });

    const silent = await pantheon.createActor({ name: 's', script: scriptWith([]), goals: [] });
    await pantheon.startActor(silent.id);
    const unanswered = pantheon
      .ask(silent.id, 'hello?', { timeoutMs: 1000 })
      .catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await unanswered).toMatchObject({ code: 'ASK_TIMEOUT', actorId: silent.id });
    await expect(pantheon.ask('ghost', 'x')).rejects.toMatchObject({ code: 'ACTOR_NOT_FOUND' });
  });

  it('runs passive behaviors on the interval, serialised with messages', async () => {
    vi.useFakeTimers();
    let idleTicks = 0;
    const watcher: Behavior = {
      name: 'watch',
      mode: 'passive',
      plan: () => {
        idleTicks++;
        return { actions: [] };
      },
    };
    const { pantheon } = system();
    const actor = await pantheon.createActor({
      name: 'a',
      script: scriptWith([watcher, echo()]),
      goals: [],
    });
    await pantheon.startActor(actor.id, { intervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(3000);
    expect(idleTicks).toBe(3);
    await pantheon.stopActor(actor.id);
    await vi.advanceTimersByTimeAsync(3000);
    expect(idleTicks).toBe(3);
  });

  it('emits reply and lifecycle events', async () => {
    const { pantheon } = system();
    const events: string[] = [];
    pantheon.on('reply', ({ actorId, message }) =>
      events.push(`reply ${actorId}: ${message.content}`),
    );
    pantheon.on('actor.started', ({ actorId }) => events.push(`started ${actorId}`));
    pantheon.on('actor.stopped', ({ actorId }) => events.push(`stopped ${actorId}`));
    await pantheon.createActor({ id: 'a', name: 'a', script: scriptWith([echo()]), goals: [] });
    await pantheon.startActor('a');
    await pantheon.sendMessage('a', 'hi');
    await pantheon.whenIdle();
    await pantheon.stopActor('a');
    expect(events).toEqual(['started a', 'reply a: echo: hi', 'stopped a']);
  });

  it('shutdown drains started actors and reports what stopped actors still hold', async () => {
    const { pantheon } = system();
    await pantheon.createActor({
      id: 'busy',
      name: 'busy',
      script: scriptWith([echo()]),
      goals: [],
    });
    await pantheon.createActor({ id: 'off', name: 'off', script: scriptWith([echo()]), goals: [] });
    await pantheon.startActor('busy');
    await pantheon.sendMessage('busy', 'one');
    await pantheon.sendMessage('off', 'waiting');
    const report = await pantheon.shutdown();
    expect((await pantheon.getActorMessages('busy')).map((message) => message.content)).toEqual([
      'echo: one',
    ]);
    expect(report.pending).toEqual([
      { reason: 'SHUTDOWN', message: expect.objectContaining({ to: 'off', content: 'waiting' }) },
    ]);
    expect(pantheon.getDeadLetters()).toEqual(report.pending);
    await expect(pantheon.sendMessage('busy', 'late')).rejects.toMatchObject({
      code: 'SYSTEM_SHUT_DOWN',
    });
  });

  it('rejects an invalid script at createActor', async () => {
    const { pantheon, state } = system();
    await expect(
      pantheon.createActor({
        name: 'x',
        script: { name: 'bad', talents: [{ name: 't', behaviors: [{ name: 'b' }] }] } as never,
        goals: [],
      }),
    ).rejects.toMatchObject({
      code: 'SCRIPT_INVALID',
      message: expect.stringContaining('script.talents[0].behaviors[0].mode'),
    });
    expect(state.actors.size).toBe(0);
  });
});
