import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import {
  type ActorScript,
  type Behavior,
  type LlmPort,
  llmBehavior,
  PantheonSystem,
} from '@promethean-os/pantheon-core';
import { createInspectorRecorder } from './inspector-recorder';

/** A model that looks the order up with the tool, then answers with what it found. */
const orderDesk: LlmPort = {
  async complete(messages) {
    const last = messages.at(-1);
    if (last?.role === 'tool') {
      return {
        role: 'assistant',
        content: `Order status: ${last.content}`,
        metadata: { model: 'desk-model', usage: { inputTokens: 30, outputTokens: 6 } },
      };
    }
    return {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call-1', name: 'lookup-order', args: { question: last?.content ?? '' } }],
      metadata: { model: 'desk-model', usage: { inputTokens: 20, outputTokens: 4 } },
    };
  },
};

const script = (name: string, behavior: Behavior): ActorScript => ({
  name,
  talents: [{ name: 'work', behaviors: [behavior] }],
  contextSources: [],
});

/** Sends every message to itself: past `maxHops` it becomes a dead letter. */
const looping: Behavior = {
  name: 'loop',
  mode: 'active',
  plan: async ({ actor, context }) => ({
    actions: [{ type: 'message', content: context.at(-1)?.content ?? '', target: actor.id }],
  }),
};

/** A system with a support desk (model + tool), a looper and a recorder, all started. */
export async function inspectedSystem() {
  const recorder = createInspectorRecorder();
  const tools = new InMemoryToolAdapter();
  tools.register({
    name: 'lookup-order',
    description: 'Finds an order',
    parameters: { type: 'object', properties: { question: { type: 'string' } } },
    execute: async () => 'shipped',
  });
  const system = new PantheonSystem({
    contextAdapter: new InMemoryContextAdapter(),
    toolAdapter: tools,
    llmAdapter: orderDesk,
    messageBus: new InMemoryMessageBus(),
    scheduler: new NodeScheduler(),
    actorStateAdapter: new InMemoryActorStateAdapter(),
    hooks: recorder.hooks,
    limits: { maxHops: 3 },
    log: () => {},
  });
  await system.createActor({
    id: 'support',
    name: 'support desk',
    script: script('support-script', llmBehavior({ name: 'answer', tools: ['lookup-order'] })),
    goals: ['Answer order questions'],
  });
  await system.createActor({
    id: 'looper',
    name: 'looper',
    script: script('loop', looping),
    goals: [],
  });
  await system.createActor({
    id: 'parked',
    name: 'parked',
    script: script('parked', looping),
    goals: [],
  });
  await system.startActor('support');
  await system.startActor('looper');
  return { system, recorder };
}
