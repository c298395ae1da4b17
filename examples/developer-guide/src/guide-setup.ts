// The helpers the developer guide's tests call but leave to the reader.
import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import { type ActorScript, PantheonSystem } from '@promethean-os/pantheon-core';
import { createTestScript, MockLlmAdapter } from '@promethean-os/pantheon-test';

/** A system on the in-memory adapters with an instant mock model (it echoes the input). */
export function createPerformanceTestPantheon(): PantheonSystem {
  return new PantheonSystem({
    contextAdapter: new InMemoryContextAdapter(),
    toolAdapter: new InMemoryToolAdapter(),
    llmAdapter: new MockLlmAdapter(),
    messageBus: new InMemoryMessageBus(),
    scheduler: new NodeScheduler(),
    actorStateAdapter: new InMemoryActorStateAdapter(),
  });
}

/** One active behavior that answers every message through the model. */
export function createLightweightScript(): ActorScript {
  return createTestScript({ name: 'lightweight' });
}
