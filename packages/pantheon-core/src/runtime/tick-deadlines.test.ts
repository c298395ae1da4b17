import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  echoLlm,
  fakeBus,
  fakeContext,
  fakeScheduler,
  fakeState,
  fakeTools,
  scriptWith,
} from '../orchestrator/fake-ports.test-support';
import type { Behavior, ToolSpec } from '../types';
import { FakeMailboxStore } from './fake-mailbox-store.test-support';
import { PantheonSystem } from './pantheon-system';
import type { PantheonSystemEvents, PantheonSystemOptions } from './types';

afterEach(() => {
  vi.useRealTimers();
});

function system(overrides: Partial<PantheonSystemOptions> = {}) {
  const bus = fakeBus();
  const pantheon = new PantheonSystem({
    contextAdapter: fakeContext(),
    toolAdapter: fakeTools(),
    llmAdapter: echoLlm,
    messageBus: bus,
    scheduler: fakeScheduler(),
    actorStateAdapter: fakeState(),
    log: () => {},
    ...overrides,
  });
  return { pantheon, bus };
}

/** Waits `duration` ms in a `wait` action, then answers. */
const waitThenAnswer = (duration: number): Behavior => ({
  name: 'slow',
  mode: 'active',
  plan: () => ({
    actions: [
      { type: 'wait', duration },
      { type: 'message', content: 'done' },
    ],
  }),
});

/** Never finishes and never looks at its signal: the worst a behavior can do. */
const hang: Behavior = { name: 'hang', mode: 'active', plan: () => new Promise(() => {}) };

const answer: Behavior = {
  name: 'answer',
  mode: 'active',
  plan: ({ context }) => ({
    actions: [{ type: 'message', content: `re ${context.at(-1)?.content}` }],
  }),
};

function record<K extends keyof PantheonSystemEvents>(pantheon: PantheonSystem, event: K) {
  const seen: PantheonSystemEvents[K][] = [];
  pantheon.on(event, (payload) => seen.push(payload));
  return seen;
}

