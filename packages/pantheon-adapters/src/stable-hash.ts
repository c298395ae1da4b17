/**
 * JSON with object keys sorted, so equal values always give the same text. Functions and
 * `undefined` are left out as in `JSON.stringify`; a cycle throws a `TypeError`.
 */
export function stableStringify(value: unknown): string {
  const seen = new Set<object>();
  const walk = (current: unknown): unknown => {
    if (typeof current !== 'object' || current === null) return current;
    if (seen.has(current)) throw new TypeError('Cannot hash a value with a cycle');
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
    seen.delete(current);
    return out;
  };
  return JSON.stringify(walk(value)) ?? 'undefined';
}

/** SHA-256 (hex) of `stableStringify(value)`, with the platform's Web Crypto. */
export async function stableHash(value: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(stableStringify(value));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
