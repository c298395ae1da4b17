import { afterEach, describe, expect, it, vi } from 'vitest';
import { llmBehavior } from '../agent/llm-behavior';
import { LlmError, PantheonError } from '../errors';
import {
  fakeBus,
  fakeContext,
  fakeScheduler,
  fakeState,
  fakeTools,
  scriptWith,
} from '../orchestrator/fake-ports.test-support';
import type { LlmPort } from '../ports/llm-port';
import type { Message } from '../types';
import { PantheonSystem } from './pantheon-system';
import type { PantheonSystemOptions } from './types';

afterEach(() => {
  vi.restoreAllMocks();
});

interface ModelCall {
  system: string;
  messages: Message[];
}

/**
 * A stand-in model: triage hands billing questions to `billing` and the rest to `tech`; the
 * specialists answer with every user message they were shown, so a leak would be visible.
 */
function deskModel(calls: ModelCall[], failFor?: string): LlmPort {
  return {
    async complete(messages, options) {
      const system = messages[0]?.content ?? '';
      calls.push({ system, messages });
      if (failFor !== undefined && system === failFor) {
        throw new LlmError('The provider is down', { status: 503 }, { code: 'LLM_SERVER' });
      }
      const last = messages.at(-1)?.content ?? '';
      if (options?.tools?.some((tool) => tool.name === 'handoff')) {
        const to = /charge|refund|invoice/i.test(last) ? 'billing' : 'tech';
        return {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'call-1', name: 'handoff', args: { to, reason: 'specialist' } }],
        };
      }
      const seen = messages
        .filter((message) => message.role === 'user')
        .map((message) => message.content);
      return { role: 'assistant', content: `${system} saw: ${seen.join(' | ')}` };
    },
  };
}

function desk(options: { failFor?: string; system?: Partial<PantheonSystemOptions> } = {}) {
  const calls: ModelCall[] = [];
  const state = fakeState();
  const pantheon = new PantheonSystem({
    contextAdapter: fakeContext(),
    toolAdapter: fakeTools(),
    llmAdapter: deskModel(calls, options.failFor),
    messageBus: fakeBus(),
    scheduler: fakeScheduler(),
    actorStateAdapter: state,
    log: () => {},
    supervision: { backoffMs: 1 },
    ...options.system,
  });
  const setup = async () => {
    for (const id of ['billing', 'tech']) {
      await pantheon.createActor({
        id,
        name: id,
        script: scriptWith([llmBehavior({ name: 'answer', system: id })]),
        goals: [`Answer ${id} questions`],
      });
      await pantheon.startActor(id);
    }
    await pantheon.createActor({
      id: 'triage',
      name: 'triage',
      script: scriptWith([
        llmBehavior({
          name: 'route',
          system: 'triage',
          handoffs: [{ actor: 'billing', description: 'charges, refunds' }, 'tech'],
        }),
      ]),
      goals: ['Route customers'],
    });
    await pantheon.startActor('triage');
  };
  return { pantheon, calls, state, setup };
}

