import type { Implementation, Tool } from '@modelcontextprotocol/sdk/types.js';
import {
  ConfigError,
  type ContextSource,
  consoleLog,
  type LogFunction,
  type Message,
  PantheonError,
  ToolError,
  type ToolPort,
} from '@promethean-os/pantheon-core';
import { abortError } from '@promethean-os/pantheon-core/adapter-kit';
import { MCP_ERROR_META_KEY } from '../pantheon-error-meta';
import { contextRequestError, promptToMessages, resourceToContextSource } from './mcp-context';
import {
  classifyRequestFailure,
  connectionClosedError,
  connectionFailedError,
  connectionLostError,
  toolCallError,
} from './mcp-errors';
import {
  checkServerAddress,
  describeServerAddress,
  type McpServerAddress,
} from './mcp-server-address';
import { McpSession } from './mcp-session';
import {
  checkToolNames,
  isSelected,
  type McpToolFilter,
  McpToolRegistration,
  type McpToolRegistrationOptions,
} from './mcp-tool-registration';
import { type McpToolResult, toMcpToolResult } from './mcp-tool-result';
import { createMcpToolSpec, type McpToolSpec } from './mcp-tool-spec';

/** Options of `connectMcp`. */
export interface McpConnectOptions {
  /** The server's name in tool details, errors and logs. Default: the name it gives in the handshake. */
  name?: string;
  /**
   * The longest a request to the server may take, in ms (default 60,000): the handshake, a
   * listing, and every tool call. It is also the `timeout` of the tools' specs, so a tool port
   * applies it; a shorter `timeoutMs` of the port or of an invoke still wins.
   */
  timeoutMs?: number;
  /** Start the server again (stdio) or open a new session (HTTP) on the next call after it went away. Default true. */
  reconnect?: boolean;
  /** Where the connection reports lost servers, failed refreshes and (at `debug`) the server's stderr. Default `consoleLog`. */
  log?: LogFunction;
  /** How Pantheon introduces itself to the server. */
  clientInfo?: Implementation;
}

/** Per-call options of `McpConnection.callTool`. */
export interface McpCallOptions {
  /** Aborting it cancels the call on the server (an MCP `notifications/cancelled`). */
  signal?: AbortSignal;
  /** Overrides the connection's `timeoutMs` for this call. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_CLIENT_INFO: Implementation = { name: 'pantheon', version: '1' };

function checkTimeout(timeoutMs: unknown): number {
  if (timeoutMs === undefined) return DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new ConfigError(
      `connectMcp: timeoutMs must be a positive number of milliseconds, not ${String(timeoutMs)}`,
      { field: 'timeoutMs' },
    );
  }
  return timeoutMs;
}

/**
 * A connection to one MCP server, made by `connectMcp`. It lists the server's tools as Pantheon
 * `ToolSpec`s, registers them into any `ToolPort` and keeps them in step with the server's
 * `tools/list_changed`; it reconnects on the next call after the server went away. It is a
 * resource: `close()` ends it (and a stdio server's process).
 */
export class McpConnection {
  private session: McpSession | undefined;
  private opening: Promise<McpSession> | undefined;
  private latestTools: Tool[] = [];
  private readonly registrations = new Set<McpToolRegistration>();
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private closed = false;
  private serverName: string;
  private readonly log: LogFunction;
  private readonly timeoutMs: number;

  private constructor(
    private readonly address: McpServerAddress,
    private readonly options: McpConnectOptions,
  ) {
    this.serverName = options.name ?? describeServerAddress(address);
    this.log = options.log ?? consoleLog;
    this.timeoutMs = checkTimeout(options.timeoutMs);
  }

  /** @internal Use `connectMcp`. */
  static async open(address: McpServerAddress, options: McpConnectOptions): Promise<McpConnection> {
    const connection = new McpConnection(checkServerAddress(address), options);
    const session = await connection.openSession(undefined);
    if (options.name === undefined && session.serverInfo?.name) {
      connection.serverName = session.serverInfo.name;
    }
    return connection;
  }

