// A user's unit test: an actor run against the pantheon-test mocks, and a port contract suite
// run on an adapter.
import { InMemoryMessageBus } from '@promethean-os/pantheon-adapters';
import { makeOrchestrator } from '@promethean-os/pantheon-core';
import {
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

describeMessageBusContract('InMemoryMessageBus', () => new InMemoryMessageBus());
