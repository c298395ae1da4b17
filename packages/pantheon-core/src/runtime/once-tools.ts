import type { ToolInvokeOptions, ToolPort } from '../ports/tool-port';

/** Where the results of `once` tool calls are remembered, by idempotency key. */
export interface OnceResults {
  get(key: string, actorId: string | undefined): Promise<{ result: unknown } | undefined>;
  put(key: string, actorId: string | undefined, result: unknown): Promise<void>;
}

/**
 * The tool port of a runtime: a call of a `once` tool (`ToolSpec.once`) whose idempotency key
 * already returned gets the recorded result instead of running the tool again. Other tools go
 * straight through. `once` is read from `tools.list()`; a port without `list` has no `once`
 * tools.
 */
export function onceTools(tools: ToolPort, results: OnceResults): ToolPort {
  const isOnce = (name: string) =>
    tools.list?.().some((tool) => tool.name === name && tool.once === true) === true;

  async function invokeOnce(
    name: string,
    args: Record<string, unknown>,
    options: ToolInvokeOptions & { idempotencyKey: string },
  ): Promise<unknown> {
    const recorded = await results.get(options.idempotencyKey, options.actorId);
    if (recorded) return recorded.result;
    const result = await tools.invoke(name, args, options);
    await results.put(options.idempotencyKey, options.actorId, result);
    return result;
  }

  const port: ToolPort = {
    register: (tool) => tools.register(tool),
    invoke: (name, args, options) =>
      options?.idempotencyKey !== undefined && isOnce(name)
        ? invokeOnce(name, args, options as ToolInvokeOptions & { idempotencyKey: string })
        : tools.invoke(name, args, options),
  };
  if (tools.list) port.list = () => tools.list!();
  if (tools.unregister) port.unregister = (name) => tools.unregister!(name);
  return port;
}
