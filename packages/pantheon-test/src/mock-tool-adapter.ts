import {
  type Scheduler,
  ToolError,
  type ToolExecutionContext,
  type ToolInvokeOptions,
  type ToolPort,
  type ToolSpec,
  type ValidationIssue,
} from '@promethean-os/pantheon-core';
import {
  abortError,
  describeIssues,
  describeValue,
  invalidArgument,
  isZodSchema,
  NEVER_ABORTED,
  requireFinite,
  toolFailure,
  toolTimeoutError,
  withTimeout,
} from '@promethean-os/pantheon-core/adapter-kit';
import { copyData } from './internal/copy-data';
import { realTimeScheduler } from './internal/real-time';
import { type RecordedCalls, recorded } from './recorded-calls';

/** Computes a tool result from the call; it may throw, reject or never settle. */
export type MockToolResponder = (
  args: Record<string, any>,
  context: ToolExecutionContext,
) => unknown;

/** A canned tool result: a value, or a `MockToolResponder` whose return value is used. */
export type MockToolResult = unknown;

/** One recorded `invoke`: copies of the arguments, and the options as passed. */
export interface MockToolCall {
  name: string;
  args: Record<string, unknown>;
  options: ToolInvokeOptions;
}

/** Options of `MockToolAdapter`. */
export interface MockToolAdapterOptions {
  /** Tools registered up front. */
  tools?: ToolSpec[];
  /** Where timeouts are measured; pass a `createMockScheduler()` for virtual time. Default: real timers. */
  scheduler?: Scheduler;
}

function specIssues(tool: unknown): ValidationIssue[] {
  if (typeof tool !== 'object' || tool === null) {
    return [{ path: '(root)', message: `expected a tool spec, received ${describeValue(tool)}` }];
  }
  const spec = tool as Partial<ToolSpec>;
  const issues: ValidationIssue[] = [];
  if (typeof spec.name !== 'string' || spec.name === '') {
    issues.push({ path: 'name', message: 'expected a non-empty string' });
  }
  if (typeof spec.description !== 'string') {
    issues.push({ path: 'description', message: 'expected a string' });
  }
  if (typeof spec.parameters !== 'object' || spec.parameters === null) {
    issues.push({ path: 'parameters', message: 'expected a JSON Schema object or a zod schema' });
  }
  if (typeof spec.execute !== 'function') {
    issues.push({
      path: 'execute',
      message: `expected a function, received ${describeValue(spec.execute)}`,
    });
  }
  if (spec.timeout !== undefined && !(typeof spec.timeout === 'number' && spec.timeout > 0)) {
    issues.push({ path: 'timeout', message: 'expected a number of milliseconds > 0' });
  }
  return issues;
}

/**
 * Checks arguments against the tool's parameters: fully for a zod schema; for a JSON Schema,
 * only that the `required` properties are present (the mock carries no JSON Schema validator).
 */
function argumentIssues(tool: ToolSpec | undefined, args: unknown): ValidationIssue[] {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    return [{ path: 'args', message: `expected an object, received ${describeValue(args)}` }];
  }
  if (!tool) return [];
  const parameters = tool.parameters;
  if (isZodSchema(parameters)) {
    const parsed = parameters.safeParse(args);
    if (parsed.success) return [];
    const issues = (parsed.error as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
    return (issues ?? [{ path: [], message: 'invalid arguments' }]).map((issue) => ({
      path: ['args', ...issue.path.map(String)].join('.'),
      message: issue.message,
    }));
  }
  const record = args as Record<string, unknown>;
  return (parameters.required ?? [])
    .filter((key) => record[key] === undefined)
    .map((key) => ({ path: `args.${key}`, message: 'required' }));
}

/**
 * A `ToolPort` for unit tests that records every call. A call to a tool is answered by the
 * result set with `setResult(name, …)` when there is one (registered or not); otherwise a
 * registered tool runs its own `execute`; otherwise it rejects with `ToolError`
 * `TOOL_NOT_FOUND`, like the real adapters.
 *
 * Like the real adapters it validates what it is given: `register` rejects a malformed spec
 * (`TOOL_INVALID_SPEC`) or a name already registered (`TOOL_DUPLICATE`), `invoke` rejects
 * arguments that do not fit the tool's parameters (`TOOL_INVALID_ARGS`), honours `timeoutMs`
 * (or the tool's `timeout`) with `TOOL_TIMEOUT`, and wraps a failure that is not a
 * `PantheonError` in `TOOL_FAILED` with the original as `cause`.
 *
 * @example
 * const tools = new MockToolAdapter();
 * tools.setResult('get-weather', ({ location }) => `Sunny in ${location}`);
 * await tools.invoke('get-weather', { location: 'Paris' }); // 'Sunny in Paris'
 * tools.getCalls('get-weather')[0].args; // { location: 'Paris' }
 */