  /** The server's name: `options.name`, else the name from its handshake. */
  get name(): string {
    return this.serverName;
  }

  /** The server's name and version from the last handshake. */
  get serverInfo(): Implementation | undefined {
    return this.session?.serverInfo;
  }

  /** The process id of a stdio server while it runs (`undefined` over HTTP, after `close()`, or while disconnected). */
  get pid(): number | undefined {
    return this.session?.pid;
  }

  /** True until `close()`. A server that went away leaves the connection open: the next call reconnects. */
  get isOpen(): boolean {
    return !this.closed;
  }

  /**
   * The server's tools as `ToolSpec`s, freshly listed, filtered and prefixed. Tools that can
   * only run as MCP tasks are left out. An `include`/`exclude` name the server does not offer is a
   * `TOOL_NOT_FOUND`.
   */
  async listTools(filter: McpToolFilter = {}): Promise<McpToolSpec[]> {
    await this.refreshTools();
    checkToolNames(filter, this.latestTools, this.serverName);
    return this.latestTools
      .filter((tool) => isSelected(filter, tool))
      .map((tool) => this.toolSpec(tool, `${filter.prefix ?? ''}${tool.name}`));
  }

  /**
   * Registers the server's tools into `port` — all of them or none (a `TOOL_DUPLICATE` or
   * `TOOL_INVALID_SPEC` of one removes the others again) — and keeps them in step with the
   * server's list until `registration.unregister()` or `close()`.
   *
   * @example
   * const files = await connectMcp({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', dir] });
   * await files.registerTools(tools, { prefix: 'fs_', include: ['list_directory', 'read_text_file'] });
   * // llmBehavior({ name: 'answer', tools: ['fs_list_directory', 'fs_read_text_file'] })
   */
  async registerTools(
    port: ToolPort,
    options: McpToolRegistrationOptions = {},
  ): Promise<McpToolRegistration> {
    await this.refreshTools();
    const registration = new McpToolRegistration(
      port,
      options,
      (tool, name) => this.toolSpec(tool, name),
      this.log,
      this.serverName,
      (done) => this.registrations.delete(done),
    );
    registration.registerAll(this.latestTools);
    this.registrations.add(registration);
    return registration;
  }

  /**
   * Calls a tool by its name on the server. Resolves with its result; rejects with a `ToolError`:
   * `TOOL_FAILED` (the server answered with an error, or the tool reported one with `isError`),
   * `TOOL_TIMEOUT` (after `timeoutMs`; the server is sent a cancellation), `MCP_CONNECTION_LOST`,
   * `MCP_CONNECTION_FAILED` (reconnecting failed) or `MCP_CONNECTION_CLOSED`; an aborted `signal`
   * rejects with its reason when that is a Pantheon error (e.g. a tool port's `TOOL_TIMEOUT`),
   * else with `ABORTED`.
   */
  callTool(
    name: string,
    args: Record<string, unknown> = {},
    options: McpCallOptions = {},
  ): Promise<McpToolResult> {
    return this.runTool(name, name, args, options);
  }

  /**
   * A text resource of the server as a context source (`{ type: 'text', content, metadata }`),
   * e.g. for a script's `contextSources`. Rejects with a `ContextError`: `CONTEXT_SOURCE_FAILED`
   * (the server refused), `CONTEXT_SOURCE_UNSUPPORTED` (a binary resource),
   * `CONTEXT_SOURCE_TIMEOUT`, or one of the `MCP_CONNECTION_*` codes.
   */
  async resourceSource(uri: string, options: McpCallOptions = {}): Promise<ContextSource> {
    const result = await this.request(uri, options, (session, timeout) =>
      session.client.readResource({ uri }, { signal: options.signal, timeout }),
    );
    return resourceToContextSource(this.serverName, uri, result);
  }

