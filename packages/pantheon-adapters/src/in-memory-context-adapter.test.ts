import type { Message } from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import { InMemoryContextAdapter } from './in-memory-context-adapter';

const policies = { type: 'text' as const, content: 'Be kind.', metadata: { category: 'policies' } };

const contents = (messages: Message[]) => messages.map((message) => message.content);

const faq = [
  {
    id: 'refunds',
    content: 'Refunds are paid within 30 days of a return',
    metadata: { category: 'faq' },
  },
  { id: 'shipping', content: 'Shipping is free above 50 euros', metadata: { category: 'faq' } },
  {
    id: 'returns',
    content: 'Returns need the original receipt and packaging; refunds follow after inspection',
    metadata: { category: 'faq' },
  },
  { id: 'jobs', content: 'We are hiring engineers', metadata: { category: 'careers' } },
];

describe('InMemoryContextAdapter', () => {
  it('returns sources, retrieved documents, history and input, in that order, each with its source', async () => {
    const context = new InMemoryContextAdapter({
      documents: [
        { id: 'd1', content: 'Refunds within 30 days', metadata: { category: 'faq' } },
        { id: 'd2', content: 'Shipping is free', metadata: { category: 'other' } },
      ],
    });
    await context.append('a', { role: 'user', content: 'earlier' });
    await context.append('a', { role: 'assistant', content: 'reply' });
    const messages = await context.compile({
      texts: ['refunds'],
      from: 'actor-b',
      actorId: 'a',
      sources: [policies, { id: 'faq', where: { category: 'faq' } }],
    });
    expect(messages).toEqual([
      { role: 'system', content: 'Be kind.', metadata: { category: 'policies', source: 'text' } },
      {
        role: 'system',
        content: 'Refunds within 30 days',
        metadata: { category: 'faq', source: 'faq', documentId: 'd1', score: expect.any(Number) },
      },
      { role: 'user', content: 'earlier', metadata: { source: 'history' } },
      { role: 'assistant', content: 'reply', metadata: { source: 'history' } },
      { role: 'user', content: 'refunds', name: 'actor-b', metadata: { source: 'input' } },
    ]);
  });

  it('ranks stored documents against the input texts, filtered by where, queryLimit per source', async () => {
    const context = new InMemoryContextAdapter({ documents: faq });
    const messages = await context.compile({
      texts: ['how do refunds work?'],
      sources: [{ id: 'faq', where: { category: 'faq' } }],
      queryLimit: 2,
    });
    expect(messages.map((message) => message.metadata?.documentId)).toEqual([
      'refunds',
      'returns',
      undefined,
    ]);
    const [first, second] = messages.map((message) => message.metadata?.score as number);
    expect(first).toBeGreaterThan(second!);
    const careers = await context.compile({
      texts: ['refunds'],
      sources: [{ id: 'jobs', where: { category: 'careers' } }],
    });
    expect(contents(careers)).toEqual(['refunds']);
  });

  it('retrieves a document once across query sources, and unranked in insertion order without input', async () => {
    const context = new InMemoryContextAdapter({ documents: faq });
    const ranked = await context.compile({
      texts: ['refunds'],
      sources: [{ id: 'first' }, { id: 'second' }],
    });
    expect(
      ranked.map((message) => [message.metadata?.source, message.metadata?.documentId]),
    ).toEqual([
      ['first', 'refunds'],
      ['first', 'returns'],
      ['input', undefined],
    ]);
    const passive = await context.compile({ sources: [{ id: 'all' }], queryLimit: 3 });
    expect(passive.map((message) => message.metadata?.documentId)).toEqual([
      'refunds',
      'shipping',
      'returns',
    ]);
    expect(passive[0]!.metadata).not.toHaveProperty('score');
  });

  it('forgets the least recently used conversation past maxConversationsPerActor, never the actor-wide history', async () => {
    const context = new InMemoryContextAdapter({ maxConversationsPerActor: 2 });
    const say = (content: string, conversationId?: string) =>
      context.append(
        'a',
        { role: 'user', content },
        conversationId ? { conversationId } : undefined,
      );
    await say('actor-wide');
    await say('one', 'c1');
    await say('two', 'c2');
    await say('one again', 'c1'); // c1 is now the most recent
    await say('three', 'c3'); // forgets c2
    expect(context.getHistory('a', 'c2')).toEqual([]);
    expect(context.getHistory('a', 'c1').map((entry) => entry.content)).toEqual([
      'one',
      'one again',
    ]);
    expect(context.getHistory('a', 'c3').map((entry) => entry.content)).toEqual(['three']);
    expect(context.getHistory('a').map((entry) => entry.content)).toEqual(['actor-wide']);
    expect(context.getCacheSize()).toBe(4);
  });

  it('keeps history per actor and honours recentLimit', async () => {
    const context = new InMemoryContextAdapter();
    for (let index = 0; index < 5; index++)
      await context.append('a', { role: 'user', content: `m${index}` });
    await context.append('b', { role: 'user', content: 'other actor' });
    expect(contents(await context.compile({ actorId: 'a', recentLimit: 2, sources: [] }))).toEqual([
      'm3',
      'm4',
    ]);
    expect(await context.compile({ actorId: 'a', recentLimit: 0, sources: [] })).toEqual([]);
    expect(await context.compile({ sources: [] })).toEqual([]);
  });

  it('shares frozen history entries across compiles instead of copying them', async () => {
    const context = new InMemoryContextAdapter();
    await context.append('a', { role: 'user', content: 'hello', metadata: { n: 1 } });
    const first = await context.compile({ actorId: 'a', sources: [] });
    const second = await context.compile({ actorId: 'a', sources: [] });
    expect(first[0]).toBe(second[0]);
    expect(Object.isFrozen(first[0])).toBe(true);
    expect(Object.isFrozen(first[0]!.metadata)).toBe(true);
  });

  it('drops documents, then the oldest history, then sources to meet limit, and keeps the input', async () => {
    const context = new InMemoryContextAdapter({ documents: [{ id: 'd', content: 'doc' }] });
    for (const content of ['h1', 'h2', 'h3']) await context.append('a', { role: 'user', content });
    const compile = (limit: number) =>
      context
        .compile({ actorId: 'a', limit, texts: ['in'], sources: [policies, { id: 'q' }] })
        .then(contents);
    expect(await compile(6)).toEqual(['Be kind.', 'h1', 'h2', 'h3', 'in']);
    expect(await compile(4)).toEqual(['Be kind.', 'h2', 'h3', 'in']);
    expect(await compile(2)).toEqual(['Be kind.', 'in']);
    expect(await compile(0)).toEqual(['in']);
  });

  it('meets a character budget by dropping the lowest-ranked documents first', async () => {
    const context = new InMemoryContextAdapter({ documents: faq });
    await context.append('a', { role: 'user', content: 'old question' });
    const full = await context.compile({
      actorId: 'a',
      texts: ['refunds'],
      sources: [policies, { id: 'faq' }],
    });
    expect(full.map((message) => message.metadata?.documentId ?? message.content)).toEqual([
      'Be kind.',
      'refunds',
      'returns',
      'old question',
      'refunds',
    ]);
    const total = full.reduce((sum, message) => sum + message.content.length, 0);
    const lowest = full[2]!.content.length;
    const budgeted = await context.compile({
      actorId: 'a',
      texts: ['refunds'],
      sources: [policies, { id: 'faq' }],
      maxChars: total - lowest,
    });
    expect(budgeted.map((message) => message.metadata?.documentId ?? message.content)).toEqual([
      'Be kind.',
      'refunds',
      'old question',
      'refunds',
    ]);
    const tight = new InMemoryContextAdapter({ documents: faq, maxChars: 20 });
    expect(
      contents(await tight.compile({ texts: ['refunds'], sources: [policies, { id: 'faq' }] })),
    ).toEqual(['Be kind.', 'refunds']);
  });

  it('meets a token budget with the given tokenizer', async () => {
    const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
    const context = new InMemoryContextAdapter({ documents: faq, countTokens: words });
    const messages = await context.compile({
      texts: ['refunds'],
      sources: [{ id: 'faq' }],
      maxTokens: 10,
    });
    // 'refunds' (1) + the best match (9 words) fit; the second match (12) does not.
    expect(messages.map((message) => message.metadata?.documentId ?? 'input')).toEqual([
      'refunds',
      'input',
    ]);
  });

  it('keeps a per-actor key/value store of copies and counts what it holds', async () => {
    const context = new InMemoryContextAdapter();
    const data = { items: [1, 2] };
    await context.write('notes', data, { actorId: 'a' });
    data.items.push(3);
    expect(await context.read('notes', { actorId: 'a' })).toEqual({ items: [1, 2] });
    expect(await context.read('notes', { actorId: 'b' })).toBeUndefined();
    await context.write('shared', 'x');
    await context.append('a', { role: 'user', content: 'h' });
    context.addDocuments([{ id: 'd', content: 'doc' }]);
    expect(context.getCacheSize()).toBe(4);
    await context.delete('notes', { actorId: 'a' });
    expect(await context.read('notes', { actorId: 'a' })).toBeUndefined();
    expect(context.getCacheSize()).toBe(3);
    await expect(context.write('fn', { run: () => 1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(context.getCacheSize()).toBe(3);
  });

  it('indexes document writes for the writing actor and forgets deleted ones', async () => {
    const context = new InMemoryContextAdapter();
    await context.write(
      'documents/note-1',
      { content: 'The customer prefers email', metadata: { kind: 'note' } },
      { actorId: 'a' },
    );
    const ask = (actorId: string) =>
      context.compile({
        actorId,
        texts: ['email'],
        sources: [{ id: 'notes', where: { kind: 'note' } }],
      });
    expect((await ask('a'))[0]).toMatchObject({
      content: 'The customer prefers email',
      metadata: { source: 'notes', documentId: 'note-1', kind: 'note' },
    });
    expect(contents(await ask('b'))).toEqual(['email']);
    expect(await context.read('documents/note-1', { actorId: 'a' })).toEqual({
      id: 'note-1',
      content: 'The customer prefers email',
      metadata: { kind: 'note' },
    });
    await context.write(
      'documents/note-1',
      { content: 'Prefers phone calls', metadata: { kind: 'note' } },
      { actorId: 'a' },
    );
    expect(contents(await ask('a'))).toEqual(['email']);
    expect(context.getCacheSize()).toBe(1);
    await context.delete('documents/note-1', { actorId: 'a' });
    expect(context.getCacheSize()).toBe(0);
    expect(await context.read('documents/note-1', { actorId: 'a' })).toBeUndefined();
  });

  it('rejects malformed documents with CONTEXT_INVALID_DOCUMENT and stores none of the batch', async () => {
    const context = new InMemoryContextAdapter();
    expect(() =>
      context.addDocuments([{ id: 'ok', content: 'fine' }, { id: 'bad', content: 42 } as never]),
    ).toThrow(
      expect.objectContaining({
        code: 'CONTEXT_INVALID_DOCUMENT',
        details: { path: '[1].content' },
      }),
    );
    expect(context.getCacheSize()).toBe(0);
    await expect(context.write('documents/x', { text: 'no content' })).rejects.toMatchObject({
      name: 'ContextError',
      code: 'CONTEXT_INVALID_DOCUMENT',
    });
    await expect(context.write('documents/', { content: 'no id' })).rejects.toMatchObject({
      code: 'CONTEXT_INVALID_DOCUMENT',
    });
    expect(context.getCacheSize()).toBe(0);
    context.addDocuments([{ id: 'ok', content: 'fine' }]);
    expect(context.removeDocuments(['ok', 'missing'])).toBe(1);
    expect(context.getCacheSize()).toBe(0);
  });

  it('bounds each history: the actor-wide one and every conversation on its own', async () => {
    const context = new InMemoryContextAdapter({ maxHistoryPerConversation: 3 });
    for (let index = 0; index < 10; index++) {
      await context.append('a', { role: 'user', content: `m${index}` });
      await context.append('a', { role: 'user', content: `c${index}` }, { conversationId: 'c' });
    }
    await context.append('a', { role: 'user', content: 'd0' }, { conversationId: 'd' });
    expect(contents([...context.getHistory('a')])).toEqual(['m7', 'm8', 'm9']);
    expect(contents([...context.getHistory('a', 'c')])).toEqual(['c7', 'c8', 'c9']);
    expect(contents([...context.getHistory('a', 'd')])).toEqual(['d0']);
    expect(context.getHistory('a', 'unknown')).toEqual([]);
    expect(context.getHistory('nobody')).toEqual([]);
    // Every actor and conversation counts towards the size.
    expect(context.getCacheSize()).toBe(7);
  });

  it('still takes the deprecated maxHistoryPerActor as the bound of each history', async () => {
    const context = new InMemoryContextAdapter({ maxHistoryPerActor: 2 });
    for (let index = 0; index < 4; index++) {
      await context.append('a', { role: 'user', content: `c${index}` }, { conversationId: 'c' });
    }
    expect(contents([...context.getHistory('a', 'c')])).toEqual(['c2', 'c3']);
    const both = new InMemoryContextAdapter({
      maxHistoryPerActor: 2,
      maxHistoryPerConversation: 3,
    });
    for (let index = 0; index < 4; index++) {
      await both.append('a', { role: 'user', content: `m${index}` });
    }
    expect(contents([...both.getHistory('a')])).toEqual(['m1', 'm2', 'm3']);
  });

  it("compiles a conversation's history only, and the actor-wide history without a conversation", async () => {
    const context = new InMemoryContextAdapter();
    await context.append(
      'support',
      { role: 'user', content: 'Alice: my address is 1 Main St' },
      {
        conversationId: 'alice',
      },
    );
    await context.append(
      'support',
      { role: 'user', content: 'Bob: hello' },
      { conversationId: 'bob' },
    );
    await context.append('support', {
      role: 'assistant',
      content: 'a note for every conversation',
    });
    const compile = (conversationId?: string) =>
      context.compile({ actorId: 'support', conversationId, sources: [], texts: ['next'] });
    expect(contents(await compile('bob'))).toEqual(['Bob: hello', 'next']);
    expect(contents(await compile('alice'))).toEqual(['Alice: my address is 1 Main St', 'next']);
    expect(contents(await compile())).toEqual(['a note for every conversation', 'next']);
    // Without an actor there is no history, whatever the conversation.
    expect(contents(await context.compile({ conversationId: 'bob', sources: [] }))).toEqual([]);
  });

  it('rejects bad input with typed errors', async () => {
    const context = new InMemoryContextAdapter();
    await expect(context.compile({} as never)).rejects.toMatchObject({
      code: 'CONTEXT_INVALID_REQUEST',
    });
    await expect(
      context.compile({ sources: [policies, { type: 'ftp', host: 'x' } as never] }),
    ).rejects.toMatchObject({
      name: 'ContextError',
      code: 'CONTEXT_SOURCE_UNSUPPORTED',
      details: { path: 'sources[1]', sourceType: 'ftp' },
    });
    await expect(
      context.append('a', { role: 'robot', content: 'x' } as never),
    ).rejects.toMatchObject({
      code: 'CONTEXT_INVALID_MESSAGE',
    });
    await expect(context.append('a', { role: 'user', content: 1 } as never)).rejects.toMatchObject({
      code: 'CONTEXT_INVALID_MESSAGE',
    });
    for (const options of [{ conversationId: '' }, { conversationId: 7 }, 'c', null]) {
      await expect(
        context.append('a', { role: 'user', content: 'x' }, options as never),
      ).rejects.toMatchObject({ name: 'ContextError', code: 'CONTEXT_INVALID_REQUEST' });
    }
    await expect(
      context.compile({ actorId: 'a', conversationId: 7 as never, sources: [] }),
    ).rejects.toMatchObject({
      code: 'CONTEXT_INVALID_REQUEST',
      details: { field: 'conversationId', actorId: 'a' },
    });
    expect(context.getCacheSize()).toBe(0);
    const controller = new AbortController();
    controller.abort();
    await expect(context.compile({ sources: [], signal: controller.signal })).rejects.toMatchObject(
      { code: 'ABORTED' },
    );
  });
});
