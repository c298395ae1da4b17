import { describe, expect, it } from 'vitest';
import { InMemoryContextAdapter } from './in-memory-context-adapter';

const policies = { type: 'text' as const, content: 'Be kind.', metadata: { category: 'policies' } };

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
      texts: ['now'],
      from: 'actor-b',
      actorId: 'a',
      sources: [policies, { id: 'faq', where: { category: 'faq' } }],
    });
    expect(messages).toEqual([
      { role: 'system', content: 'Be kind.', metadata: { category: 'policies', source: 'text' } },
      {
        role: 'system',
        content: 'Refunds within 30 days',
        metadata: { category: 'faq', source: 'faq', documentId: 'd1' },
      },
      { role: 'user', content: 'earlier', metadata: { source: 'history' } },
      { role: 'assistant', content: 'reply', metadata: { source: 'history' } },
      { role: 'user', content: 'now', name: 'actor-b', metadata: { source: 'input' } },
    ]);
  });

  it('keeps history per actor and honours recentLimit and queryLimit', async () => {
    const context = new InMemoryContextAdapter({
      documents: Array.from({ length: 10 }, (_, index) => ({
        id: `d${index}`,
        content: `doc ${index}`,
      })),
    });
    for (let index = 0; index < 5; index++)
      await context.append('a', { role: 'user', content: `m${index}` });
    await context.append('b', { role: 'user', content: 'other actor' });
    const messages = await context.compile({
      actorId: 'a',
      recentLimit: 2,
      queryLimit: 3,
      sources: [{ id: 'all' }],
    });
    expect(messages.map((message) => message.content)).toEqual([
      'doc 0',
      'doc 1',
      'doc 2',
      'm3',
      'm4',
    ]);
    const none = await context.compile({ actorId: 'a', recentLimit: 0, sources: [] });
    expect(none).toEqual([]);
  });

  it('drops documents, then the oldest history, then sources to meet limit, and keeps the input', async () => {
    const context = new InMemoryContextAdapter({ documents: [{ id: 'd', content: 'doc' }] });
    for (const content of ['h1', 'h2', 'h3']) await context.append('a', { role: 'user', content });
    const compile = (limit: number) =>
      context
        .compile({ actorId: 'a', limit, texts: ['in'], sources: [policies, { id: 'q' }] })
        .then((messages) => messages.map((message) => message.content));
    expect(await compile(6)).toEqual(['Be kind.', 'doc', 'h1', 'h2', 'h3', 'in']);
    expect(await compile(5)).toEqual(['Be kind.', 'h1', 'h2', 'h3', 'in']);
    expect(await compile(3)).toEqual(['Be kind.', 'h3', 'in']);
    expect(await compile(1)).toEqual(['in']);
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
  });

  it('bounds history per actor', async () => {
    const context = new InMemoryContextAdapter({ maxHistoryPerActor: 3 });
    for (let index = 0; index < 10; index++)
      await context.append('a', { role: 'user', content: `m${index}` });
    expect(context.getHistory('a').map((message) => message.content)).toEqual(['m7', 'm8', 'm9']);
    expect(context.getCacheSize()).toBe(3);
  });

  it('rejects source kinds it cannot load with a typed error', async () => {
    const context = new InMemoryContextAdapter();
    await expect(
      context.compile({ sources: [{ type: 'url', url: 'https://example.com' }] }),
    ).rejects.toMatchObject({
      name: 'ContextError',
      code: 'CONTEXT_SOURCE_UNSUPPORTED',
    });
  });
});
