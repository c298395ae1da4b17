import { describe, expect, it } from 'vitest';
import { deepFreeze } from './deep-freeze';

class Tool {
  calls = 0;
}

describe('deepFreeze', () => {
  it('freezes plain objects and arrays at every depth and returns the value', () => {
    const value = { a: { b: [1, { c: 2 }] }, d: Object.create(null) as Record<string, number> };
    expect(deepFreeze(value)).toBe(value);
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.a)).toBe(true);
    expect(Object.isFrozen(value.a.b)).toBe(true);
    expect(Object.isFrozen(value.a.b[1])).toBe(true);
    expect(Object.isFrozen(value.d)).toBe(true);
  });

  it('leaves class instances and primitives alone', () => {
    const tool = new Tool();
    const value = deepFreeze({ tools: [tool], count: 1 });
    expect(Object.isFrozen(value.tools)).toBe(true);
    expect(Object.isFrozen(tool)).toBe(false);
    expect(deepFreeze(3)).toBe(3);
    expect(deepFreeze(null)).toBe(null);
  });
});
