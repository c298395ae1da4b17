import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { ConfigError, type LogFunction } from '@promethean-os/pantheon-core';

/** Streamable HTTP settings of `serveMcp`. */
export interface McpHttpServeOptions {
  type: 'http';
  /**
   * The interface to listen on. Default `127.0.0.1` (this machine only). Any other host (e.g.
   * `0.0.0.0`) exposes the actors to the network and needs `token`.
   */
  host?: string;
  /** Default 0: any free port (read it from `service.url`). */
  port?: number;
  /** The endpoint's path. Default `/mcp`. */
  path?: string;
  /** When set, every request needs `Authorization: Bearer <token>` (401 otherwise). */
  token?: string;
  /**
   * Host names (without port) accepted in the `Host` header, against DNS rebinding. Without a
   * `token` the check is always on (the listening host, and on loopback `localhost`,
   * `127.0.0.1` and `[::1]`, are accepted); with a token it is on when this is set.
   */
  allowedHosts?: readonly string[];
  /** Browser origins allowed to call (the `Origin` header); requests from any other origin get 403. */
  allowedOrigins?: readonly string[];
  /** Largest request body, in bytes. Default 4 MiB. */
  maxBodyBytes?: number;
}

/** A listening Streamable HTTP endpoint. */
export interface HttpHost {
  url: string;
  close(): Promise<void>;
  /** Every live session's server (to notify them). */
  servers(): Server[];
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function hostnameOf(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return undefined;
  }
}

function sendError(response: ServerResponse, status: number, message: string, headers = {}): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  response.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

/** Checks the HTTP options where they are given: a server open to the network needs a token. */
export function checkHttpOptions(
  options: McpHttpServeOptions,
): Required<Pick<McpHttpServeOptions, 'host' | 'port' | 'path'>> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const path = options.path ?? '/mcp';
  if (typeof host !== 'string' || host === '') {
    throw new ConfigError('serveMcp: transport.host must be a host name or address', {
      field: 'transport.host',
    });
  }
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError(`serveMcp: transport.port must be a port number, not ${String(port)}`, {
      field: 'transport.port',
    });
  }
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new ConfigError('serveMcp: transport.path must start with "/"', {
      field: 'transport.path',
    });
  }
  if (
    options.token !== undefined &&
    (typeof options.token !== 'string' || options.token.length < 16)
  ) {
    throw new ConfigError('serveMcp: transport.token must be a string of at least 16 characters', {
      field: 'transport.token',
    });
  }
  if (!isLoopback(host) && options.token === undefined) {
    throw new ConfigError(
      `serveMcp: listening on ${host} exposes the actors beyond this machine; set transport.token (clients then send "Authorization: Bearer <token>")`,
      { field: 'transport.token', host },
    );
  }
  return { host, port, path };
}

async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw Object.assign(new Error('the body is not JSON'), { status: 400 });
  }
}

/**
 * Serves MCP over Streamable HTTP on `host:port` with one SDK transport and one server per
 * client session (`newServer`), bearer-token auth and Host/Origin checks.
 */
export async function startHttpHost(
  options: McpHttpServeOptions,
  newServer: () => Server,
  log: LogFunction,
): Promise<HttpHost> {
  const { host, port, path } = checkHttpOptions(options);
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const expectedToken = options.token === undefined ? undefined : digest(`Bearer ${options.token}`);
  const allowedHosts = new Set<string>([
    host.includes(':') && !host.startsWith('[') ? `[${host}]` : host,
    ...(isLoopback(host) ? LOOPBACK_NAMES : []),
    ...(options.allowedHosts ?? []),
  ]);
  // A page that rebinds a name to 127.0.0.1 cannot know a token: the Host check guards servers without one.
  const checkHost = expectedToken === undefined || options.allowedHosts !== undefined;
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: Server }>();

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== path)
      return sendError(response, 404, `Not found; the MCP endpoint is ${path}`);
    const hostname = hostnameOf(request.headers.host);
    if (checkHost && (!hostname || !allowedHosts.has(hostname))) {
      return sendError(response, 403, 'Forbidden: this Host is not allowed');
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin)) {
      return sendError(response, 403, 'Forbidden: this Origin is not allowed');
    }
    if (expectedToken) {
      const given = request.headers.authorization;
      if (given === undefined || !timingSafeEqual(digest(given), expectedToken)) {
        return sendError(response, 401, 'Unauthorized: send "Authorization: Bearer <token>"', {
          'WWW-Authenticate': 'Bearer realm="pantheon"',
        });
      }
    }
    const sessionId = request.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      if (!session) return sendError(response, 404, 'Session not found; initialize a new one');
      return session.transport.handleRequest(request, response);
    }
    if (request.method !== 'POST') {
      return sendError(response, 400, 'Bad Request: no session; POST an initialize request first');
    }
    let body: unknown;
    try {
      body = await readJsonBody(request, maxBodyBytes);
    } catch (error) {
      return sendError(
        response,
        (error as { status?: number }).status ?? 400,
        `Bad Request: ${(error as Error).message}`,
      );
    }
    const initializing = Array.isArray(body)
      ? body.some(isInitializeRequest)
      : isInitializeRequest(body);
    if (!initializing) {
      return sendError(response, 400, 'Bad Request: no session; POST an initialize request first');
    }
    const server = newServer();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(request, response, body);
  }

  const http = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log('The MCP endpoint failed to handle a request', {
        level: 'error',
        error: error instanceof Error ? error.message : String(error),
      });
      sendError(response, 500, 'Internal server error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new ConfigError(
          `serveMcp: cannot listen on ${host}:${port}: ${error.message}`,
          { field: 'transport.port', host, port, errno: error.code },
          { cause: error },
        ),
      ),
    );
    http.listen(port, host, () => resolve());
  });
  const address = http.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const urlHost = isIP(host) === 6 ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${boundPort}${path}`,
    servers: () => [...sessions.values()].map((session) => session.server),
    async close() {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.all(open.map((session) => session.server.close().catch(() => {})));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