  /**
   * A prompt of the server as messages (e.g. for a system prompt), its arguments filled in.
   * Rejects like `resourceSource`.
   */
  async promptMessages(
    name: string,
    args: Record<string, string> = {},
    options: McpCallOptions = {},
  ): Promise<Message[]> {
    const result = await this.request(`prompt ${name}`, options, (session, timeout) =>
      session.client.getPrompt({ name, arguments: args }, { signal: options.signal, timeout }),
    );
    return promptToMessages(this.serverName, name, result);
  }

  /**
   * Lists the server's tools again and brings every registration in step (as a
   * `tools/list_changed` does). Rejects like a call when the server cannot be reached.
   */
  async refreshTools(): Promise<void> {
    const session = await this.ensureSession('(tools/list)');
    try {
      this.applyTools(await session.listTools(this.timeoutMs));
    } catch (error) {
      const failure = classifyRequestFailure(error);
      if (failure.kind === 'connection') this.dropSession(session, error);
      throw toolCallError(this.serverName, '(tools/list)', failure, {
        timeoutMs: this.timeoutMs,
        closed: this.closed,
      });
    }
  }

  /**
   * Ends the connection: unregisters the tools it registered, closes the HTTP session or ends
   * the stdio server's process (stdin closed, then SIGTERM, then SIGKILL) and waits until it is
   * gone. Calls in flight reject with `MCP_CONNECTION_CLOSED`. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const registration of [...this.registrations]) registration.unregister();
    const session = this.session ?? (await this.opening?.catch(() => undefined));
    this.session = undefined;
    if (session && !(await session.close())) {
      this.log('An MCP server process did not exit after SIGKILL', {
        level: 'error',
        server: this.serverName,
        pid: session.pid,
      });
    }
  }

  private toolSpec(tool: Tool, name: string): McpToolSpec {
    return createMcpToolSpec(tool, {
      server: this.serverName,
      name,
      timeoutMs: this.timeoutMs,
      call: async (args, context) => {
        if (!this.latestTools.some((offered) => offered.name === tool.name)) {
          throw new ToolError(
            `Tool "${name}" is no longer offered by MCP server "${this.serverName}"`,
            name,
            { server: this.serverName, available: this.latestTools.map((offered) => offered.name) },
            { code: 'TOOL_NOT_FOUND' },
          );
        }
        const options: McpCallOptions = {};
        if (context?.signal) options.signal = context.signal;
        return (await this.runTool(tool.name, name, args, options)).text;
      },
    });
  }

  private async runTool(
    serverName: string,
    toolName: string,
    args: Record<string, unknown>,
    options: McpCallOptions,
  ): Promise<McpToolResult> {
    const { signal } = options;
    if (signal?.aborted) throw abortError(signal);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const session = await this.ensureSession(toolName);
    let result: Awaited<ReturnType<typeof session.client.callTool>>;
    try {
      result = await session.client.callTool({ name: serverName, arguments: args }, undefined, {
        signal,
        timeout: timeoutMs,
      });
    } catch (error) {
      const failure = classifyRequestFailure(error, signal);
      if (failure.kind === 'connection') this.dropSession(session, error);
      throw toolCallError(this.serverName, toolName, failure, {
        signal,
        timeoutMs,
        closed: this.closed,
      });
    }
    const mapped = toMcpToolResult(result as Parameters<typeof toMcpToolResult>[0]);
    if (result.isError === true) {
      const details: Record<string, unknown> = {
        server: this.serverName,
        mcpTool: serverName,
        content: mapped.text,
      };
      // A Pantheon server (serveMcp) says which of its errors this is.
      const remote = result._meta?.[MCP_ERROR_META_KEY];
      if (typeof remote === 'object' && remote !== null) details.remote = remote;
      throw new ToolError(
        `Tool "${toolName}" of MCP server "${this.serverName}" reported an error: ${mapped.text}`,
        toolName,
        details,
        { code: 'TOOL_FAILED' },
      );
    }
    return mapped;
  }

  private async request<T>(
    what: string,
    options: McpCallOptions,
    send: (session: McpSession, timeoutMs: number) => Promise<T>,
  ): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) throw abortError(signal);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    let session: McpSession;
    try {
      session = await this.ensureSession(what);
    } catch (error) {
      throw contextRequestError(this.serverName, what, error);
    }
    try {
      return await send(session, timeoutMs);
    } catch (error) {
      const failure = classifyRequestFailure(error, signal);
      if (failure.kind === 'connection') this.dropSession(session, error);
      throw contextRequestError(
        this.serverName,
        what,
        toolCallError(this.serverName, what, failure, { signal, timeoutMs, closed: this.closed }),
      );
    }
  }

  /** The live session; after the server went away, a new one (the server's tools listed again). */
  private async ensureSession(toolName: string): Promise<McpSession> {
    if (this.closed) throw connectionClosedError(this.serverName, toolName);
    if (this.session) return this.session;
    if (this.options.reconnect === false) {
      throw connectionLostError(
        this.serverName,
        toolName,
        new Error('the server went away earlier and reconnect is off'),
      );
    }
    return this.openSession(toolName);
  }

