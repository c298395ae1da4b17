// Type-checked with a typical application tsconfig (strict, without noUncheckedIndexedAccess),
// since that is where users paste the guide's code.
// "Testing Strategies / 2. Integration Testing" of the developer guide, as written.
import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import { type Actor, PantheonSystem } from '@promethean-os/pantheon-core';
import { createTestScript, MockLlmAdapter } from '@promethean-os/pantheon-test';
import { beforeEach, describe, expect, it } from 'vitest';

describe('Pantheon Integration', () => {
  let pantheon: PantheonSystem;
  let testActor: Actor;

  beforeEach(async () => {
    // Create real adapters for integration testing
    const contextAdapter = new InMemoryContextAdapter();
    const toolAdapter = new InMemoryToolAdapter();
    const llmAdapter = new MockLlmAdapter();
    const messageBus = new InMemoryMessageBus();
    const scheduler = new NodeScheduler();
    const actorStateAdapter = new InMemoryActorStateAdapter();

    // Create Pantheon system
    pantheon = new PantheonSystem({
      contextAdapter,
      toolAdapter,
      llmAdapter,
      messageBus,
      scheduler,
      actorStateAdapter,
    });

    // Setup test actor
    testActor = await pantheon.createActor({
      name: 'test-agent',
      script: createTestScript(),
      goals: ['Test the system'],
    });
  });

  it('should handle complete actor lifecycle', async () => {
    // Start actor
    await pantheon.startActor(testActor.id);

    // Send message
    await pantheon.sendMessage(testActor.id, 'Hello, test!');

    // Wait for processing
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Verify actor responded
    const messages = await pantheon.getActorMessages(testActor.id);
    expect(messages).toHaveLength(1);
    expect(messages[0].content).toContain('Hello');

    // Stop actor
    await pantheon.stopActor(testActor.id);
  });

  it('should handle multiple actors concurrently', async () => {
    // Create multiple actors
    const actors = await Promise.all([
      pantheon.createActor({ name: 'agent1', script: createTestScript(), goals: ['Goal 1'] }),
      pantheon.createActor({ name: 'agent2', script: createTestScript(), goals: ['Goal 2'] }),
      pantheon.createActor({ name: 'agent3', script: createTestScript(), goals: ['Goal 3'] }),
    ]);

    // Start all actors
    await Promise.all(actors.map((actor) => pantheon.startActor(actor.id)));

    // Send messages to all actors
    await Promise.all(
      actors.map((actor) => pantheon.sendMessage(actor.id, `Hello ${actor.name}!`)),
    );

    // Wait for processing
    await new Promise((resolve) => setTimeout(resolve, 200));

    // Verify all actors responded
    for (const actor of actors) {
      const messages = await pantheon.getActorMessages(actor.id);
      expect(messages).toHaveLength(1);
    }

    // Cleanup
    await Promise.all(actors.map((actor) => pantheon.stopActor(actor.id)));
  });
});
