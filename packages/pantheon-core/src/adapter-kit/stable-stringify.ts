/**
 * JSON with object keys sorted at every level, so equal values always give the same text (cache
 * keys, cassette files). Functions and `undefined` are left out as in `JSON.stringify`; a cycle
 * throws a `TypeError`. `indent` is `JSON.stringify`'s `space`.
 */
export function stableStringify(value: unknown, indent?: number): string {
  const seen = new Set<object>();
  const walk = (current: unknown): unknown => {
    if (typeof current !== 'object' || current === null) return current;
    if (seen.has(current)) throw new TypeError('Cannot serialise a value with a cycle');
    seen.add(current);
    let out: unknown;
    if (Array.isArray(current))
      out = current.map((item) => (item === undefined ? null : walk(item)));
    else {
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(current).sort()) {
        const item = (current as Record<string, unknown>)[key];
        if (item !== undefined && typeof item !== 'function') sorted[key] = walk(item);
      }
      out = sorted;
    }
    // A value met again outside its own subtree (shared, not cyclic) is fine.
    seen.delete(current);
    return out;
  };
  return JSON.stringify(walk(value), null, indent) ?? 'undefined';
}
