import { InMemoryMessageBus, InMemoryToolAdapter } from '@promethean-os/pantheon-adapters';
import {
  type ActorScript,
  type Behavior,
  type BusMessage,
  type Message,
  makeOrchestrator,
} from '@promethean-os/pantheon-core';
import { createMockScheduler, MockLlmAdapter } from '@promethean-os/pantheon-test';
import { afterAll, describe, expect, it } from 'vitest';
import { backends } from './backends.test-support';
import { ScriptRegistry } from './script-registry';

const contents = (messages: Message[]) => messages.map((message) => message.content);
const user = (content: string): Message => ({ role: 'user', content });

for (const makeBackend of backends) {
  const backend = makeBackend();
  afterAll(() => backend.cleanup());

  describe(`conversations (${backend.name})`, () => {
    it('keeps the conversation of history buffered during a tick, and commits it with the tick', async () => {
      const store = await backend.create();
      const { context, mailbox } = store;
      await context.append('a', user('committed before'), { conversationId: 'c-1' });

      const tick = mailbox.beginTick('a');
      await tick.context.append!('a', user('c-1 in the tick'), { conversationId: 'c-1' });
      await tick.context.append!('a', user('actor-wide in the tick'));
      await tick.context.append!('a', user('c-2 in the tick'), { conversationId: 'c-2' });
      const compile = async (conversationId?: string) =>
        contents(await tick.context.compile({ sources: [], actorId: 'a', conversationId }));
      // Reads during the tick see the buffered entries, each in its own history.
      expect(await compile('c-1')).toEqual(['committed before', 'c-1 in the tick']);
      expect(await compile('c-2')).toEqual(['c-2 in the tick']);
      expect(await compile()).toEqual(['actor-wide in the tick']);
      // Nothing is in the database before the commit.
      expect(contents(await context.getHistory('a', 'c-1'))).toEqual(['committed before']);
      const other = await backend.reopen(store);
      expect(contents(await other.context.getHistory('a', 'c-1'))).toEqual(['committed before']);
      expect(await other.context.getHistory('a', 'c-2')).toEqual([]);

      await tick.commit(undefined, [], []);
      expect(contents(await other.context.getHistory('a', 'c-1'))).toEqual([
        'committed before',
        'c-1 in the tick',
      ]);
      expect(contents(await other.context.getHistory('a', 'c-2'))).toEqual(['c-2 in the tick']);
      expect(contents(await other.context.getHistory('a'))).toEqual(['actor-wide in the tick']);
    });

    it('discards the buffered history of an aborted tick, in every conversation', async () => {
      const store = await backend.create();
      const tick = store.mailbox.beginTick('a');
      await tick.context.append!('a', user('lost'), { conversationId: 'c-1' });
      await tick.context.append!('a', user('lost too'));
      tick.abort();
      expect(await store.context.getHistory('a', 'c-1')).toEqual([]);
      expect(await store.context.getHistory('a')).toEqual([]);
    });

    it('returns stored messages with their conversationId and replyTo (mailbox and outbox)', async () => {
      const store = await backend.create();
      const { mailbox } = store;
      const conversation = { conversationId: 'conversation-7', replyTo: 'customer-alice' };
      const incoming: BusMessage = {
        id: 'in-1',
        from: 'customer-alice',
        to: 'support',
        content: 'Where is my parcel?',
        correlationId: 'request-1',
        ...conversation,
      };
      expect(await mailbox.enqueue(incoming)).toBe(true);
      expect(await mailbox.pending()).toEqual([incoming]);

      const handedOff: BusMessage = {
        id: 'in-1:0',
        from: 'support',
        to: 'shipping',
        content: 'Where is my parcel?',
        ...conversation,
      };
      const answer: BusMessage = {
        id: 'in-1:1',
        from: 'support',
        to: 'customer-alice',
        content: 'On its way',
        ...conversation,
      };
      await mailbox.beginTick('support').commit('in-1', [handedOff], [answer]);
      expect(await mailbox.pending()).toEqual([handedOff]);
      expect(await mailbox.unpublished()).toEqual([answer]);
      // Another connection reads the same rows.
      const other = await backend.reopen(store);
      expect(await other.mailbox.pending()).toEqual([handedOff]);
      expect(await other.mailbox.unpublished()).toEqual([answer]);
    });

    it('gives an orchestrated tick the history of its conversation, or the actor-wide one for memory "actor"', async () => {
      /** The history each tick was shown, per actor. */
      const shown = new Map<string, string[][]>();
      const note: Behavior = {
        name: 'note',
        mode: 'active',
        plan({ actor, context }) {
          const history = context.filter((message) => message.metadata?.source === 'history');
          shown.set(actor.id, [...(shown.get(actor.id) ?? []), contents(history)]);
          return { actions: [{ type: 'message', content: `noted: ${context.at(-1)?.content}` }] };
        },
      };
      const script = (name: string, memory?: ActorScript['memory']): ActorScript => ({
        name,
        talents: [{ name: 'noting', behaviors: [note] }],
        contextSources: [],
        ...(memory === undefined ? {} : { memory }),
      });
      const perConversation = script('per-conversation');
      const remembersAll = script('remembers-all', 'actor');
      const store = await backend.create({
        scripts: new ScriptRegistry().register(perConversation).register(remembersAll),
      });
      const orchestrator = makeOrchestrator({
        now: () => Date.now(),
        log: () => {},
        context: store.context,
        tools: new InMemoryToolAdapter(),
        llm: new MockLlmAdapter(),
        bus: new InMemoryMessageBus(),
        schedule: createMockScheduler(),
        state: store.actors,
      });
      await store.actors.spawn(perConversation, 'Help', { id: 'support' });
      await store.actors.spawn(remembersAll, 'Help', { id: 'assistant' });
      // As the durable runtime runs a tick: against the views of its transaction, then committed.
      const tick = async (actorId: string, userMessage: string, conversationId: string) => {
        const transaction = store.mailbox.beginTick(actorId);
        const actor = await transaction.state.get(actorId);
        await orchestrator.tickActor(actor!, { userMessage, conversationId }, transaction);
        await transaction.commit(undefined, [], []);
      };
      for (const actorId of ['support', 'assistant']) {
        await tick(actorId, 'Alice: my card ends in 4242', 'alice');
        await tick(actorId, 'Bob: hello', 'bob');
        await tick(actorId, 'Alice: thanks', 'alice');
      }

      expect(shown.get('support')).toEqual([
        [],
        [],
        ['Alice: my card ends in 4242', 'noted: Alice: my card ends in 4242'],
      ]);
      expect(contents(await store.context.getHistory('support', 'bob'))).toEqual([
        'Bob: hello',
        'noted: Bob: hello',
      ]);
      expect(await store.context.getHistory('support')).toEqual([]);

      // Actor-wide memory: one history across conversations, as the script asked.
      expect(shown.get('assistant')?.[1]).toEqual([
        'Alice: my card ends in 4242',
        'noted: Alice: my card ends in 4242',
      ]);
      expect(await store.context.getHistory('assistant')).toHaveLength(6);
      expect(await store.context.getHistory('assistant', 'alice')).toEqual([]);
    });

    it('rejects a malformed conversationId with CONTEXT_INVALID_REQUEST, storing nothing', async () => {
      const store = await backend.create();
      for (const options of [{ conversationId: '' }, { conversationId: 5 }, 'c-1']) {
        await expect(
          store.context.append('a', user('misfiled'), options as never),
        ).rejects.toMatchObject({ name: 'ContextError', code: 'CONTEXT_INVALID_REQUEST' });
      }
      await expect(
        store.context.compile({ sources: [], actorId: 'a', conversationId: '' }),
      ).rejects.toMatchObject({ code: 'CONTEXT_INVALID_REQUEST', details: { actorId: 'a' } });
      await expect(store.context.getHistory('a', '')).rejects.toMatchObject({
        code: 'CONTEXT_INVALID_REQUEST',
      });
      const rows = await store.driver.all<{ count: number | string }>(
        'SELECT COUNT(*) AS count FROM pantheon_history',
      );
      expect(Number(rows[0]!.count)).toBe(0);
    });
  });
}
