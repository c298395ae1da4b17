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
  type Message,
  PantheonSystem,
} from '@promethean-os/pantheon-core';
import { createInspectorRecorder } from './inspector-recorder';

/**
 * A model that looks the order up with the tool, then answers with what it found; asked to
 * "refund N", it calls `issue-refund` (which needs a person's approval) and reports the outcome.
 * It streams its answers word by word, each word after `gate` lets it through.
 */
function orderDesk(gate: () => Promise<void>): LlmPort {
  const answer = (messages: Message[]): Message => {
    const last = messages.at(-1);
    const called = messages.findLast((message) => message.toolCalls?.length)?.toolCalls?.[0];
    if (last?.role === 'tool') {
      return {
        role: 'assistant',
        content:
          called?.name === 'issue-refund'
            ? `Refund outcome: ${last.content}`
            : `Order status: ${last.content}`,
        metadata: { model: 'desk-model', usage: { inputTokens: 30, outputTokens: 6 } },
      };
    }
    const amount = /refund (\d+)/.exec(last?.content ?? '')?.[1];
    return {
      role: 'assistant',
      content: '',
      toolCalls: [
        amount === undefined
          ? { id: 'call-1', name: 'lookup-order', args: { question: last?.content ?? '' } }
          : { id: `refund-${amount}`, name: 'issue-refund', args: { amount: Number(amount) } },
      ],
      metadata: { model: 'desk-model', usage: { inputTokens: 20, outputTokens: 4 } },
    };
  };
  return {
    async complete(messages) {
      return answer(messages);
    },
    async *stream(messages) {
      const message = answer(messages);
      for (const word of message.content.match(/\S+\s*/g) ?? []) {
        await gate();
        yield { type: 'text-delta', delta: word };
      }
      for (const toolCall of message.toolCalls ?? []) yield { type: 'tool-call', toolCall };
      yield { type: 'finish', message };
    },
  };
}

/** Lets a streaming model write `hold(n)`'s `n` words, then holds it until `release()`. */
export function streamGate() {
  let allowed = Number.POSITIVE_INFINITY;
  let waiting: (() => void)[] = [];
  return {
    async wait(): Promise<void> {
      if (allowed > 0) {
        allowed -= 1;
        return;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    },
    hold(words: number) {
      allowed = words;
    },
    release() {
      allowed = Number.POSITIVE_INFINITY;
      for (const resume of waiting) resume();
      waiting = [];
    },
  };
}

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

/**
 * A system with a support desk (model + a lookup tool + a refund tool that needs approval), a
 * looper and a recorder, all started; `gate` holds the model's streamed answers.
 */
export async function inspectedSystem() {
  const recorder = createInspectorRecorder();
  const gate = streamGate();
  const refunds: unknown[] = [];
  const tools = new InMemoryToolAdapter();
  tools.register({
    name: 'lookup-order',
    description: 'Finds an order',
    parameters: { type: 'object', properties: { question: { type: 'string' } } },
    execute: async () => 'shipped',
  });
  tools.register({
    name: 'issue-refund',
    description: 'Refunds an order',
    parameters: { type: 'object', properties: { amount: { type: 'number' } } },
    needsApproval: true,
    execute: async (args) => {
      refunds.push(args);
      return { refunded: args.amount };
    },
  });
  const system = new PantheonSystem({
    contextAdapter: new InMemoryContextAdapter(),
    toolAdapter: tools,
    llmAdapter: orderDesk(gate.wait),
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
    script: script(
      'support-script',
      llmBehavior({ name: 'answer', tools: ['lookup-order', 'issue-refund'] }),
    ),
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
  return { system, recorder, gate, refunds };
}
