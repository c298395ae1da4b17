/**
 * A deep copy of plain data (plain objects and arrays); functions, class instances (zod schemas,
 * `AbortSignal`, tool classes) and primitives are kept as they are. Mocks record copies so that
 * what a test reads back is what was passed, even if the caller mutates it afterwards.
 */
export function copyData<T>(value: T, seen = new WeakMap<object, unknown>()): T {
  if (typeof value !== 'object' || value === null) return value;
  const known = seen.get(value);
  if (known !== undefined) return known as T;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(copyData(item, seen));
    return out as T;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [key, item] of Object.entries(value)) out[key] = copyData(item, seen);
  return out as T;
}