describe('tick deadlines and cancellation', () => {
  it('shutdown({ timeoutMs: 300 }) aborts a tick sitting in a 10-minute wait and reports it', async () => {
    vi.useFakeTimers();
    const { pantheon, bus } = system();
    const actor = await pantheon.createActor({
      name: 'sleeper',
      script: scriptWith([waitThenAnswer(600_000)]),
      goals: ['Wait'],
    });
    await pantheon.startActor(actor.id);
    const id = await pantheon.sendMessage(actor.id, 'take your time', { conversationId: 'c-1' });
    const interrupted = record(pantheon, 'tick.interrupted');

    const report = pantheon.shutdown({ timeoutMs: 300 });
    await vi.advanceTimersByTimeAsync(300);
    const { interrupted: reported, pending } = await report;

    expect(reported).toEqual([{ actorId: actor.id, messageId: id, conversationId: 'c-1' }]);
    expect(interrupted).toEqual(reported);
    // Without a store the interrupted message is lost, and says so.
    expect(pending.map((letter) => [letter.message.id, letter.reason])).toEqual([[id, 'SHUTDOWN']]);
    expect(bus.sent).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stopActor aborts a model call at its deadline; the message waits for the next start', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const hangingModel = {
      complete: (_messages: unknown, options?: { signal?: AbortSignal }) => {
        calls++;
        if (calls > 1) return echoLlm.complete(_messages as never);
        return new Promise<never>((_, reject) =>
          options?.signal?.addEventListener('abort', () => reject(options.signal?.reason)),
        );
      },
    };
    const modelBehavior: Behavior = {
      name: 'model',
      mode: 'active',
      async plan({ context, llm, signal }) {
        const reply = await llm.complete(context, { signal });
        return { actions: [{ type: 'message', content: reply.content }] };
      },
    };
    const { pantheon, bus } = system({ llmAdapter: hangingModel as never });
    const actor = await pantheon.createActor({
      name: 'm',
      script: scriptWith([modelBehavior]),
      goals: ['Answer'],
    });
    await pantheon.startActor(actor.id);
    const id = await pantheon.sendMessage(actor.id, 'hello');
    await vi.advanceTimersByTimeAsync(0);
    const interrupted = record(pantheon, 'tick.interrupted');

    const stopped = pantheon.stopActor(actor.id, { timeoutMs: 500 });
    await vi.advanceTimersByTimeAsync(500);
    await stopped;

    expect(interrupted).toEqual([
      { actorId: actor.id, messageId: id, conversationId: expect.any(String) },
    ]);
    expect((await pantheon.getMailbox(actor.id)).map((message) => message.id)).toEqual([id]);
    await pantheon.startActor(actor.id);
    await pantheon.whenIdle();
    expect(bus.sent.map((message) => message.content)).toEqual(['echo: hello']);
    expect(calls).toBe(2);
  });

  it('a hung behavior is cut off at tickTimeoutMs, frees its slot and counts as a failure', async () => {
    vi.useFakeTimers();
    const { pantheon, bus } = system({
      limits: { tickTimeoutMs: 1_000, maxConcurrentTicks: 1 },
      supervision: { backoffMs: 60_000 },
    });
    const stuck = await pantheon.createActor({
      name: 'stuck',
      script: scriptWith([hang]),
      goals: ['x'],
    });
    const healthy = await pantheon.createActor({
      name: 'ok',
      script: scriptWith([answer]),
      goals: ['x'],
    });
    const restarted = record(pantheon, 'actor.restarted');
    await pantheon.startActor(stuck.id);
    await pantheon.startActor(healthy.id);
    const stuckId = await pantheon.sendMessage(stuck.id, 'first', { conversationId: 'c-stuck' });
    await pantheon.sendMessage(healthy.id, 'second');
    await vi.advanceTimersByTimeAsync(999);
    expect(bus.sent).toEqual([]); // the only slot is held

    await vi.advanceTimersByTimeAsync(1);
    expect(restarted).toEqual([
      expect.objectContaining({
        actorId: stuck.id,
        error: expect.objectContaining({ code: 'TICK_TIMEOUT' }),
        messageId: stuckId,
        conversationId: 'c-stuck',
      }),
    ]);
    expect(bus.sent.map((message) => message.content)).toEqual(['re second']);
    // The timed-out message is kept and tried again after the backoff.
    expect((await pantheon.getMailbox(stuck.id)).map((message) => message.id)).toEqual([stuckId]);
  });

  it('a wait longer than tickTimeoutMs is refused when planned, not cut off later', async () => {
    const failed: unknown[] = [];
    const { pantheon } = system({ limits: { tickTimeoutMs: 5_000 } });
    pantheon.on('actor.restarted', ({ error }) => failed.push(error.code));
    const actor = await pantheon.createActor({
      name: 'w',
      script: scriptWith([waitThenAnswer(10_000)]),
      goals: ['x'],
    });
    await pantheon.startActor(actor.id);
    const answerFailed = pantheon.ask(actor.id, 'wait', { timeoutMs: 1_000 });
    await expect(answerFailed).rejects.toMatchObject({
      code: 'ASK_FAILED',
      cause: { code: 'LIMIT_EXCEEDED', details: { limit: 'maxWaitMs', max: 5_000 } },
    });
    await pantheon.shutdown({ timeoutMs: 100 });
  });

  it('a tool gets the abort: a durable tick interrupted by shutdown is replayed by the next process', async () => {
    vi.useFakeTimers();
    const store = new FakeMailboxStore();
    const runs: string[] = [];
    let release = false;
    const slowTool: ToolSpec = {
      name: 'slow',
      description: 'Takes a minute the first time',
      parameters: { type: 'object', properties: {} },
      execute: (_args, context) => {
        runs.push(release ? 'finished' : 'started');
        if (release) return 'ok';
        return new Promise((_, reject) =>
          context?.signal?.addEventListener('abort', () => reject(context.signal?.reason)),
        );
      },
    };
    const useTool: Behavior = {
      name: 'tool',
      mode: 'active',
      plan: () => ({
        actions: [
          { type: 'tool', name: 'slow', args: {} },
          { type: 'message', content: 'charged' },
        ],
      }),
    };
    const boot = () => {
      const bus = fakeBus();
      const pantheon = new PantheonSystem({
        contextAdapter: store.context,
        toolAdapter: fakeTools([slowTool]),
        llmAdapter: echoLlm,
        messageBus: bus,
        scheduler: fakeScheduler(),
        actorStateAdapter: store.state,
        store,
        log: () => {},
      });
      return { pantheon, bus };
    };
    const first = boot();
    const actor = await first.pantheon.createActor({
      id: 'payer',
      name: 'payer',
      script: scriptWith([useTool]),
      goals: ['Pay'],
    });
    await first.pantheon.startActor(actor.id);
    const id = await first.pantheon.sendMessage(actor.id, 'pay');
    const report = first.pantheon.shutdown({ timeoutMs: 200 });
    await vi.advanceTimersByTimeAsync(200);
    const { interrupted, kept } = await report;
    expect(interrupted.map((tick) => tick.messageId)).toEqual([id]);
    expect(kept.map((message) => message.id)).toEqual([id]);
    expect(first.bus.sent).toEqual([]);

    release = true;
    const second = boot();
    await second.pantheon.startActor(actor.id);
    await second.pantheon.whenIdle();
    expect(runs).toEqual(['started', 'finished']);
    expect(second.bus.sent.map((message) => [message.id, message.content])).toEqual([
      [`${id}:0`, 'charged'],
    ]);
  });
});
