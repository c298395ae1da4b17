/**
 * The actor system the server tests serve: `echo` answers every message with a sequence number,
 * the user messages of its conversation and how many of its ticks ran at once; `fail` makes its
 * tick throw, `slow` makes it take 2 s. `desk-7` answers "desk: <message>".
 */
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
  type LogFunction,
  PantheonSystem,
} from '@promethean-os/pantheon-core';
import { MockLlmAdapter } from '@promethean-os/pantheon-test';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function echoBehavior(): Behavior {
  let count = 0;
  let running = 0;
  return {
    name: 'echo',
    mode: 'active',
    async plan({ context }) {
      running++;
      const ticket = ++count;
      const concurrent = running;
      try {
        const said = context.filter((message) => message.role === 'user').map((m) => m.content);
        const text = said.at(-1) ?? '';
        await sleep(text === 'slow' ? 2_000 : 30);
        if (text === 'fail') throw new Error('the echo behavior failed on purpose');
        return {
          actions: [
            {
              type: 'message',
              content: `#${ticket} ${text} (conversation so far: ${said.join(' | ')}; ticks at once: ${concurrent})`,
            },
          ],
        };
      } finally {
        running--;
      }
    },
  };
}

const deskBehavior: Behavior = {
  name: 'desk',
  mode: 'active',
  async plan({ context }) {
    const text = context.filter((message) => message.role === 'user').at(-1)?.content ?? '';
    return { actions: [{ type: 'message', content: `desk: ${text}` }] };
  },
};

function script(name: string, description: string, behavior: Behavior): ActorScript {
  return { name, description, contextSources: [], talents: [{ name, behaviors: [behavior] }] };
}

/** A started system with the `echo` and `desk-7` actors. */
export async function createEchoDesk(
  options: { log?: LogFunction; maxMessageBytes?: number } = {},
) {
  const actorState = new InMemoryActorStateAdapter();
  const system = new PantheonSystem({
    contextAdapter: new InMemoryContextAdapter(),
    toolAdapter: new InMemoryToolAdapter(),
    llmAdapter: new MockLlmAdapter(),
    messageBus: new InMemoryMessageBus(),
    scheduler: new NodeScheduler(),
    actorStateAdapter: actorState,
    log: options.log ?? (() => {}),
    ...(options.maxMessageBytes ? { limits: { maxMessageBytes: options.maxMessageBytes } } : {}),
  });
  for (const [id, behavior, description] of [
    ['echo', echoBehavior(), 'Repeats what it is told'],
    ['desk-7', deskBehavior, 'The front desk'],
  ] as const) {
    await system.createActor({
      id,
      name: id,
      goals: ['Answer'],
      script: script(id, description, behavior),
    });
    await system.startActor(id);
  }
  return { system, actorState };
}
