import { describe, expect, it } from 'vitest';
import { stableStringify } from './stable-stringify';

describe('stableStringify', () => {
  it('gives equal text for equal values whatever the key order', () => {
    expect(stableStringify({ b: 1, a: [{ d: 2, c: undefined, f: () => 1 }] })).toBe(
      '{"a":[{"d":2}],"b":1}',
    );
    expect(stableStringify({ x: { z: 1, y: 2 } })).toBe(stableStringify({ x: { y: 2, z: 1 } }));
    expect(stableStringify([undefined, 1])).toBe('[null,1]');
    expect(stableStringify(undefined)).toBe('undefined');
  });

  it('indents like JSON.stringify when asked', () => {
    expect(stableStringify({ b: [1], a: 'x' }, 2)).toBe('{\n  "a": "x",\n  "b": [\n    1\n  ]\n}');
  });

  it('refuses cycles but accepts a value shared by two branches', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => stableStringify(cyclic)).toThrow(TypeError);
    const shared = { n: 1 };
    expect(stableStringify([shared, shared])).toBe('[{"n":1},{"n":1}]');
  });
});
