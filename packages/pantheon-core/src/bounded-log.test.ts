import { describe, expect, it } from 'vitest';
import { BoundedLog } from './bounded-log';

describe('BoundedLog', () => {
  it('keeps the newest items, oldest first, across trims', () => {
    const log = new BoundedLog<number>(3);
    for (let item = 1; item <= 10; item++) {
      log.push(item);
      expect(log.last()).toEqual(
        Array.from(
          { length: Math.min(item, 3) },
          (_, index) => item - Math.min(item, 3) + 1 + index,
        ),
      );
      expect(log.size).toBe(Math.min(item, 3));
    }
  });

  it('returns the newest `count` items, never more than it keeps', () => {
    const log = new BoundedLog<string>(2);
    for (const item of ['a', 'b', 'c']) log.push(item);
    expect(log.last(1)).toEqual(['c']);
    expect(log.last(5)).toEqual(['b', 'c']);
    expect(log.last(0)).toEqual([]);
  });

  it('keeps nothing with capacity 0', () => {
    const log = new BoundedLog<string>(0);
    log.push('a');
    expect(log.size).toBe(0);
    expect(log.last()).toEqual([]);
  });

  it('hands out copies', () => {
    const log = new BoundedLog<string>(2);
    log.push('a');
    log.last().push('x');
    expect(log.last()).toEqual(['a']);
  });
});
