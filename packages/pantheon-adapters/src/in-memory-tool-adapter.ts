import {
  isToolSpec,
  type Scheduler,
  ToolError,
  type ToolInvokeOptions,
  type ToolPort,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import {
  abortError,
  describeIssues,
  errorMessage,
  toolFailure,
  toolTimeoutError,
  withTimeout,
} from '@promethean-os/pantheon-core/adapter-kit';
import { NodeScheduler } from './node-scheduler';
import { type ArgumentValidator, compileArgumentValidator } from './tool-arguments';

/** Options of `InMemoryToolAdapter`. */
export interface InMemoryToolAdapterOptions {
  /** Timer source for tool timeouts; defaults to a `NodeScheduler` (real time). */
  scheduler?: Scheduler;
}

interface RegisteredTool {
  spec: ToolSpec;
  validate: ArgumentValidator;
}

/**
 * Tools held in memory. Arguments are validated against each tool's schema before it runs
 * (`TOOL_INVALID_ARGS`, listing every violation; the tool does not run); timeouts abort the
 * signal the tool receives and reject with `TOOL_TIMEOUT`.
 *
 * @example
 * const tools = new InMemoryToolAdapter();
 * tools.register(new WeatherTool());
 * await tools.invoke('get-weather', { location: 'Oslo' }, { timeoutMs: 5_000 });
 */
export class InMemoryToolAdapter implements ToolPort {
  private readonly tools = new Map<string, RegisteredTool>();
  private readonly scheduler: Scheduler;

  constructor(options: InMemoryToolAdapterOptions = {}) {
    this.scheduler = options.scheduler ?? new NodeScheduler();
  }

  /** Registers an object or class instance; a second tool with the same name is `TOOL_DUPLICATE`. */
  register(tool: ToolSpec): void {
    if (!isToolSpec(tool)) {
      const name =
        typeof (tool as { name?: unknown })?.name === 'string'
          ? (tool as ToolSpec).name
          : '(unnamed)';
      throw new ToolError(
        `Tool "${name}" is not a valid ToolSpec: it needs a name, a description, parameters and execute()`,
        name,
        undefined,
        { code: 'TOOL_INVALID_SPEC' },
      );
    }
    if (this.tools.has(tool.name)) {
      throw new ToolError(`Tool "${tool.name}" is already registered`, tool.name, undefined, {
        code: 'TOOL_DUPLICATE',
      });
    }
    let validate: ArgumentValidator;
    try {
      validate = compileArgumentValidator(tool);
    } catch (error) {
      throw new ToolError(
        `Tool "${tool.name}" has an invalid parameters schema: ${errorMessage(error)}`,
        tool.name,
        undefined,
        { code: 'TOOL_INVALID_SPEC', cause: error },
      );
    }
    this.tools.set(tool.name, { spec: tool, validate });
  }

  unregister(name: string): boolean {
    return this.tools.delete(name);
  }

  list(): ToolSpec[] {
    return [...this.tools.values()].map(({ spec }) => spec);
  }

  async invoke(
    name: string,
    args: Record<string, unknown>,
    options: ToolInvokeOptions = {},
  ): Promise<unknown> {
    const tool = this.tools.get(name);
    if (!tool) {
      throw new ToolError(
        `Tool "${name}" is not registered`,
        name,
        { available: [...this.tools.keys()] },
        {
          code: 'TOOL_NOT_FOUND',
        },
      );
    }
    if (typeof args !== 'object' || args === null || Array.isArray(args)) {
      throw new ToolError(`Tool "${name}" needs an object of arguments`, name, undefined, {
        code: 'TOOL_INVALID_ARGS',
      });
    }
    const checked = tool.validate(args);
    if (!checked.ok) {
      throw new ToolError(
        `Invalid arguments for tool "${name}": ${describeIssues(checked.issues)}`,
        name,
        { issues: checked.issues },
        { code: 'TOOL_INVALID_ARGS' },
      );
    }
    if (options.signal?.aborted) throw abortError(options.signal);
    const { spec } = tool;
    const timeoutMs = options.timeoutMs ?? spec.timeout;
    const run = (signal: AbortSignal | undefined) =>
      Promise.resolve()
        .then(() =>
          spec.execute(checked.args, {
            signal,
            actorId: options.actorId,
            idempotencyKey: options.idempotencyKey,
          }),
        )
        .catch((error: unknown) => {
          throw toolFailure(name, error);
        });
    if (timeoutMs === undefined && options.signal === undefined) return run(undefined);
    return withTimeout(
      this.scheduler,
      timeoutMs,
      options.signal,
      () => toolTimeoutError(name, timeoutMs as number),
      run,
    );
  }
}
