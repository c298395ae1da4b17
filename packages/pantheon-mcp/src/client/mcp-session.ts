import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  ErrorCode,
  type Implementation,
  McpError,
  type Tool,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { LogFunction } from '@promethean-os/pantheon-core';
import { forgetChild, trackChild, waitForExit } from './child-processes';
import { connectionFailedError } from './mcp-errors';
import { createClientTransport, type McpServerAddress } from './mcp-server-address';

/** How much of a server's error output is kept to explain a failure. */
const STDERR_TAIL_CHARS = 4_000;
/** How long `close` waits for a stdio server to be gone (the SDK ends stdin, then signals it). */
const EXIT_WAIT_MS = 6_000;
/** How long a liveness probe of an HTTP server may take. */
const PROBE_TIMEOUT_MS = 5_000;

/** What a session reports to its connection. */
export interface McpSessionHooks {
  server: () => string;
  log: LogFunction;
  /** The server said its tool list changed. */
  onToolsChanged: () => void;
  /** The session ended without `close()`: the process exited or the HTTP server stopped answering. */
  onLost: (session: McpSession, cause: unknown) => void;
}

function isGone(error: unknown): boolean {
  return (
    !(error instanceof McpError) ||
    error.code === ErrorCode.ConnectionClosed ||
    error.code === ErrorCode.RequestTimeout
  );
}

/**
 * One live connection to an MCP server: an SDK `Client` over a fresh transport (a child process
 * for stdio, a session for HTTP). A connection replaces its session when the server goes away.
 */
export class McpSession {
  /** The stdio child's process id while it runs. */
  readonly pid: number | undefined;
  private stderrTail = '';
  private ending = false;
  private probing = false;

  private constructor(
    readonly client: Client,
    private readonly kind: 'stdio' | 'http',
    pid: number | undefined,
    private readonly hooks: McpSessionHooks,
  ) {
    this.pid = pid;
  }

  /**
   * Starts the transport and runs the MCP handshake. Rejects with `MCP_CONNECTION_FAILED`
   * (the end of the server's error output in `details.stderr`); nothing is left running then.
   */
  static async open(
    address: McpServerAddress,
    options: { clientInfo: Implementation; timeoutMs: number; toolName?: string },
    hooks: McpSessionHooks,
  ): Promise<McpSession> {
    const { transport, kind } = createClientTransport(address);
    const client = new Client(options.clientInfo, { capabilities: {} });
    let tail = '';
    let session: McpSession | undefined;
    if (kind === 'stdio') {
      (transport as { stderr: NodeJS.ReadableStream | null }).stderr?.on('data', (chunk) => {
        const text = String(chunk);
        tail = (tail + text).slice(-STDERR_TAIL_CHARS);
        if (session) session.stderrTail = tail;
        hooks.log('MCP server stderr', { level: 'debug', server: hooks.server(), text });
      });
    }
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () =>
      hooks.onToolsChanged(),
    );
    try {
      await client.connect(transport, { timeout: options.timeoutMs });
    } catch (error) {
      const pid = kind === 'stdio' ? (transport as { pid: number | null }).pid : null;
      await client.close().catch(() => {});
      if (pid) await waitForExit(pid, EXIT_WAIT_MS);
      // Let the last of the child's stderr arrive before quoting it.
      await new Promise((resolve) => setImmediate(resolve));
      throw connectionFailedError(hooks.server(), error, {
        stderr: tail,
        ...(options.toolName !== undefined ? { toolName: options.toolName } : {}),
      });
    }
    const pid =
      kind === 'stdio' ? ((transport as { pid: number | null }).pid ?? undefined) : undefined;
    session = new McpSession(client, kind, pid, hooks);
    session.stderrTail = tail;
    if (pid !== undefined) trackChild(pid);
    client.onclose = () =>
      session.ended(new McpError(ErrorCode.ConnectionClosed, 'Connection closed'));
    client.onerror = (error) => session.transportError(error);
    return session;
  }

  /** The server's name and version from the handshake. */
  get serverInfo(): Implementation | undefined {
    return this.client.getServerVersion();
  }

  /** The end of the server's error output (stdio). */
  get stderr(): string {
    return this.stderrTail;
  }

  /** Every tool the server lists (all pages). */
  async listTools(timeoutMs: number): Promise<Tool[]> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.listTools(cursor === undefined ? {} : { cursor }, {
        timeout: timeoutMs,
      });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return tools;
  }

  /**
   * Ends the session: closes the HTTP session, or ends the child's stdin (then SIGTERM, then
   * SIGKILL, as the SDK does) and waits until the process is gone. False when it is still there.
   */
  async close(): Promise<boolean> {
    const lost = this.ending;
    this.ending = true;
    // A server that went away has no session left to end.
    if (this.kind === 'http' && !lost) await this.terminateHttpSession();
    await this.client.close().catch(() => {});
    if (this.pid === undefined) return true;
    const gone = await waitForExit(this.pid, EXIT_WAIT_MS);
    if (gone) forgetChild(this.pid);
    return gone;
  }

  /** Marks the session as going away without `close()` and tells the connection. */
  lose(cause: unknown): void {
    if (this.ending) return;
    this.ending = true;
    this.hooks.onLost(this, cause);
    // Pending requests reject now with the SDK's ConnectionClosed.
    void this.close();
  }

  private ended(cause: unknown): void {
    if (this.pid !== undefined) forgetChild(this.pid);
    this.lose(cause);
  }

  /**
   * A transport error on HTTP (a broken event stream, a failed fetch) may mean the server is
   * gone; the SDK would then let pending requests wait for their timeout. A ping tells: when it
   * fails, the session is lost and pending calls fail at once with `MCP_CONNECTION_LOST`.
   */
  private transportError(error: Error): void {
    this.hooks.log('MCP transport error', {
      level: 'debug',
      server: this.hooks.server(),
      error: error.message,
    });
    if (this.kind !== 'http' || this.ending || this.probing) return;
    this.probing = true;
    this.client
      .ping({ timeout: PROBE_TIMEOUT_MS })
      .catch((failure: unknown) => {
        if (isGone(failure)) this.lose(failure);
      })
      .finally(() => {
        this.probing = false;
      });
  }

  /** Tells an HTTP server the session is over, without letting a dead server hold `close` up. */
  private async terminateHttpSession(): Promise<void> {
    const transport = this.client.transport as
      | { terminateSession?: () => Promise<void> }
      | undefined;
    if (!transport?.terminateSession) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      transport.terminateSession().catch(() => {}),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 2_000);
      }),
    ]);
    clearTimeout(timer);
  }
}
