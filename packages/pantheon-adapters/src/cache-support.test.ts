import { redactSecrets } from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import { stableHash } from './stable-hash';
import { TtlLruCache } from './ttl-lru-cache';

describe('stableHash', () => {
  it('gives equal hashes for equal values whatever the key order', async () => {
    expect(await stableHash({ x: 1, y: 2 })).toBe(await stableHash({ y: 2, x: 1 }));
    expect(await stableHash({ x: 1 })).toMatch(/^[0-9a-f]{64}$/);
    expect(await stableHash({ x: 1 })).not.toBe(await stableHash({ x: 2 }));
  });
});

describe('TtlLruCache', () => {
  it('expires entries, evicts the least recently used and reports every removal', () => {
    let clock = 0;
    const removed: string[] = [];
    const cache = new TtlLruCache<number>({
      ttlMs: 10,
      maxEntries: 2,
      now: () => clock,
      onRemove: (key) => removed.push(key),
    });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(removed).toEqual(['b']);
    clock = 10;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.prune()).toBe(0);
    expect(removed).toEqual(['b', 'a', 'c']);
  });
});

describe('redactSecrets', () => {
  it('handles cycles, arrays and error causes without touching the input', () => {
    const input: Record<string, unknown> = {
      list: ['Bearer abcdefghijkl', 'plain'],
      error: new Error('outer', { cause: new Error('inner sk-ant-abcdefgh12345678') }),
    };
    input.self = input;
    const out = redactSecrets(input) as Record<string, any>;
    expect(out.list).toEqual(['[REDACTED]', 'plain']);
    expect(out.self).toBe('[Circular]');
    expect(out.error.cause.message).toBe('inner [REDACTED]');
    expect((input.list as string[])[0]).toBe('Bearer abcdefghijkl');
  });
});
