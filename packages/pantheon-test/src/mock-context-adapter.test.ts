import { ConfigError, ContextError, type Message } from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import { MockContextAdapter } from './mock-context-adapter';

describe('MockContextAdapter', () => {
  it('returns the set response whatever it is asked, and records the requests', async () => {
    const context = new MockContextAdapter();
    context.setResponse([{ role: 'system', content: 'Company policies...' }]);
    const first = await context.compile({
      sources: [{ type: 'text', content: 'ignored' }],
      texts: ['Hello'],
      actorId: 'a1',
    });
    expect(first).toEqual([{ role: 'system', content: 'Company policies...' }]);
    first.push({ role: 'user', content: 'tampered' });
    expect(await context.compile({ sources: [] })).toHaveLength(1);

    const calls = context.getCalls();
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ texts: ['Hello'], actorId: 'a1' });
  });

  it('computes the context with a function of the request', async () => {
    const context = new MockContextAdapter().setResponse((request) =>
      (request.texts ?? []).map((text) => ({ role: 'user', content: text.toUpperCase() })),
    );
    await expect(context.compile({ sources: [], texts: ['hi'] })).resolves.toEqual([
      { role: 'user', content: 'HI' },
    ]);
  });

  it('assembles sources, documents, history and input in that order by default', async () => {
    const context = new MockContextAdapter().addDocuments(
      { content: 'Refunds within 30 days', metadata: { category: 'policies' } },
      { content: 'Lunch menu', metadata: { category: 'food' } },
    );
    await context.append('a1', { role: 'user', content: 'earlier' });
    await context.append('a1', { role: 'assistant', content: 'reply' });
    const messages = await context.compile({
      sources: [
        { type: 'text', content: 'Be kind', metadata: { category: 'policies' } },
        { id: 'kb', where: { category: 'policies' } },
        { type: 'url', url: 'https://example.com' },
      ],
      texts: ['now'],
      from: 'agent-2',
      actorId: 'a1',
    });
    expect(messages).toEqual([
      { role: 'system', content: 'Be kind', metadata: { category: 'policies' } },
      {
        role: 'system',
        content: 'Refunds within 30 days',
        metadata: { category: 'policies', source: 'kb' },
      },
      { role: 'user', content: 'earlier' },
      { role: 'assistant', content: 'reply' },
      { role: 'user', content: 'now', name: 'agent-2' },
    ]);
    expect(context.getHistory('a1')).toHaveLength(2);
  });

  it('applies `limit` to the oldest history first, then the earliest sources, keeping the input', async () => {
    const context = new MockContextAdapter();
    for (const content of ['h1', 'h2', 'h3']) await context.append('a1', { role: 'user', content });
    const request = {
      sources: [
        { type: 'text' as const, content: 's1' },
        { type: 'text' as const, content: 's2' },
      ],
      texts: ['in'],
      actorId: 'a1',
    };
    const contents = async (limit: number) =>
      (await context.compile({ ...request, limit })).map((message) => message.content);
    expect(await contents(4)).toEqual(['s1', 's2', 'h3', 'in']);
    expect(await contents(2)).toEqual(['s2', 'in']);
    expect(await contents(1)).toEqual(['in']);
    expect(await contents(0)).toEqual([]);
    expect(await contents(10)).toEqual(['s1', 's2', 'h1', 'h2', 'h3', 'in']);
  });

  it('keeps history per actor and conversation, and records each append with its options', async () => {
    const context = new MockContextAdapter();
    await context.append(
      'a1',
      { role: 'user', content: 'Alice here' },
      { conversationId: 'alice' },
    );
    await context.append('a1', { role: 'user', content: 'Bob here' }, { conversationId: 'bob' });
    await context.append('a1', { role: 'assistant', content: 'for every conversation' });
    const history = async (conversationId?: string) =>
      (await context.compile({ sources: [], actorId: 'a1', conversationId })).map(
        (message) => message.content,
      );
    expect(await history('alice')).toEqual(['Alice here']);
    expect(await history('bob')).toEqual(['Bob here']);
    expect(await history()).toEqual(['for every conversation']);
    expect(await history('carol')).toEqual([]);
    expect(context.getHistory('a1', 'bob')).toEqual([{ role: 'user', content: 'Bob here' }]);
    expect(context.getHistory('a1')).toEqual([
      { role: 'assistant', content: 'for every conversation' },
    ]);
    expect(context.getAppends()).toEqual([
      {
        actorId: 'a1',
        message: { role: 'user', content: 'Alice here' },
        options: { conversationId: 'alice' },
      },
      {
        actorId: 'a1',
        message: { role: 'user', content: 'Bob here' },
        options: { conversationId: 'bob' },
      },
      { actorId: 'a1', message: { role: 'assistant', content: 'for every conversation' } },
    ]);
    expect(context.getCalls()[0]).toMatchObject({ actorId: 'a1', conversationId: 'alice' });
    // Copies: changing what was handed out changes nothing recorded.
    context.getAppends()[0].options!.conversationId = 'tampered';
    expect(context.getAppends()[0].options).toEqual({ conversationId: 'alice' });
  });

  it('keeps a key/value store per actor and globally', async () => {
    const context = new MockContextAdapter();
    const data = { tier: 'gold' };
    await context.write('profile', data, { actorId: 'a1' });
    data.tier = 'changed after write';
    expect(await context.read('profile', { actorId: 'a1' })).toEqual({ tier: 'gold' });
    expect(await context.read('profile')).toBeUndefined();
    await context.delete('profile', { actorId: 'a1' });
    expect(await context.read('profile', { actorId: 'a1' })).toBeUndefined();
  });

  it('resets everything', async () => {
    const context = new MockContextAdapter()
      .setResponse([{ role: 'system', content: 'x' }])
      .addDocuments({ content: 'doc' });
    await context.append('a1', { role: 'user', content: 'h' });
    await context.write('k', 1);
    await context.compile({ sources: [] });
    context.reset();
    expect(context.getCalls()).toEqual([]);
    expect(context.getAppends()).toEqual([]);
    expect(context.getHistory('a1')).toEqual([]);
    expect(await context.read('k')).toBeUndefined();
    expect(await context.compile({ sources: [{ id: 'kb' }], actorId: 'a1' })).toEqual([]);
  });

  describe('bad input fails at the call that made the mistake', () => {
    it('rejects malformed messages in setResponse, naming the field', () => {
      const context = new MockContextAdapter();
      const bad = [
        { role: 'system', content: 'ok' },
        { role: 'narrator', content: 'x' },
      ];
      expect(() => context.setResponse(bad as Message[])).toThrow(ConfigError);
      expect(() => context.setResponse(bad as Message[])).toThrow(/messages\[1\]\.role/);
      expect(() => context.setResponse('policies' as unknown as Message[])).toThrow(ConfigError);
    });

    it('rejects a document without content', () => {
      expect(() =>
        new MockContextAdapter().addDocuments({ metadata: {} } as unknown as { content: string }),
      ).toThrow(/documents\[0\]\.content/);
    });

    it('rejects a malformed compile request and append message with ContextError', async () => {
      const context = new MockContextAdapter();
      await expect(
        context.compile({ sources: [{ type: 'text' }], limit: -1 } as never),
      ).rejects.toBeInstanceOf(ContextError);
      await expect(context.compile({ sources: [], recentLimit: 1.5 })).rejects.toThrow(
        /recentLimit/,
      );
      await expect(context.append('', { role: 'user', content: 'x' })).rejects.toThrow(/actorId/);
      await expect(
        context.append('a1', { role: 'user', content: 'x' }, { conversationId: '' }),
      ).rejects.toThrow(/options\.conversationId: expected a non-empty string/);
      await expect(
        context.append('a1', { role: 'user', content: 'x' }, 'alice' as never),
      ).rejects.toThrow(/options: expected an object/);
      await expect(
        context.compile({ sources: [], actorId: 'a1', conversationId: 3 as never }),
      ).rejects.toThrow(/conversationId: expected a non-empty string, received a number/);
      expect(context.getAppends()).toEqual([]);
      expect(context.getHistory('a1')).toEqual([]);
      await expect(context.write('', 1)).rejects.toBeInstanceOf(ContextError);
    });

    it('rejects invalid messages returned by a response function', async () => {
      const context = new MockContextAdapter().setResponse(() => [{ role: 'x' }] as never);
      await expect(context.compile({ sources: [] })).rejects.toMatchObject({
        code: 'CONTEXT_INVALID_RESPONSE',
      });
    });
  });
});
