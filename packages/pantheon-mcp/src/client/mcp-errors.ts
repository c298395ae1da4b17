import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { PantheonError, ToolError } from '@promethean-os/pantheon-core';
import { abortError } from '@promethean-os/pantheon-core/adapter-kit';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The HTTP status behind an SDK transport error, when there is one. */
export function httpStatusOf(error: unknown): number | undefined {
  return error instanceof StreamableHTTPError && typeof error.code === 'number' && error.code > 0
    ? error.code
    : undefined;
}

/** `MCP_CONNECTION_FAILED`: connecting (or reconnecting before a call) did not work. */
export function connectionFailedError(
  server: string,
  cause: unknown,
  details: { stderr?: string; toolName?: string },
): PantheonError {
  const status = httpStatusOf(cause);
  const hint = status === 401 || status === 403 ? ' (check the Authorization header)' : '';
  const stderr = details.stderr?.trim();
  const message =
    `Could not connect to MCP server "${server}": ${messageOf(cause)}${hint}` +
    (stderr ? `\nThe server wrote: ${stderr}` : '');
  const errorDetails: Record<string, unknown> = { server };
  if (status !== undefined) errorDetails.status = status;
  if (stderr) errorDetails.stderr = stderr;
  const options = { code: 'MCP_CONNECTION_FAILED' as const, cause };
  return details.toolName === undefined
    ? new PantheonError(message, 'MCP_CONNECTION_FAILED', errorDetails, { cause })
    : new ToolError(message, details.toolName, errorDetails, options);
}

/** `MCP_CONNECTION_CLOSED`: the connection was closed by its owner. */
export function connectionClosedError(server: string, toolName: string): ToolError {
  return new ToolError(
    `The connection to MCP server "${server}" is closed`,
    toolName,
    { server },
    { code: 'MCP_CONNECTION_CLOSED' },
  );
}

/** `MCP_CONNECTION_LOST`: the server went away while the call was in flight. */
export function connectionLostError(server: string, toolName: string, cause: unknown): ToolError {
  return new ToolError(
    `MCP server "${server}" went away during the call of "${toolName}": ${messageOf(cause)}`,
    toolName,
    { server },
    { code: 'MCP_CONNECTION_LOST', cause },
  );
}

/** What went wrong with a request, as far as the connection is concerned. */
export type RequestFailure =
  | { kind: 'aborted' }
  | { kind: 'timeout' }
  | { kind: 'connection'; cause: unknown }
  | { kind: 'server'; cause: McpError };

/**
 * Sorts an SDK failure: the caller's abort, the SDK's own request timeout, a connection that is
 * gone (the SDK's `ConnectionClosed`, or a transport error such as a refused or failed fetch, or
 * an HTTP status), or an error the server answered with.
 */
export function classifyRequestFailure(error: unknown, signal?: AbortSignal): RequestFailure {
  if (signal?.aborted) return { kind: 'aborted' };
  if (error instanceof McpError) {
    if (error.code === ErrorCode.RequestTimeout) return { kind: 'timeout' };
    if (error.code === ErrorCode.ConnectionClosed) return { kind: 'connection', cause: error };
    return { kind: 'server', cause: error };
  }
  return { kind: 'connection', cause: error };
}

/** The Pantheon error of a failed `tools/call`. */
export function toolCallError(
  server: string,
  toolName: string,
  failure: RequestFailure,
  context: { signal?: AbortSignal; timeoutMs: number; closed: boolean },
): PantheonError {
  switch (failure.kind) {
    case 'aborted':
      return abortError(context.signal as AbortSignal);
    case 'timeout':
      return new ToolError(
        `Tool "${toolName}" of MCP server "${server}" timed out after ${context.timeoutMs} ms; the server was sent a cancellation`,
        toolName,
        { server, timeoutMs: context.timeoutMs },
        { code: 'TOOL_TIMEOUT' },
      );
    case 'connection':
      return context.closed
        ? connectionClosedError(server, toolName)
        : connectionLostError(server, toolName, failure.cause);
    case 'server':
      return new ToolError(
        `Tool "${toolName}" of MCP server "${server}" failed: ${failure.cause.message}`,
        toolName,
        { server, mcpCode: failure.cause.code },
        { code: 'TOOL_FAILED', cause: failure.cause },
      );
  }
}
