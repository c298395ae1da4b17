import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ConfigError } from '@promethean-os/pantheon-core';

/**
 * An MCP server started as a child process that speaks MCP on its stdin and stdout. The command
 * runs with your user's rights: only start servers you trust.
 */
export interface McpStdioServer {
  /** The program to run, e.g. `'npx'`, or `process.execPath` for a server script. */
  command: string;
  args?: readonly string[];
  /**
   * Variables the server gets on top of a safe default set (`PATH`, `HOME`, `USER`, `SHELL`,
   * `TERM`, `LOGNAME`); the rest of `process.env` (API keys included) is not passed on.
   */
  env?: Readonly<Record<string, string>>;
  /** Working directory of the server; the current one by default. */
  cwd?: string;
}

/** An MCP server reached over Streamable HTTP. */
export interface McpHttpServer {
  /** The server's MCP endpoint, e.g. `http://127.0.0.1:3001/mcp`. */
  url: string | URL;
  /** Headers sent with every request, e.g. `{ Authorization: 'Bearer …' }`. */
  headers?: Readonly<Record<string, string>>;
  /** The `fetch` to send requests with (a proxy, custom TLS, instrumentation); the global one by default. */
  fetch?: typeof fetch;
}

/** Where an MCP server is: a command to run (stdio) or a URL (Streamable HTTP). */
export type McpServerAddress = McpStdioServer | McpHttpServer;

/** A transport of the SDK with what a connection needs to know about it. */
export interface McpClientTransport {
  transport: StdioClientTransport | StreamableHTTPClientTransport;
  kind: 'stdio' | 'http';
}

function isStdio(address: McpServerAddress): address is McpStdioServer {
  return typeof (address as Partial<McpStdioServer>).command === 'string';
}

/** Checks an address once, where it is given: a typo here is a `CONFIG_ERROR`, not a failed call. */
export function checkServerAddress(address: McpServerAddress): McpServerAddress {
  const candidate = address as Partial<McpStdioServer & McpHttpServer> | undefined;
  if (typeof candidate !== 'object' || candidate === null) {
    throw new ConfigError('connectMcp needs a server: { command, args? } or { url, headers? }', {
      received: typeof candidate,
    });
  }
  const hasCommand = candidate.command !== undefined;
  const hasUrl = candidate.url !== undefined;
  if (hasCommand === hasUrl) {
    throw new ConfigError(
      'connectMcp needs exactly one of `command` (stdio) and `url` (Streamable HTTP)',
      { fields: Object.keys(candidate) },
    );
  }
  if (hasCommand) {
    if (typeof candidate.command !== 'string' || candidate.command.trim() === '') {
      throw new ConfigError('connectMcp: `command` must be a non-empty string', {
        field: 'command',
      });
    }
    if (
      candidate.args !== undefined &&
      (!Array.isArray(candidate.args) || candidate.args.some((arg) => typeof arg !== 'string'))
    ) {
      throw new ConfigError('connectMcp: `args` must be an array of strings', { field: 'args' });
    }
    return address;
  }
  let url: URL;
  try {
    url = new URL(String(candidate.url));
  } catch (error) {
    throw new ConfigError(
      `connectMcp: \`url\` is not a URL: ${String(candidate.url)}`,
      {
        field: 'url',
      },
      { cause: error },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`connectMcp: \`url\` must be http or https, not ${url.protocol}`, {
      field: 'url',
    });
  }
  return address;
}

/** A short description of the address for messages: the command line, or the URL without credentials. */
export function describeServerAddress(address: McpServerAddress): string {
  if (isStdio(address)) return [address.command, ...(address.args ?? [])].join(' ');
  const url = new URL(String(address.url));
  url.username = '';
  url.password = '';
  url.search = '';
  return url.href;
}

/** A fresh SDK transport for the address (a new child process or HTTP session once started). */
export function createClientTransport(address: McpServerAddress): McpClientTransport {
  if (isStdio(address)) {
    const transport = new StdioClientTransport({
      command: address.command,
      args: [...(address.args ?? [])],
      ...(address.env ? { env: { ...address.env } } : {}),
      ...(address.cwd !== undefined ? { cwd: address.cwd } : {}),
      // Piped, so a server that fails to start can be explained with its own words.
      stderr: 'pipe',
    });
    return { transport, kind: 'stdio' };
  }
  const transport = new StreamableHTTPClientTransport(new URL(String(address.url)), {
    requestInit: { headers: { ...address.headers } },
    ...(address.fetch ? { fetch: address.fetch } : {}),
  });
  return { transport, kind: 'http' };
}
