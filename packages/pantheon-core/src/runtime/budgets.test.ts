import { describe, expect, it } from 'vitest';
import {
  fakeBus,
  fakeContext,
  fakeScheduler,
  fakeState,
  fakeTools,
  scriptWith,
} from '../orchestrator/fake-ports.test-support';
import type { LlmPort } from '../ports/llm-port';
import type { Behavior } from '../types';
import { FakeMailboxStore } from './fake-mailbox-store.test-support';
import { PantheonSystem } from './pantheon-system';
import type { PantheonSystemEvents, PantheonSystemOptions } from './types';

/** Answers every call with 100 input and 50 output tokens of model `small`. */
const metered: LlmPort = {
  complete: async (messages) => ({
    role: 'assistant',
    content: `re ${messages.at(-1)?.content}`,
    metadata: { model: 'small', usage: { inputTokens: 100, outputTokens: 50 } },
  }),
};

/** Asks the model, then passes the answer on to `target` (the requester when absent). */
const think = (target?: string): Behavior => ({
  name: 'think',
  mode: 'active',
  async plan({ context, llm, signal }) {
    const reply = await llm.complete(context, { signal });
    return { actions: [{ type: 'message', content: reply.content, target }] };
  },
});

function system(overrides: Partial<PantheonSystemOptions> = {}) {
  const bus = fakeBus();
  const pantheon = new PantheonSystem({
    contextAdapter: fakeContext(),
    toolAdapter: fakeTools(),
    llmAdapter: metered,
    messageBus: bus,
    scheduler: fakeScheduler(),
    actorStateAdapter: fakeState(),
    log: () => {},
    ...overrides,
  });
  const exceeded: PantheonSystemEvents['budget.exceeded'][] = [];
  const restarted: unknown[] = [];
  pantheon.on('budget.exceeded', (event) => exceeded.push(event));
  pantheon.on('actor.restarted', (event) => restarted.push(event));
  return { pantheon, bus, exceeded, restarted };
}

/** Triage asks the model and forwards to the specialist, which asks the model and answers. */
async function triageDesk(pantheon: PantheonSystem) {
  await pantheon.createActor({
    id: 'triage',
    name: 'triage',
    script: scriptWith([think('specialist')]),
    goals: ['Route'],
    declaredActors: ['specialist'],
  });
  await pantheon.createActor({
    id: 'specialist',
    name: 'specialist',
    script: scriptWith([think('user')]),
    goals: ['Answer'],
  });
  await pantheon.startActor('triage');
  await pantheon.startActor('specialist');
}

