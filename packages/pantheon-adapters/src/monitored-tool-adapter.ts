import type { ToolInvokeOptions, ToolPort } from '@promethean-os/pantheon-core';
import { ToolPortDecorator } from './tool-port-decorator';

/** How a monitored call ended. */
export type ToolExecutionOutcome = { ok: true; result: unknown } | { ok: false; error: unknown };

/** Options of `MonitoredToolAdapter`. */
export interface MonitoredToolAdapterOptions {
  /**
   * Called once per `invoke`, after it settled, successes and failures alike (unknown tools and
   * invalid arguments included). A callback that throws is ignored.
   */
  onExecution: (
    toolName: string,
    args: Record<string, unknown>,
    durationMs: number,
    outcome: ToolExecutionOutcome,
  ) => void;
  /** Clock in milliseconds; defaults to `performance.now`. */
  now?: () => number;
}

/**
 * Reports the duration and outcome of every tool call; results and errors pass through unchanged.
 *
 * @example
 * const tools = new MonitoredToolAdapter(new InMemoryToolAdapter(), {
 *   onExecution: (toolName, args, durationMs) => {
 *     if (durationMs > 10_000) console.warn(`Slow tool execution: ${toolName} took ${durationMs}ms`);
 *   },
 * });
 */
export class MonitoredToolAdapter extends ToolPortDecorator {
  private readonly onExecution: MonitoredToolAdapterOptions['onExecution'];
  private readonly now: () => number;

  constructor(inner: ToolPort, options: MonitoredToolAdapterOptions) {
    super(inner);
    this.onExecution = options.onExecution;
    this.now = options.now ?? (() => performance.now());
  }

  async invoke(
    name: string,
    args: Record<string, unknown>,
    options?: ToolInvokeOptions,
  ): Promise<unknown> {
    const started = this.now();
    let outcome: ToolExecutionOutcome;
    try {
      const result = await this.inner.invoke(name, args, options);
      outcome = { ok: true, result };
      return result;
    } catch (error) {
      outcome = { ok: false, error };
      throw error;
    } finally {
      try {
        this.onExecution(name, args, this.now() - started, outcome!);
      } catch {
        // Monitoring never changes what the caller gets.
      }
    }
  }
}
