import type { ToolInvokeOptions, ToolPort, ToolSpec } from '@promethean-os/pantheon-core';

/**
 * Base of the tool decorators: `register`, `list` and `unregister` go to the wrapped port
 * unchanged (`list` is empty and `unregister` is `false` when the wrapped port lacks them);
 * subclasses decide what `invoke` adds.
 */
export abstract class ToolPortDecorator implements ToolPort {
  constructor(protected readonly inner: ToolPort) {}

  register(tool: ToolSpec): void {
    this.inner.register(tool);
  }

  list(): ToolSpec[] {
    return this.inner.list?.() ?? [];
  }

  unregister(name: string): boolean {
    return this.inner.unregister?.(name) ?? false;
  }

  abstract invoke(
    name: string,
    args: Record<string, unknown>,
    options?: ToolInvokeOptions,
  ): Promise<unknown>;
}
