import type { CompileContextOptions, ContextPort, Message } from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import { CachedContextAdapter } from './cached-context-adapter';
import { InMemoryContextAdapter } from './in-memory-context-adapter';

function counting(inner: ContextPort = new InMemoryContextAdapter()) {
  const calls: CompileContextOptions[] = [];
  const delegate: ContextPort = {
    compile: (options) => {
      calls.push(options);
      return inner.compile(options);
    },
    append: inner.append?.bind(inner),
    read: inner.read?.bind(inner),
    write: inner.write?.bind(inner),
    delete: inner.delete?.bind(inner),
  };
  return { delegate, calls };
}

const sources = [{ type: 'text' as const, content: 'Be kind.' }];
const contents = (messages: Message[]) => messages.map((message) => message.content);

describe('CachedContextAdapter', () => {
  it('reuses a compile within the TTL, ignoring the signal, and compiles again after it', async () => {
    let clock = 0;
    const { delegate, calls } = counting();
    const context = new CachedContextAdapter(delegate, 1000, { now: () => clock });
    const first = await context.compile({ texts: ['hi'], sources });
    const again = await context.compile({
      texts: ['hi'],
      sources,
      signal: new AbortController().signal,
    });
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
    expect(calls).toHaveLength(1);
    await context.compile({ texts: ['other'], sources });
    expect(calls).toHaveLength(2);
    clock = 1000;
    await context.compile({ texts: ['hi'], sources });
    expect(calls).toHaveLength(3);
  });

  it('keys on option values, not object identity or key order', async () => {
    const { delegate, calls } = counting();
    const context = new CachedContextAdapter(delegate);
    await context.compile({ sources: [{ id: 'faq', where: { a: 1, b: 2 } }], queryLimit: 2 });
    await context.compile({ queryLimit: 2, sources: [{ where: { b: 2, a: 1 }, id: 'faq' }] });
    await context.compile({ sources: [{ id: 'faq', where: { a: 1, b: 2 } }], queryLimit: 3 });
    expect(calls).toHaveLength(2);
  });

  it('stays within maxEntries, evicting the least recently used', async () => {
    const { delegate, calls } = counting();
    const context = new CachedContextAdapter(delegate, 60_000, { maxEntries: 2 });
    const compile = (text: string) => context.compile({ texts: [text], sources });
    await compile('a');
    await compile('b');
    await compile('a'); // a is now the most recently used
    await compile('c'); // evicts b
    expect(context.size).toBe(2);
    expect(calls).toHaveLength(3);
    await compile('a');
    expect(calls).toHaveLength(3);
    await compile('b');
    expect(calls).toHaveLength(4);
  });

  it('drops the contexts that append, write and delete change, and only those', async () => {
    const { delegate, calls } = counting();
    const context = new CachedContextAdapter(delegate);
    const compile = (actorId: string) => context.compile({ actorId, sources: [] });
    await compile('a');
    await compile('b');
    await context.append!('a', { role: 'user', content: 'new' });
    expect(await compile('a')).toMatchObject([{ content: 'new' }]);
    await compile('b');
    expect(calls.map((call) => call.actorId)).toEqual(['a', 'b', 'a']);

    await context.write!('documents/d', { content: 'doc' }, { actorId: 'b' });
    await compile('a');
    await compile('b');
    expect(calls.map((call) => call.actorId)).toEqual(['a', 'b', 'a', 'b']);

    await context.delete!('documents/d');
    await compile('a');
    await compile('b');
    expect(calls.map((call) => call.actorId)).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(await context.read!('documents/d')).toBeUndefined();
  });

  it("keys on the conversation: one conversation's cached context never reaches another", async () => {
    const inner = new InMemoryContextAdapter();
    const { delegate, calls } = counting(inner);
    const context = new CachedContextAdapter(delegate);
    // Appended behind the cache's back, so only the cache key can tell the compiles apart.
    await inner.append(
      'support',
      { role: 'user', content: 'Alice: my PIN is 1234' },
      {
        conversationId: 'alice',
      },
    );
    await inner.append('support', { role: 'user', content: 'Bob: hi' }, { conversationId: 'bob' });
    const compile = (conversationId?: string) =>
      context.compile({ actorId: 'support', conversationId, sources, texts: ['next'] });
    expect(contents(await compile('alice'))).toContain('Alice: my PIN is 1234');
    expect(contents(await compile('alice'))).toContain('Alice: my PIN is 1234');
    expect(calls).toHaveLength(1);
    const bob = contents(await compile('bob'));
    expect(bob).toContain('Bob: hi');
    expect(bob).not.toContain('Alice: my PIN is 1234');
    expect(contents(await compile())).toEqual(['Be kind.', 'next']);
    expect(calls.map((call) => call.conversationId)).toEqual(['alice', 'bob', undefined]);
  });

  it('passes append options on, and drops the cached contexts of every conversation of that actor', async () => {
    const appended: unknown[][] = [];
    const inner = new InMemoryContextAdapter();
    const { delegate, calls } = counting(inner);
    delegate.append = (...args: Parameters<NonNullable<ContextPort['append']>>) => {
      appended.push(args);
      return inner.append(...args);
    };
    const context = new CachedContextAdapter(delegate);
    const compile = (conversationId?: string) =>
      context.compile({ actorId: 'a', conversationId, sources: [] });
    await compile('one');
    await compile('two');
    await context.append!('a', { role: 'user', content: 'in one' }, { conversationId: 'one' });
    await context.append!('a', { role: 'user', content: 'actor-wide' });
    expect(appended).toEqual([
      ['a', { role: 'user', content: 'in one' }, { conversationId: 'one' }],
      ['a', { role: 'user', content: 'actor-wide' }],
    ]);
    expect(contents(await compile('one'))).toEqual(['in one']);
    expect(await compile('two')).toEqual([]);
    expect(contents(await compile())).toEqual(['actor-wide']);
    expect(calls).toHaveLength(5);
    expect(inner.getHistory('a', 'one')).toHaveLength(1);
  });

  it('does not cache a compile that an append overtook', async () => {
    let release!: () => void;
    const inner = new InMemoryContextAdapter();
    const delegate: ContextPort = {
      compile: async (options) => {
        const messages = await inner.compile(options);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return messages;
      },
      append: (actorId: string, message: Message) => inner.append(actorId, message),
    };
    const context = new CachedContextAdapter(delegate);
    const stale = context.compile({ actorId: 'a', sources: [] });
    await Promise.resolve();
    await context.append!('a', { role: 'user', content: 'late' });
    release();
    expect(await stale).toEqual([]);
    expect(context.size).toBe(0);
  });

  it('exposes only the store methods the delegate has, and rejects bad settings', async () => {
    const bare = new CachedContextAdapter({ compile: async () => [] });
    expect(bare.append).toBeUndefined();
    expect(bare.write).toBeUndefined();
    expect(() => new CachedContextAdapter(bare, 0)).toThrow(
      expect.objectContaining({ code: 'CONFIG_ERROR' }),
    );
    expect(() => new CachedContextAdapter(bare, 10, { maxEntries: 1.5 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_ERROR' }),
    );
  });

  it('passes delegate failures through and caches nothing for them', async () => {
    let fail = true;
    const context = new CachedContextAdapter({
      compile: async () => {
        if (fail) throw new Error('store down');
        return [{ role: 'system', content: 'ok' }];
      },
    });
    await expect(context.compile({ sources: [] })).rejects.toThrow('store down');
    fail = false;
    expect(await context.compile({ sources: [] })).toEqual([{ role: 'system', content: 'ok' }]);
  });
});
