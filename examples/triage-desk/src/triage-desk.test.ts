import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import { type BusMessage, llmBehavior, PantheonSystem } from '@promethean-os/pantheon-core';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingModel } from './recording-model.test-support';
import { ScriptedDeskModel } from './scripted-desk-model';
import { createTriageDesk, startTriageDesk } from './triage-desk';

const ALICE = 'My card 4242 was charged twice for one order.';
const BOB = 'The app crashes every time I sign in.';

let desk: PantheonSystem | undefined;
afterEach(async () => {
  await desk?.shutdown();
  desk = undefined;
});

describe('triage desk in memory', () => {
  it('gives each of two simultaneous customers their own specialist’s answer, once', async () => {
    const model = recordingModel(new ScriptedDeskModel());
    desk = createTriageDesk({ llm: model, log: () => {} });
    const replies: BusMessage[] = [];
    desk.on('reply', ({ message }) => replies.push(message));
    await startTriageDesk(desk);

    const [alice, bob] = await Promise.all([
      desk.ask('triage', ALICE, { from: 'alice', conversationId: 'alice-1', timeoutMs: 5000 }),
      desk.ask('triage', BOB, { from: 'bob', conversationId: 'bob-1', timeoutMs: 5000 }),
    ]);

    expect(alice).toMatchObject({ from: 'billing', to: 'alice', conversationId: 'alice-1' });
    expect(alice.content).toContain('INV-1001 (€59) was charged twice');
    expect(bob).toMatchObject({ from: 'tech', to: 'bob', conversationId: 'bob-1' });
    expect(bob.content).toContain('update the app to 2.4.1');
    // Exactly one reply per customer; triage handed off and said nothing to either.
    expect(replies.map((reply) => [reply.to, reply.from])).toEqual(
      expect.arrayContaining([
        ['alice', 'billing'],
        ['bob', 'tech'],
      ]),
    );
    expect(replies).toHaveLength(2);
    expect(await desk.getActorMessages('triage')).toEqual([
      expect.objectContaining({ to: expect.stringMatching(/billing|tech/) }),
      expect.objectContaining({ to: expect.stringMatching(/billing|tech/) }),
    ]);

    // No model call of one conversation was shown the other customer's words.
    for (const call of model.shown) {
      const text = call.messages.map((message) => message.content).join('\n');
      expect(text.includes('4242') && text.includes('crashes')).toBe(false);
    }
  });

  it('keeps a returning customer’s history and nobody else’s', async () => {
    const model = recordingModel(new ScriptedDeskModel());
    desk = createTriageDesk({ llm: model, log: () => {} });
    await startTriageDesk(desk);
    await desk.ask('billing', 'Was I charged twice?', { from: 'alice', conversationId: 'a' });
    await desk.ask('billing', 'Where is my invoice?', { from: 'bob', conversationId: 'b' });
    const again = await desk.ask('billing', 'And the refund?', {
      from: 'alice',
      conversationId: 'a',
    });
    expect(again.content).toContain('"Was I charged twice?", "And the refund?"');
    expect(again.content).not.toContain('Where is my invoice?');
  });

  it('makes the asker’s ask fail with the cause when the specialist fails', async () => {
    const model = recordingModel(new ScriptedDeskModel(), /technical support/);
    desk = createTriageDesk({ llm: model, log: () => {} });
    await startTriageDesk(desk);
    const started = Date.now();
    const failure = await desk
      .ask('triage', BOB, { from: 'bob', timeoutMs: 20_000 })
      .catch((error: unknown) => error);
    expect(Date.now() - started, 'rejects early, not at the timeout').toBeLessThan(10_000);
    expect(failure).toMatchObject({
      code: 'ASK_FAILED',
      message: expect.stringContaining('in actor "tech"'),
      cause: expect.objectContaining({ code: expect.any(String) }),
    });
    expect(String((failure as Error).cause)).toContain('503');
  });

  it('refuses at setup a specialist whose tool is not registered, naming both', async () => {
    const system = new PantheonSystem({
      contextAdapter: new InMemoryContextAdapter(),
      actorStateAdapter: new InMemoryActorStateAdapter(),
      toolAdapter: new InMemoryToolAdapter(),
      llmAdapter: new ScriptedDeskModel(),
      messageBus: new InMemoryMessageBus(),
      scheduler: new NodeScheduler(),
      log: () => {},
    });
    const typo = llmBehavior({ name: 'answer', tools: ['lookup-invoice'] });
    await expect(
      system.createActor({
        name: 'billing',
        script: {
          name: 'billing',
          talents: [{ name: 'billing', behaviors: [typo] }],
          contextSources: [],
        },
        goals: ['Help'],
      }),
    ).rejects.toThrow(
      'Behavior "answer" of script "billing" offers tool "lookup-invoice", which is not registered',
    );
    await system.shutdown();
  });
});
