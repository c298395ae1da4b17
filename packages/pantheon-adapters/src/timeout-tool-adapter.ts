import {
  PantheonError,
  type Scheduler,
  ToolError,
  type ToolInvokeOptions,
  type ToolPort,
} from '@promethean-os/pantheon-core';
import { withTimeout } from '@promethean-os/pantheon-core/adapter-kit';
import { NodeScheduler } from './node-scheduler';
import { ToolPortDecorator } from './tool-port-decorator';

/** Options of `TimeoutToolAdapter`. */
export interface TimeoutToolAdapterOptions {
  /** Longest any call may take, in milliseconds; a shorter `timeoutMs` of a call still applies. */
  timeout: number;
  /**
   * Called when a call times out (here or in the wrapped port), before the caller sees
   * `TOOL_TIMEOUT`. A callback that throws is ignored.
   */
  onTimeout?: (toolName: string, args: Record<string, unknown>) => void;
  /** Timer source; defaults to a `NodeScheduler` (real time). */
  scheduler?: Scheduler;
}

/**
 * Caps every tool call at `timeout` ms: the call's signal is aborted and the caller gets a
 * `ToolError` with code `TOOL_TIMEOUT`, even if the tool ignores its signal.
 *
 * @example
 * const tools = new TimeoutToolAdapter(new InMemoryToolAdapter(), {
 *   timeout: 30_000,
 *   onTimeout: (toolName, args) => console.error(`Tool timeout: ${toolName}`, { args }),
 * });
 */
export class TimeoutToolAdapter extends ToolPortDecorator {
  private readonly timeout: number;
  private readonly onTimeout: TimeoutToolAdapterOptions['onTimeout'];
  private readonly scheduler: Scheduler;

  constructor(inner: ToolPort, options: TimeoutToolAdapterOptions) {
    super(inner);
    this.timeout = options.timeout;
    this.onTimeout = options.onTimeout;
    this.scheduler = options.scheduler ?? new NodeScheduler();
  }

  async invoke(
    name: string,
    args: Record<string, unknown>,
    options: ToolInvokeOptions = {},
  ): Promise<unknown> {
    const { timeoutMs: requested, ...forwarded } = options;
    const timeoutMs = Math.min(requested ?? this.timeout, this.timeout);
    try {
      return await withTimeout(
        this.scheduler,
        timeoutMs,
        forwarded.signal,
        () =>
          new ToolError(
            `Tool "${name}" timed out after ${timeoutMs} ms`,
            name,
            { timeoutMs },
            { code: 'TOOL_TIMEOUT' },
          ),
        // The timer lives here; the wrapped port only sees the signal (and the tool's own timeout).
        (signal) => this.inner.invoke(name, args, { ...forwarded, signal }),
      );
    } catch (error) {
      if (PantheonError.isInstance(error) && error.code === 'TOOL_TIMEOUT' && this.onTimeout) {
        try {
          this.onTimeout(name, args);
        } catch {
          // A failing observer must not replace the timeout the caller needs to see.
        }
      }
      throw error;
    }
  }
}
