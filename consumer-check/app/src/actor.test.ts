// A user's unit test: an actor run against the pantheon-test mocks, and a port contract suite
// run on an adapter.
import { InMemoryMessageBus } from '@promethean-os/pantheon-adapters';
import { llmBehavior, makeOrchestrator } from '@promethean-os/pantheon-core';
import {
  approvalResumeInput,
  createMockActorState,
  createMockMessageBus,
  createMockScheduler,
  createTestActor,
  MockContextAdapter,
  MockLlmAdapter,
  MockToolAdapter,
} from '@promethean-os/pantheon-test';
import { describeMessageBusContract } from '@promethean-os/pantheon-test/contracts';
import { describe, expect, it } from 'vitest';

describe('an actor tested with the pantheon-test mocks', () => {
  it('answers through the model and sends the reply on the bus', async () => {
    const llm = new MockLlmAdapter();
    llm.setResponse({ role: 'assistant', content: 'Hello! How can I help?' });
    const context = new MockContextAdapter();
    context.setResponse([{ role: 'system', content: 'Be kind.' }]);
    const bus = createMockMessageBus();
    const orchestrator = makeOrchestrator({
      now: () => 0,
      log: () => {},
      context,
      tools: new MockToolAdapter(),
      llm,
      bus,
      schedule: createMockScheduler(),
      state: createMockActorState(),
    });

    const result = await orchestrator.tickActor(createTestActor(), { userMessage: 'Hello' });

    expect(result.errors).toEqual([]);
    expect(llm.getCalls()).toHaveLength(1);
    expect(bus.getCalls()).toEqual([
      expect.objectContaining({ to: 'user', content: 'Hello! How can I help?' }),
    ]);
  });
});

describe('a behavior whose tool needs approval, tested with the mocks', () => {
  it('holds the call back, then runs it once approved', async () => {
    const llm = new MockLlmAdapter().queueResponses(
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call-1', name: 'refund', args: { amount: 250 } }],
      },
      { role: 'assistant', content: 'Refunded.' },
    );
    const tools = new MockToolAdapter();
    tools.register({
      name: 'refund',
      description: 'Refunds an amount',
      parameters: { type: 'object', properties: { amount: { type: 'number' } } },
      needsApproval: true,
      execute: () => 'ok',
    });
    const behavior = llmBehavior({ name: 'desk', tools: ['refund'] });
    const input = {
      goal: 'Refund',
      context: [{ role: 'user' as const, content: 'Refund 250' }],
      actor: createTestActor(),
      llm,
      tools,
      signal: new AbortController().signal,
    };
    const plan = await behavior.plan(input);
    expect(plan.awaitApproval?.toolCall.name).toBe('refund');
    expect(tools.getCalls()).toHaveLength(0);
    const resumed = await behavior.resume!(approvalResumeInput(input, plan, { by: 'ops' }));
    expect(resumed.actions).toEqual([{ type: 'message', content: 'Refunded.' }]);
    expect(tools.getCalls('refund')[0]?.options.approval).toEqual({ id: 'approval-1', by: 'ops' });
  });
});

describeMessageBusContract('InMemoryMessageBus', () => new InMemoryMessageBus());