export class MockToolAdapter implements ToolPort {
  private readonly tools = new Map<string, ToolSpec>();
  private readonly results = new Map<string, MockToolResult>();
  private calls: MockToolCall[] = [];
  private readonly scheduler: Scheduler;

  constructor(options: MockToolAdapterOptions = {}) {
    this.scheduler = options.scheduler ?? realTimeScheduler;
    for (const tool of options.tools ?? []) this.register(tool);
  }

  /**
   * Registers `tool`; a second tool of the same name is `TOOL_DUPLICATE`, like the real adapters
   * (`unregister` the first to replace it).
   */
  register(tool: ToolSpec): void {
    const issues = specIssues(tool);
    if (issues.length > 0) {
      const name = typeof tool?.name === 'string' && tool.name !== '' ? tool.name : '(unnamed)';
      throw new ToolError(
        `Invalid tool spec "${name}": ${describeIssues(issues)}`,
        name,
        { issues },
        { code: 'TOOL_INVALID_SPEC' },
      );
    }
    if (this.tools.has(tool.name)) {
      throw new ToolError(`Tool "${tool.name}" is already registered`, tool.name, undefined, {
        code: 'TOOL_DUPLICATE',
      });
    }
    this.tools.set(tool.name, tool);
  }

  /** The registered tools, in registration order. */
  list(): ToolSpec[] {
    return [...this.tools.values()];
  }

  /** Removes a registered tool; `true` when it was registered. Results set for it stay. */
  unregister(name: string): boolean {
    return this.tools.delete(name);
  }

  /** Answers calls to `name` with what `responder(args, context)` returns. */
  setResult(name: string, responder: MockToolResponder): this;
  /** Answers calls to `name` with `result` (a copy of it). */
  setResult(name: string, result: MockToolResult): this;
  setResult(name: string, result: MockToolResult): this {
    if (typeof name !== 'string' || name === '') {
      throw invalidArgument('MockToolAdapter.setResult', [
        { path: 'name', message: 'expected a non-empty string' },
      ]);
    }
    this.results.set(name, typeof result === 'function' ? result : copyData(result));
    return this;
  }

  /** Forgets the result set for `name`, so its `execute` (or `TOOL_NOT_FOUND`) answers again. */
  clearResult(name: string): this {
    this.results.delete(name);
    return this;
  }

  /** Recorded calls, oldest first; only those to `name` when given. */
  getCalls(name?: string): RecordedCalls<MockToolCall> {
    return recorded(
      this.calls
        .filter((call) => name === undefined || call.name === name)
        .map((call) => ({
          name: call.name,
          args: copyData(call.args),
          options: { ...call.options },
        })),
    );
  }

  /** Forgets the calls and the results; registered tools stay. */
  reset(): void {
    this.calls = [];
    this.results.clear();
  }

  async invoke(
    name: string,
    args: Record<string, unknown>,
    options: ToolInvokeOptions = {},
  ): Promise<unknown> {
    this.calls.push({ name, args: copyData(args), options: { ...options } });
    const tool = this.tools.get(name);
    const hasResult = this.results.has(name);
    if (!tool && !hasResult) {
      throw new ToolError(
        `Tool "${name}" is not registered`,
        name,
        { available: [...this.tools.keys()] },
        { code: 'TOOL_NOT_FOUND' },
      );
    }
    const issues = argumentIssues(tool, args);
    if (issues.length > 0) {
      throw new ToolError(
        `Invalid arguments for tool "${name}": ${describeIssues(issues)}`,
        name,
        { issues },
        { code: 'TOOL_INVALID_ARGS' },
      );
    }
    const parent = options.signal ?? NEVER_ABORTED;
    if (parent.aborted) throw abortError(parent);

    const run = (signal: AbortSignal): Promise<unknown> => {
      const context: ToolExecutionContext = { signal };
      if (options.actorId !== undefined) context.actorId = options.actorId;
      if (options.idempotencyKey !== undefined) context.idempotencyKey = options.idempotencyKey;
      if (hasResult) {
        const result = this.results.get(name);
        return Promise.resolve(
          typeof result === 'function'
            ? (result as MockToolResponder)(copyData(args), context)
            : copyData(result),
        );
      }
      return Promise.resolve((tool as ToolSpec).execute(args, context));
    };

    const timeoutMs = options.timeoutMs ?? tool?.timeout;
    try {
      if (timeoutMs === undefined) return await run(parent);
      requireFinite('MockToolAdapter.invoke', 'options.timeoutMs', timeoutMs, 0);
      return await withTimeout(
        this.scheduler,
        timeoutMs,
        parent,
        () => toolTimeoutError(name, timeoutMs),
        run,
      );
    } catch (error) {
      throw toolFailure(name, error);
    }
  }
}