describe('conversations across actors', () => {
  it('resolves ask with the answer of the actor triage handed the customer to', async () => {
    const { pantheon, setup } = desk();
    await setup();
    const answer = await pantheon.ask('triage', 'I was charged twice', {
      conversationId: 'c-1',
      timeoutMs: 2000,
    });
    expect(answer).toMatchObject({
      from: 'billing',
      to: 'user',
      conversationId: 'c-1',
      replyTo: 'user',
      content: 'billing saw: I was charged twice',
    });
    // Triage handed off and did not answer itself; nothing else reached the user.
    expect(await pantheon.getActorMessages('triage')).toEqual([
      expect.objectContaining({
        to: 'billing',
        content: 'I was charged twice',
        metadata: expect.objectContaining({ handoff: { from: 'triage', reason: 'specialist' } }),
      }),
    ]);
    await pantheon.shutdown();
  });

  it('keeps two customers talking to the same actors apart', async () => {
    const { pantheon, calls, setup } = desk();
    await setup();
    const talk = async (customer: string, lines: string[]) => {
      const answers: string[] = [];
      for (const line of lines) {
        const answer = await pantheon.ask('billing', line, {
          from: customer,
          conversationId: `conversation-${customer}`,
          timeoutMs: 2000,
        });
        expect(answer.to).toBe(customer);
        answers.push(answer.content);
      }
      return answers;
    };
    const [alice, bob] = await Promise.all([
      talk('alice', ['Alice here: card 4242 was charged twice', 'Alice again: any news?']),
      talk('bob', ['Bob here: where is my invoice?', 'Bob again: thanks']),
    ]);
    expect(alice[1]).toBe(
      'billing saw: Alice here: card 4242 was charged twice | Alice again: any news?',
    );
    expect(bob[1]).toBe('billing saw: Bob here: where is my invoice? | Bob again: thanks');
    for (const call of calls) {
      const text = call.messages.map((message) => message.content).join('\n');
      expect(text.includes('Alice') && text.includes('Bob')).toBe(false);
    }
    await pantheon.shutdown();
  });

  it('rejects ask early with the failing tick’s error as cause', async () => {
    const { pantheon, setup } = desk({ failFor: 'billing' });
    await setup();
    const started = Date.now();
    const failure = await pantheon
      .ask('triage', 'Please refund me', { timeoutMs: 10_000 })
      .catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(failure).toMatchObject({
      code: 'ASK_FAILED',
      details: expect.objectContaining({ failedActorId: 'billing', causeCode: 'LLM_SERVER' }),
    });
    expect(PantheonError.isInstance((failure as Error).cause)).toBe(true);
    expect((failure as Error).cause).toMatchObject({ code: 'LLM_SERVER' });
    await pantheon.shutdown();
  });

  it('rejects ask with the dead letter that ended the chain', async () => {
    const { pantheon, setup } = desk({ system: { limits: { maxHops: 0 } } });
    await setup();
    const failure = await pantheon
      .ask('triage', 'My app crashes', { timeoutMs: 10_000 })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'ASK_FAILED' });
    expect((failure as Error).cause).toMatchObject({ code: 'HOP_LIMIT' });
    expect(pantheon.getDeadLetters()).toEqual([
      expect.objectContaining({
        reason: 'HOP_LIMIT',
        message: expect.objectContaining({ to: 'tech' }),
      }),
    ]);
    await pantheon.shutdown();
  });

  it('sends a hand-off’s answer to a user id, with the customer named as the sender', async () => {
    const { pantheon, calls, setup } = desk();
    await setup();
    const answer = await pantheon.ask('triage', 'My app crashes', {
      from: 'carol',
      timeoutMs: 2000,
    });
    expect(answer).toMatchObject({ from: 'tech', to: 'carol' });
    const techCall = calls.find((call) => call.system === 'tech');
    expect(techCall?.messages.at(-1)).toMatchObject({ role: 'user', name: 'carol' });
    await pantheon.shutdown();
  });
});

describe('createActor checks what it can', () => {
  it('names the behavior and the missing tool', async () => {
    const { pantheon } = desk();
    const creating = pantheon.createActor({
      name: 'billing',
      script: scriptWith([llmBehavior({ name: 'answer', tools: ['lookup-invoices'] })]),
      goals: ['Help'],
    });
    await expect(creating).rejects.toMatchObject({
      code: 'TOOL_NOT_FOUND',
      details: expect.objectContaining({ behaviorName: 'answer' }),
    });
    await expect(creating).rejects.toThrow(/lookup-invoices/);
  });

  it('names the behavior and the unknown hand-off target, unless it is declared', async () => {
    const { pantheon } = desk();
    const script = scriptWith([llmBehavior({ name: 'route', handoffs: ['billing'] })]);
    await expect(
      pantheon.createActor({ id: 'triage', name: 'triage', script, goals: ['Route'] }),
    ).rejects.toMatchObject({
      code: 'HANDOFF_TARGET_NOT_FOUND',
      details: expect.objectContaining({ behaviorName: 'route', actor: 'billing' }),
    });
    const triage = await pantheon.createActor({
      id: 'triage',
      name: 'triage',
      script,
      goals: ['Route'],
      declaredActors: ['billing'],
    });
    expect(triage.id).toBe('triage');
  });

  it('reuses an existing actor with ifExists: reuse', async () => {
    const { pantheon, state } = desk();
    const script = scriptWith([llmBehavior({ name: 'answer' })]);
    const first = await pantheon.createActor({ id: 'a', name: 'a', script, goals: ['One'] });
    const again = await pantheon.createActor({
      id: 'a',
      name: 'a',
      script,
      goals: ['Two'],
      ifExists: 'reuse',
    });
    expect(again).toMatchObject({ id: first.id, goals: ['One'] });
    expect(state.actors.size).toBe(1);
  });
});

