import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import {
  type ActorScript,
  type BusMessage,
  ConfigError,
  type LlmPort,
  PantheonSystem,
} from '@promethean-os/pantheon-core';
import { afterAll, describe, expect, it } from 'vitest';
import { backends } from './backends.test-support';
import type { Persistence } from './persistence';
import { ScriptRegistry } from './script-registry';

const echo: LlmPort = {
  async complete(messages) {
    return { role: 'assistant', content: `echo: ${messages.at(-1)?.content ?? ''}` };
  },
};

const support: ActorScript = {
  name: 'support',
  talents: [
    {
      name: 'answer',
      behaviors: [
        {
          name: 'answer',
          mode: 'active',
          async plan({ context, llm }) {
            const reply = await llm.complete(context);
            return { actions: [{ type: 'message', content: reply.content }] };
          },
        },
      ],
    },
  ],
  contextSources: [],
};

/** One process: a durable system over `db` with an in-memory bus that records what it carried. */
function boot(db: Persistence) {
  const bus = new InMemoryMessageBus();
  const carried: BusMessage[] = [];
  bus.subscribe((message) => {
    carried.push(message);
  });
  const system = new PantheonSystem({
    contextAdapter: db.context,
    actorStateAdapter: db.actors,
    store: db.mailbox,
    toolAdapter: new InMemoryToolAdapter(),
    llmAdapter: echo,
    messageBus: bus,
    scheduler: new NodeScheduler(),
    log: () => {},
  });
  return { system, carried };
}

for (const makeBackend of backends) {
  const backend = makeBackend();
  const scripts = () => new ScriptRegistry().register(support);
  afterAll(() => backend.cleanup());

  describe(`PantheonSystem on ${backend.name}`, () => {
    it('answers once: one reply event, one logged message, one bus message', async () => {
      const db = await backend.create({ scripts: scripts() });
      const { system, carried } = boot(db);
      await system.createActor({
        id: 'support',
        name: 'support',
        script: support,
        goals: ['Help'],
      });
      await system.startActor('support');
      const replies: BusMessage[] = [];
      system.on('reply', ({ message }) => replies.push(message));
      const answer = await system.ask('support', 'hello', { timeoutMs: 5000 });
      await system.whenIdle();
      expect(answer).toMatchObject({ from: 'support', to: 'user', content: 'echo: hello' });
      expect(replies.map((reply) => reply.id)).toEqual([answer.id]);
      expect((await system.getActorMessages('support')).map((sent) => sent.id)).toEqual([
        answer.id,
      ]);
      expect(carried.filter((message) => message.from === 'support')).toHaveLength(1);
      await system.shutdown();
    });

    it('restarts safely: setup reused, kept messages shown and answered in their conversation', async () => {
      const db = await backend.create({ scripts: scripts() });
      const first = boot(db).system;
      const setup = (system: PantheonSystem) =>
        system.createActor({
          id: 'support',
          name: 'support',
          script: support,
          goals: ['Help'],
          ifExists: 'reuse',
        });
      await setup(first);
      const id = await first.sendMessage('support', 'kept for later', {
        from: 'dana',
        conversationId: 'dana-1',
      });
      const report = await first.shutdown({ timeoutMs: 10 });
      expect(report).toEqual({
        interrupted: [],
        pending: [],
        kept: [expect.objectContaining({ id })],
      });

      const second = boot(await backend.reopen(db, { scripts: scripts() }));
      expect(await second.system.getMailbox('support')).toEqual([
        expect.objectContaining({ id, conversationId: 'dana-1', replyTo: 'dana' }),
      ]);
      await setup(second.system);
      const replies: BusMessage[] = [];
      second.system.on('reply', ({ message }) => replies.push(message));
      await second.system.startActor('support');
      await second.system.whenIdle();
      expect(replies).toEqual([
        expect.objectContaining({
          to: 'dana',
          conversationId: 'dana-1',
          content: 'echo: kept for later',
        }),
      ]);
      await second.system.shutdown();
    });

    it('refuses at createActor a script the store cannot load again', async () => {
      const db = await backend.create({ scripts: new ScriptRegistry() });
      const { system } = boot(db);
      await expect(
        system.createActor({ id: 'support', name: 'support', script: support, goals: ['Help'] }),
      ).rejects.toMatchObject({ code: 'SCRIPT_NOT_FOUND' });
      expect(await db.actors.list()).toEqual([]);
      await system.shutdown();
    });

    it('refuses the store with ports that are not its own (STORE_PORTS_MISMATCH), losing nothing', async () => {
      const db = await backend.create({ scripts: scripts() });
      const first = boot(db).system;
      await first.createActor({ id: 'support', name: 'support', script: support, goals: ['Help'] });
      const id = await first.sendMessage('support', 'still here');
      await first.shutdown({ timeoutMs: 10 });
      const sameDatabase = await backend.reopen(db, { scripts: scripts() });
      const wire = (ports: Pick<Persistence, 'actors' | 'context'> | Record<string, never>) => () =>
        new PantheonSystem({
          contextAdapter: 'context' in ports ? ports.context : new InMemoryContextAdapter(),
          actorStateAdapter: 'actors' in ports ? ports.actors : new InMemoryActorStateAdapter(),
          store: db.mailbox,
          toolAdapter: new InMemoryToolAdapter(),
          llmAdapter: echo,
          messageBus: new InMemoryMessageBus(),
          scheduler: new NodeScheduler(),
          log: () => {},
        });
      for (const ports of [{}, sameDatabase] as const) {
        let error: unknown;
        try {
          wire(ports)();
        } catch (thrown) {
          error = thrown;
        }
        expect(ConfigError.isInstance(error)).toBe(true);
        expect(error).toMatchObject({
          code: 'STORE_PORTS_MISMATCH',
          details: { ports: ['actorStateAdapter', 'contextAdapter'] },
        });
        expect((error as Error).message).toContain('actorStateAdapter: db.actors');
      }
      // The stored message waits for a system wired with the store's own ports.
      expect(await db.mailbox.pending()).toEqual([expect.objectContaining({ id })]);
      const { system } = boot(db);
      const replies: BusMessage[] = [];
      system.on('reply', ({ message }) => replies.push(message));
      await system.startActor('support');
      await system.whenIdle();
      expect(replies.map((reply) => reply.content)).toEqual(['echo: still here']);
      await system.shutdown();
    });
  });
}
