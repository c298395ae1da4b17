import type { Actor, ActorScript, Behavior } from '@promethean-os/pantheon-core';

/**
 * The behavior of `createTestScript()`: on input, asks the model with the compiled context and
 * sends its answer to `'user'`. With a `MockLlmAdapter` that has no response set, the answer
 * echoes the user's message, so an actor built on this script visibly replies.
 */
export const replyBehavior: Behavior = {
  name: 'reply',
  description: 'Answers each incoming message with the model',
  mode: 'active',
  async plan({ context, llm, signal }) {
    const reply = await llm.complete(context, { signal });
    return { actions: [{ type: 'message', content: reply.content, target: 'user' }] };
  },
};

/**
 * A valid `ActorScript` for tests: one talent with `replyBehavior`, no context sources.
 * `overrides` replace top-level fields.
 *
 * @example
 * const script = createTestScript({ contextSources: [{ type: 'text', content: 'Be brief.' }] });
 */
export function createTestScript(overrides: Partial<ActorScript> = {}): ActorScript {
  return {
    name: 'test-script',
    description: 'A script for tests',
    talents: [
      { name: 'test-talent', description: 'Replies to messages', behaviors: [replyBehavior] },
    ],
    contextSources: [],
    ...overrides,
  };
}

/**
 * A valid `Actor` for tests (id `test-actor`, state `idle`, running `createTestScript()`).
 * `overrides` replace top-level fields.
 *
 * @example
 * const actor = createTestActor({ id: 'support-1', goals: ['Help the customer'] });
 */
export function createTestActor(overrides: Partial<Actor> = {}): Actor {
  return {
    id: 'test-actor',
    name: 'Test actor',
    script: createTestScript(),
    goals: ['Test the system'],
    state: 'idle',
    ...overrides,
  };
}
