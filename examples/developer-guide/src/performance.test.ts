// "Testing Strategies / 3. Performance Testing" of the developer guide, as written.
import { describe, expect, it } from 'vitest';
import { createLightweightScript, createPerformanceTestPantheon } from './guide-setup';

describe('Performance Tests', () => {
  it('should handle high message throughput', async () => {
    const pantheon = createPerformanceTestPantheon();
    const actor = await pantheon.createActor({
      name: 'performance-test',
      script: createLightweightScript(),
      goals: ['Handle high throughput'],
    });

    await pantheon.startActor(actor.id);

    const messageCount = 1000;
    const startTime = Date.now();

    // Send many messages concurrently
    const messagePromises = Array.from({ length: messageCount }, (_, i) =>
      pantheon.sendMessage(actor.id, `Message ${i}`),
    );

    await Promise.all(messagePromises);

    // Wait for all messages to be processed
    let processedCount = 0;
    while (processedCount < messageCount) {
      const messages = await pantheon.getActorMessages(actor.id);
      processedCount = messages.length;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    const endTime = Date.now();
    const duration = endTime - startTime;
    const messagesPerSecond = (messageCount / duration) * 1000;

    console.log(`Processed ${messageCount} messages in ${duration}ms`);
    console.log(`Throughput: ${messagesPerSecond.toFixed(2)} messages/second`);

    expect(messagesPerSecond).toBeGreaterThan(100); // Adjust based on requirements

    await pantheon.stopActor(actor.id);
  });

  it('should handle many concurrent actors', async () => {
    const pantheon = createPerformanceTestPantheon();
    const actorCount = 100;

    // Create many actors
    const actors = await Promise.all(
      Array.from({ length: actorCount }, (_, i) =>
        pantheon.createActor({
          name: `actor-${i}`,
          script: createLightweightScript(),
          goals: [`Goal ${i}`],
        }),
      ),
    );

    // Start all actors
    await Promise.all(actors.map((actor) => pantheon.startActor(actor.id)));

    // Send messages to all actors
    const startTime = Date.now();
    await Promise.all(actors.map((actor) => pantheon.sendMessage(actor.id, 'Test message')));

    // Wait for processing
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const endTime = Date.now();
    const duration = endTime - startTime;

    console.log(`Processed ${actorCount} actors in ${duration}ms`);
    expect(duration).toBeLessThan(5000); // Adjust based on requirements

    // Every actor answered its message.
    for (const actor of actors) expect(await pantheon.getActorMessages(actor.id)).toHaveLength(1);

    // Cleanup
    await Promise.all(actors.map((actor) => pantheon.stopActor(actor.id)));
  });
});
