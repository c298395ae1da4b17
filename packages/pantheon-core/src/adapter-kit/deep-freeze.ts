/**
 * Freezes `value` and the plain objects and arrays inside it, and returns it. Class instances
 * (zod schemas, tool classes, `AbortSignal`s) are left as they are: freezing them could break
 * their owners.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  const prototype = Object.getPrototypeOf(value);
  if (Array.isArray(value) || prototype === Object.prototype || prototype === null) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
