/**
 * The list a mock's `getCalls()` returns. It is a plain array; its type also declares element
 * `0`, so that `mock.getCalls()[0].messages` compiles under `noUncheckedIndexedAccess`, as the
 * developer guide writes it. Nothing is there when nothing was recorded: assert the length first
 * (`expect(calls).toHaveLength(1)`), as the guide does.
 */
export type RecordedCalls<T> = T[] & { 0: T };

/** Types `list` as `RecordedCalls` (the array itself is returned). */
export function recorded<T>(list: T[]): RecordedCalls<T> {
  return list as RecordedCalls<T>;
}