  private openSession(toolName: string | undefined): Promise<McpSession> {
    this.opening ??= (async () => {
      const session = await McpSession.open(
        this.address,
        {
          clientInfo: this.options.clientInfo ?? DEFAULT_CLIENT_INFO,
          timeoutMs: this.timeoutMs,
          ...(toolName !== undefined ? { toolName } : {}),
        },
        {
          server: () => this.serverName,
          log: this.log,
          onToolsChanged: () => this.scheduleRefresh(),
          onLost: (lost, cause) => this.dropSession(lost, cause),
        },
      );
      try {
        const tools = await session.listTools(this.timeoutMs);
        if (this.closed) throw connectionClosedError(this.serverName, toolName ?? '(connect)');
        this.session = session;
        this.applyTools(tools);
        return session;
      } catch (error) {
        await session.close();
        if (PantheonError.isInstance(error)) throw error;
        throw connectionFailedError(this.serverName, error, {
          stderr: session.stderr,
          ...(toolName !== undefined ? { toolName } : {}),
        });
      }
    })().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private dropSession(session: McpSession, cause: unknown): void {
    if (this.session !== session) return;
    this.session = undefined;
    if (!this.closed) {
      this.log('MCP server went away; the next call reconnects', {
        level: 'warn',
        server: this.serverName,
        pid: session.pid,
        error: cause instanceof Error ? cause.message : String(cause),
        stderr: session.stderr.slice(-500) || undefined,
      });
    }
    session.lose(cause);
  }

  /** Tools that only run as MCP tasks cannot be called through `tools/call`, so they are left out. */
  private applyTools(tools: Tool[]): void {
    this.latestTools = tools.filter((tool) => tool.execution?.taskSupport !== 'required');
    for (const registration of this.registrations) registration.sync(this.latestTools);
  }

  /** Coalesces a burst of `tools/list_changed` into one listing at a time. */
  private scheduleRefresh(): void {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        if (this.closed || !this.session) return;
        await this.refreshTools();
      } while (this.refreshAgain);
    })()
      .catch((error: unknown) => {
        this.log('Refreshing the tools of an MCP server failed', {
          level: 'error',
          server: this.serverName,
          code: (error as { code?: unknown }).code,
          error: error instanceof Error ? error.message : String(error),
        });
      })
      .finally(() => {
        this.refreshing = undefined;
      });
  }
}

/**
 * Connects to an MCP server — a command to run (stdio) or a URL (Streamable HTTP) — and lists
 * its tools. Rejects with `MCP_CONNECTION_FAILED` (nothing is left running) or, for a malformed
 * address, `CONFIG_ERROR`.
 *
 * @example
 * const everything = await connectMcp({ url: 'http://127.0.0.1:3001/mcp', headers: { Authorization: `Bearer ${token}` } });
 * const files = await connectMcp(
 *   { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/srv/docs'] },
 *   { name: 'files' },
 * );
 * await files.registerTools(tools, { prefix: 'fs_' });
 * // …
 * await files.close();
 */
export function connectMcp(
  server: McpServerAddress,
  options: McpConnectOptions = {},
): Promise<McpConnection> {
  return McpConnection.open(server, options);
}
