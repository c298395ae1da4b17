import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import { type Behavior, type ContextPort, makeOrchestrator } from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import { createInspectorRecorder, type TickRecord } from './inspector-recorder';

async function orchestrated(context: ContextPort, ticksPerActor?: number) {
  const recorder = createInspectorRecorder({ ticksPerActor });
  const state = new InMemoryActorStateAdapter();
  const reply: Behavior = {
    name: 'reply',
    mode: 'active',
    plan: async () => ({
      actions: [
        { type: 'message', content: 'ok', target: 'user' },
        { type: 'tool', name: 'missing', args: {} },
      ],
    }),
  };
  const orchestrator = makeOrchestrator({
    now: Date.now,
    log: () => {},
    context,
    tools: new InMemoryToolAdapter(),
    llm: { complete: async () => ({ role: 'assistant', content: 'unused' }) },
    bus: new InMemoryMessageBus(),
    schedule: new NodeScheduler(),
    state,
    hooks: recorder.hooks,
  });
  const actor = await state.spawn(
    { name: 's', talents: [{ name: 't', behaviors: [reply] }], contextSources: [] },
    'g',
    { id: 'a1', name: 'one' },
  );
  return { recorder, orchestrator, actor };
}

describe('createInspectorRecorder', () => {
  it('records messages out, failing tool actions and errors, and publishes start and end', async () => {
    const { recorder, orchestrator, actor } = await orchestrated(new InMemoryContextAdapter());
    const published: string[] = [];
    const stop = recorder.subscribe((tick) => published.push(`${tick.seq}:${tick.state}`));
    await orchestrator.tickActor(actor, { userMessage: 'hi', from: 'b' });
    stop();
    await orchestrator.tickActor(actor, { userMessage: 'again' });
    expect(published).toEqual(['1:running', '1:failed']);
    const [first] = recorder.ticks('a1') as [TickRecord];
    expect(first).toMatchObject({
      state: 'failed',
      input: { from: 'b', content: 'hi' },
      sent: [{ to: 'user', content: 'ok' }],
      toolCalls: [{ name: 'missing', args: {}, error: 'TOOL_NOT_FOUND' }],
      errors: [{ code: 'TOOL_NOT_FOUND' }],
    });
    expect(first.span).toMatchObject({
      name: 'invoke_agent one',
      error: 'TOOL_NOT_FOUND',
      children: [
        {
          name: 'behavior reply',
          children: [
            { name: 'send user' },
            { name: 'execute_tool missing', error: 'TOOL_NOT_FOUND' },
          ],
        },
      ],
    });
    expect(recorder.lastTick('a1')?.seq).toBe(2);
  });

  it('marks a rejected tick and keeps only the newest ticks of an actor', async () => {
    const failing: ContextPort = {
      compile: async () => {
        throw new Error('vector store down');
      },
    };
    const { recorder, orchestrator, actor } = await orchestrated(failing, 2);
    for (const text of ['one', 'two', 'three']) {
      await expect(orchestrator.tickActor(actor, { userMessage: text })).rejects.toMatchObject({
        code: 'CONTEXT_UNAVAILABLE',
      });
    }
    const ticks = recorder.ticks('a1');
    expect(ticks.map((tick) => [tick.input?.content, tick.state, tick.errors[0]?.code])).toEqual([
      ['two', 'rejected', 'CONTEXT_UNAVAILABLE'],
      ['three', 'rejected', 'CONTEXT_UNAVAILABLE'],
    ]);
    expect(recorder.ticks('nobody')).toEqual([]);
  });
});