describe('failures speak up', () => {
  it('logs a failed tick to the console as one JSON line by default', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { pantheon, setup } = desk({ failFor: 'tech', system: { log: undefined } });
    await setup();
    await pantheon.ask('tech', 'Crash!', { timeoutMs: 2000 }).catch(() => {});
    const lines = error.mock.calls.map(([line]) => JSON.parse(String(line)));
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'Tick failed',
        actorId: 'tech',
        code: 'LLM_SERVER',
        messageId: expect.any(String),
        conversationId: expect.any(String),
      }),
    );
    await pantheon.shutdown();
  });

  it('says which message failed in actor.restarted', async () => {
    const { pantheon, setup } = desk({ failFor: 'tech' });
    await setup();
    const restarted = new Promise((resolve) => pantheon.on('actor.restarted', resolve));
    const id = await pantheon.sendMessage('tech', 'Crash!', { conversationId: 'c-9' });
    expect(await restarted).toMatchObject({
      actorId: 'tech',
      messageId: id,
      conversationId: 'c-9',
      error: expect.objectContaining({ code: 'LLM_SERVER' }),
    });
    await pantheon.shutdown();
  });
});

describe('whenIdle', () => {
  it('resolves when an actor waiting out a failure backoff is stopped', async () => {
    const { pantheon, setup } = desk({
      failFor: 'tech',
      system: { supervision: { backoffMs: 60_000 } },
    });
    await setup();
    const restarted = new Promise((resolve) => pantheon.on('actor.restarted', resolve));
    await pantheon.sendMessage('tech', 'Crash!');
    await pantheon.sendMessage('tech', 'Still crashing');
    await restarted;
    const idle = pantheon.whenIdle();
    await pantheon.stopActor('tech');
    await expect(idle).resolves.toBeUndefined();
    expect(await pantheon.getMailbox('tech')).toEqual([
      expect.objectContaining({ content: 'Still crashing' }),
    ]);
    await pantheon.shutdown({ drain: false });
  });
});

describe('maxMessageBytes', () => {
  it('holds for actor-to-actor messages too: an oversized one is a dead letter', async () => {
    const { pantheon, setup } = desk({ system: { limits: { maxMessageBytes: 1024 } } });
    await setup();
    await pantheon.createActor({
      id: 'expander',
      name: 'expander',
      script: scriptWith([
        {
          name: 'expand',
          mode: 'active',
          plan: ({ context }) => ({
            actions: [
              {
                type: 'message',
                content: `${context.at(-1)?.content} ${'€'.repeat(400)}`,
                target: 'billing',
              },
            ],
          }),
        },
      ]),
      goals: ['Expand'],
    });
    await pantheon.startActor('expander');
    const failure = await pantheon
      .ask('expander', 'refund', { timeoutMs: 2000 })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'ASK_FAILED' });
    expect((failure as Error).cause).toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    expect(pantheon.getDeadLetters()).toEqual([
      expect.objectContaining({
        reason: 'MESSAGE_TOO_LARGE',
        message: expect.objectContaining({ to: 'billing' }),
      }),
    ]);
    expect(await pantheon.getActorMessages('billing')).toEqual([]);
    await pantheon.shutdown();
  });
});

describe('spawned actors', () => {
  it('receive what other actors send them, kept in their mailbox until they start', async () => {
    const { pantheon, state, setup } = desk();
    await setup();
    const child = scriptWith([llmBehavior({ name: 'answer', system: 'child' })]);
    await pantheon.createActor({
      id: 'parent',
      name: 'parent',
      script: scriptWith([
        {
          name: 'delegate',
          mode: 'active',
          plan: ({ context }) => {
            const input = context.at(-1)?.content ?? '';
            return input.startsWith('relay to ')
              ? { actions: [{ type: 'message', content: 'hello child', target: input.slice(9) }] }
              : { actions: [{ type: 'spawn', actor: child, goal: 'Help the parent' }] };
          },
        },
      ]),
      goals: ['Delegate'],
    });
    await pantheon.startActor('parent');
    const replies: string[] = [];
    pantheon.on('reply', ({ message }) => replies.push(`${message.from}: ${message.content}`));
    await pantheon.sendMessage('parent', 'please spawn');
    await pantheon.whenIdle();
    const childId = [...state.actors.values()].find(
      (actor) => actor.metadata?.parentId === 'parent',
    )?.id as string;
    expect(childId).toBeDefined();

    await pantheon.sendMessage('parent', `relay to ${childId}`);
    await pantheon.whenIdle();
    // Not taken for a message leaving the system: no reply, no dead letter, waiting for the child.
    expect(replies).toEqual([]);
    expect(pantheon.getDeadLetters()).toEqual([]);
    expect(await pantheon.getMailbox(childId)).toEqual([
      expect.objectContaining({ from: 'parent', content: 'hello child' }),
    ]);
    await pantheon.startActor(childId);
    await pantheon.whenIdle();
    expect(replies).toEqual([`${childId}: child saw: hello child`]);
    await pantheon.shutdown();
  });
});

