import type { ToolPort } from '@promethean-os/pantheon-core';

/** One finished tool call: its result, or the error it failed with. */
export type ToolCallRecord = {
  name: string;
  args: Record<string, unknown>;
  actorId: string | undefined;
} & ({ ok: true; result: unknown } | { ok: false; error: unknown });

/**
 * A `ToolPort` that runs every call on `inner` and reports it to `onCall` once it has finished
 * (`list` and `unregister` are passed through when `inner` has them).
 */
export function withToolLog(inner: ToolPort, onCall: (call: ToolCallRecord) => void): ToolPort {
  const logged: ToolPort = {
    register: (tool) => inner.register(tool),
    async invoke(name, args, options) {
      const base = { name, args, actorId: options?.actorId };
      let result: unknown;
      try {
        result = await inner.invoke(name, args, options);
      } catch (error) {
        onCall({ ...base, ok: false, error });
        throw error;
      }
      onCall({ ...base, ok: true, result });
      return result;
    },
  };
  if (inner.list) logged.list = () => inner.list!();
  if (inner.unregister) logged.unregister = (name) => inner.unregister!(name);
  return logged;
}