describe('conversation budgets', () => {
  it('stops the conversation that spent its model calls; another conversation goes on', async () => {
    const { pantheon, exceeded, restarted } = system({ budget: { modelCalls: 3 } });
    await triageDesk(pantheon);

    // Two model calls per request: the first request fits, the second runs out at the specialist.
    const first = await pantheon.ask('triage', 'one', { conversationId: 'c-a' });
    expect(first.content).toBe('re re one');
    const second = pantheon.ask('triage', 'two', { conversationId: 'c-a', timeoutMs: 2_000 });
    await expect(second).rejects.toMatchObject({
      code: 'ASK_FAILED',
      cause: { code: 'BUDGET_EXCEEDED', details: { limit: 'modelCalls', max: 3 } },
    });
    await pantheon.whenIdle();
    // Continuing it is refused up front, and nothing is enqueued.
    await expect(
      pantheon.sendMessage('triage', 'three', { conversationId: 'c-a' }),
    ).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect(await pantheon.getMailbox('triage')).toEqual([]);

    // A new conversation has a budget of its own.
    expect((await pantheon.ask('triage', 'fresh')).content).toBe('re re fresh');
    expect(exceeded).toEqual([
      {
        conversationId: 'c-a',
        actorId: 'specialist',
        limit: 'modelCalls',
        budget: { modelCalls: 3 },
        spent: expect.objectContaining({ modelCalls: 3, tokens: 450 }),
      },
    ]);
    expect(restarted).toEqual([]); // a spent budget is no failure of the actor's
    expect(pantheon.getConversationBudget('c-a')?.spent.modelCalls).toBe(3);
  });

  it('dead-letters a message of a conversation whose budget another branch spent', async () => {
    const { pantheon, exceeded } = system();
    await triageDesk(pantheon);
    await pantheon.stopActor('specialist');
    // Tokens: each call costs 150; 450 allows three calls, so the second answer at the
    // specialist finds the budget spent by the first.
    await pantheon.sendMessage('triage', 'a', { conversationId: 'c-b', budget: { tokens: 450 } });
    await pantheon.sendMessage('triage', 'b', { conversationId: 'c-b' });
    await pantheon.whenIdle();
    expect((await pantheon.getMailbox('specialist')).map((m) => m.content)).toEqual([
      're a',
      're b',
    ]);
    await pantheon.startActor('specialist');
    await pantheon.whenIdle();
    const letters = pantheon.getDeadLetters();
    expect(letters.map((letter) => [letter.message.content, letter.reason])).toEqual([
      ['re b', 'BUDGET_EXCEEDED'],
    ]);
    expect(exceeded.map((event) => [event.conversationId, event.limit])).toEqual([
      ['c-b', 'tokens'],
    ]);
  });

  it('prices the tokens of each model for a cost limit', async () => {
    const { pantheon } = system({
      budget: { cost: 1 },
      prices: { small: { input: 2_000, output: 4_000 } }, // 0.2 + 0.2 = 0.4 per call
    });
    await triageDesk(pantheon);
    await pantheon.ask('triage', 'x', { conversationId: 'c-cost' });
    expect(pantheon.getConversationBudget('c-cost')?.spent.cost).toBeCloseTo(0.8);
    await expect(
      pantheon.ask('triage', 'y', { conversationId: 'c-cost', timeoutMs: 2_000 }),
    ).rejects.toMatchObject({ cause: { code: 'BUDGET_EXCEEDED', details: { limit: 'cost' } } });
  });

  it('travels with the conversation through the durable store into the next process', async () => {
    const store = new FakeMailboxStore();
    const boot = (budget?: { modelCalls: number }) => {
      const pantheon = new PantheonSystem({
        contextAdapter: store.context,
        toolAdapter: fakeTools(),
        llmAdapter: metered,
        messageBus: fakeBus(),
        scheduler: fakeScheduler(),
        actorStateAdapter: store.state,
        store,
        budget,
        log: () => {},
      });
      return pantheon;
    };
    const first = boot({ modelCalls: 2 });
    await triageDesk(first);
    await first.stopActor('specialist');
    await first.sendMessage('triage', 'hi', { conversationId: 'c-d' });
    await first.whenIdle();
    await first.shutdown();

    // The next process has no budget configured: the stored message carries the conversation's.
    const second = boot();
    await second.startActor('specialist');
    await second.whenIdle();
    expect(second.getConversationBudget('c-d')).toMatchObject({
      limit: { modelCalls: 2 },
      spent: { modelCalls: 2 },
    });
    await expect(
      second.sendMessage('triage', 'more', { conversationId: 'c-d' }),
    ).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED', details: { limit: 'modelCalls' } });
  });

  it('counts tool calls, and charges the actors a conversation spawned for their own ticks', async () => {
    let toolRuns = 0;
    const tools = fakeTools([
      {
        name: 'lookup',
        description: 'Looks something up',
        parameters: { type: 'object', properties: {} },
        execute: () => ++toolRuns,
      },
    ]);
    const worker: Behavior = {
      name: 'work',
      mode: 'persistent',
      plan: () => ({ actions: [{ type: 'tool', name: 'lookup', args: {} }] }),
    };
    const spawner: Behavior = {
      name: 'spawn',
      mode: 'active',
      plan: () => ({
        actions: [{ type: 'spawn', actor: scriptWith([worker]), goal: 'Look things up' }],
      }),
    };
    const state = fakeState();
    const { pantheon, exceeded } = system({
      toolAdapter: tools,
      actorStateAdapter: state,
      budget: { toolCalls: 2 },
    });
    await pantheon.createActor({
      id: 'boss',
      name: 'boss',
      script: scriptWith([spawner]),
      goals: ['x'],
    });
    await pantheon.startActor('boss');
    await pantheon.sendMessage('boss', 'start', { conversationId: 'c-spawn' });
    await pantheon.whenIdle();
    expect(pantheon.getConversationBudget('c-spawn')?.spent.toolCalls).toBe(0);
    // The child's ticks without a message (every 10 ms) spend the conversation's tool calls.
    const child = (await state.list()).find((actor) => actor.metadata?.spawnedIn === 'c-spawn');
    const childId = child?.id as string;
    await pantheon.startActor(childId, { intervalMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 120));
    await pantheon.shutdown({ timeoutMs: 100 });
    expect(toolRuns).toBe(2);
    expect(exceeded.map((event) => [event.conversationId, event.actorId, event.limit])).toEqual([
      ['c-spawn', childId, 'toolCalls'],
    ]);
  });

  it('does not dead-letter a message its failed tick already answered when the retry finds the budget spent', async () => {
    // The tick answers, then its final state update fails once (a port is down): the message
    // stays at the head and is retried, by which time the conversation is over its budget.
    const state = fakeState();
    const update = state.update;
    let failures = 0;
    state.update = async (id, patch) => {
      if (patch.state === 'idle' && failures > 0) {
        failures--;
        throw new Error('connection refused');
      }
      return update(id, patch);
    };
    const { pantheon, bus } = system({
      actorStateAdapter: state,
      supervision: { backoffMs: 1 },
      budget: { modelCalls: 1 },
    });
    await pantheon.createActor({ id: 'a', name: 'a', script: scriptWith([think()]), goals: [] });
    await pantheon.startActor('a');
    failures = 1;
    const reply = await pantheon.ask('a', 'hello', { conversationId: 'c-1' });
    await pantheon.whenIdle();
    expect(reply.content).toBe('re hello');
    // Answered once, consumed on the retry: one fate, no dead letter.
    expect(bus.sent.filter((message) => message.from === 'a')).toHaveLength(1);
    expect(pantheon.getDeadLetters()).toEqual([]);
    expect(await pantheon.getMailbox('a')).toEqual([]);
  });
});