describe('secrets at rest', () => {
  it('never stores an API key a provider echoed in the actor’s lastTick', async () => {
    const calls: ModelCall[] = [];
    const leaky: LlmPort = {
      async complete(messages) {
        calls.push({ system: messages[0]?.content ?? '', messages });
        throw new LlmError(
          'Incorrect API key provided: sk-proj-Zx9Yw8Vu7Ts6Rq5Po4',
          { status: 401 },
          { code: 'LLM_AUTH' },
        );
      },
    };
    const { pantheon, state } = desk({ system: { llmAdapter: leaky } });
    await pantheon.createActor({
      id: 'leaky',
      name: 'leaky',
      script: scriptWith([llmBehavior({ name: 'answer' })]),
      goals: ['Answer'],
    });
    await pantheon.startActor('leaky');
    await pantheon.ask('leaky', 'hi', { timeoutMs: 2000 }).catch(() => {});
    const stored = JSON.stringify(state.actors.get('leaky')?.metadata);
    expect(stored).toContain('LLM_AUTH');
    expect(stored).not.toContain('sk-proj-Zx9Yw8Vu7Ts6Rq5Po4');
    await pantheon.shutdown();
  });
});

describe('sendMessage addresses', () => {
  it('refuses an empty conversationId, replyTo, from or messageId (or one with ":") with INVALID_MESSAGE, enqueuing nothing', async () => {
    const { pantheon, setup } = desk();
    await setup();
    await pantheon.stopActor('billing');
    for (const [options, field] of [
      [{ conversationId: '' }, 'conversationId'],
      [{ replyTo: '' }, 'replyTo'],
      [{ from: '' }, 'from'],
      [{ messageId: '' }, 'messageId'],
      [{ messageId: 'order-7:0' }, 'messageId'],
      [{ messageId: 7 as unknown as string }, 'messageId'],
    ] as const) {
      await expect(pantheon.sendMessage('billing', 'hello', options)).rejects.toMatchObject({
        code: 'INVALID_MESSAGE',
        details: { field },
      });
    }
    expect(await pantheon.getMailbox('billing')).toEqual([]);
    await pantheon.shutdown();
  });
});

describe('a tick run again after it failed', () => {
  it('does not answer twice when its final state update failed once', async () => {
    const { pantheon, state, setup } = desk();
    await setup();
    const update = state.update.bind(state);
    let failNext = true;
    state.update = async (id, patch) => {
      if (
        id === 'tech' &&
        failNext &&
        patch.metadata?.lastTick !== undefined &&
        patch.state !== 'failed'
      ) {
        failNext = false;
        throw new Error('database is locked');
      }
      return update(id, patch);
    };
    const replies: string[] = [];
    pantheon.on('reply', ({ message }) => replies.push(message.id!));
    const answer = await pantheon.ask('tech', 'My app crashes', { timeoutMs: 2000 });
    await pantheon.whenIdle();
    expect(failNext).toBe(false); // the first attempt did fail after answering
    expect(replies).toEqual([answer.id]);
    expect(await pantheon.getActorMessages('tech')).toHaveLength(1);
    await pantheon.shutdown();
  });

  it('neither answers nor dead-letters twice a message whose actor was removed mid-tick', async () => {
    const { pantheon, state, setup } = desk();
    await setup();
    await pantheon.createActor({
      id: 'leaving',
      name: 'leaving',
      script: scriptWith([
        {
          name: 'answer-and-leave',
          mode: 'active',
          plan: () => {
            state.actors.delete('leaving');
            return { actions: [{ type: 'message', content: 'bye' }] };
          },
        },
      ]),
      goals: ['Leave'],
    });
    await pantheon.stopActor('leaving').catch(() => {});
    const first = await pantheon.sendMessage('leaving', 'first');
    const second = await pantheon.sendMessage('leaving', 'second');
    const replies: string[] = [];
    pantheon.on('reply', ({ message }) => replies.push(message.content));
    await pantheon.startActor('leaving');
    await pantheon.whenIdle();
    expect(replies).toEqual(['bye']);
    const letters = pantheon.getDeadLetters().map(({ message, reason }) => [message.id, reason]);
    expect(letters).toEqual([[second, 'ACTOR_NOT_FOUND']]);
    expect(letters.flat()).not.toContain(first);
    await pantheon.shutdown();
  });
});
