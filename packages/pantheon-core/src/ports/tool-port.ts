import type { ToolSpec } from '../types';

/** Per-call options of `ToolPort.invoke`. */
export interface ToolInvokeOptions {
  signal?: AbortSignal;
  /** Overrides the tool's own `timeout`. */
  timeoutMs?: number;
  /** The actor on whose behalf the tool runs. */
  actorId?: string;
  /** Passed to the tool as `context.idempotencyKey`; see `ToolExecutionContext`. */
  idempotencyKey?: string;
  /** The human approval the call runs under (`PantheonSystem.approve`); passed to the tool. */
  approval?: { id: string; by: string };
  /** The model's id of this call, when a model asked for it (reported to `onToolCall`). */
  toolCallId?: string;
}

/** Registers tools and runs them by name. */
export interface ToolPort {
  register(tool: ToolSpec): void;
  /** Runs a tool; unknown names reject with `ToolError` (`TOOL_NOT_FOUND`). */
  invoke(
    name: string,
    args: Record<string, unknown>,
    options?: ToolInvokeOptions,
  ): Promise<unknown>;
  /** The registered tools, in registration order. */
  list?(): ToolSpec[];
  /** Removes a tool; `true` when it was registered. */
  unregister?(name: string): boolean;
}
