import { ActorScriptSchema, isActor, type Message } from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import { createTestActor, createTestScript, replyBehavior } from './fixtures';
import { MockLlmAdapter } from './mock-llm-adapter';
import { MockToolAdapter } from './mock-tool-adapter';

describe('fixtures', () => {
  it('creates a valid script and actor, with overrides', () => {
    expect(ActorScriptSchema.safeParse(createTestScript()).success).toBe(true);
    expect(isActor(createTestActor())).toBe(true);
    const actor = createTestActor({ id: 'support-1', goals: ['Help'] });
    expect(actor).toMatchObject({ id: 'support-1', goals: ['Help'], state: 'idle' });
    expect(createTestScript({ name: 'custom' }).name).toBe('custom');
  });

  it('returns fresh objects each time', () => {
    const first = createTestActor();
    first.goals.push('mutated');
    expect(createTestActor().goals).toEqual(['Test the system']);
  });

  it('replies with the model answer to the user', async () => {
    const context: Message[] = [{ role: 'user', content: 'Hello, test!' }];
    const plan = await replyBehavior.plan({
      goal: 'Test the system',
      context,
      actor: createTestActor(),
      llm: new MockLlmAdapter(),
      tools: new MockToolAdapter(),
      signal: new AbortController().signal,
    });
    expect(plan.actions).toEqual([{ type: 'message', content: 'Hello, test!', target: 'user' }]);
  });
});
