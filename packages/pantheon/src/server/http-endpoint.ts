import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConfigError,
  type LogFunction,
  PantheonError,
  redactSecrets,
} from '@promethean-os/pantheon-core';
import { errorMessage } from '@promethean-os/pantheon-core/adapter-kit';
import { API_TOKEN_VARIABLE } from '../config/config-environment';
import type { PantheonRuntime } from '../runtime/pantheon-runtime';
import type { EndpointMetrics } from './metrics';

/** Where the instance is in its life: `/readyz` is 200 only while `running`. */
export type EndpointPhase = 'starting' | 'running' | 'draining';

/** Options of `serveHttpEndpoint`. */
export interface HttpEndpointOptions {
  host: string;
  port: number;
  /**
   * Required as `Authorization: Bearer <token>` on `/actors` when set; needed (16 characters or
   * more) to listen on anything but loopback. `/healthz`, `/readyz` and `/metrics` stay open.
   */
  token?: string;
  metrics: EndpointMetrics;
  log: LogFunction;
  /** How long each service may take to answer a readiness probe. Default 2,000 ms. */
  readinessTimeoutMs?: number;
}

/** The HTTP endpoint of a running instance. */
export interface HttpEndpoint {
  /** e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** The system or cluster node to serve, once it runs (`/actors` answers 503 before). */
  attach(pantheon: PantheonRuntime): void;
  setPhase(phase: EndpointPhase): void;
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const MAX_BODY_BYTES = 1_048_576;
const MAX_ASK_TIMEOUT_MS = 600_000;
const DEFAULT_ASK_TIMEOUT_MS = 30_000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** HTTP statuses of the Pantheon errors an ask or a listing can end with. */
const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  ACTOR_NOT_FOUND: 404,
  INVALID_MESSAGE: 400,
  INVALID_ARGUMENT: 400,
  MESSAGE_TOO_LARGE: 413,
  MAILBOX_FULL: 429,
  BUDGET_EXCEEDED: 429,
  ASK_TIMEOUT: 504,
  SYSTEM_SHUT_DOWN: 503,
  STORE_UNAVAILABLE: 503,
  STATE_UNAVAILABLE: 503,
  BUS_UNAVAILABLE: 503,
};

/** Why a chain ended, when a failed `ask` is the caller's to retry later rather than the actor's fault. */
const RETRYABLE_ASK_CAUSES: Readonly<Record<string, number>> = {
  MAILBOX_FULL: 429,
  BUDGET_EXCEEDED: 429,
  SYSTEM_SHUT_DOWN: 503,
  SHUTDOWN: 503,
};

/**
 * An error's HTTP status. A failed `ask` (`ASK_FAILED`) is 429 or 503 when its chain ended on a
 * full mailbox, a spent budget or a shutdown; else the actor could not answer: 502, as a
 * gateway whose upstream failed.
 */
function statusOf(error: PantheonError): number {
  if (error.code !== 'ASK_FAILED') return STATUS_OF_CODE[error.code] ?? 500;
  const details = error.details ?? {};
  const cause = details.causeCode ?? details.reason;
  return (typeof cause === 'string' ? RETRYABLE_ASK_CAUSES[cause] : undefined) ?? 502;
}

function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new HttpError(413, 'INVALID_ARGUMENT', 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'INVALID_ARGUMENT', 'The body must be JSON: { "message": "…" }');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(
      400,
      'INVALID_ARGUMENT',
      'The body must be a JSON object: { "message": "…" }',
    );
  }
  return body as Record<string, unknown>;
}

/** The options of one ask, checked. */
function askRequest(body: Record<string, unknown>) {
  const { message, timeoutMs = DEFAULT_ASK_TIMEOUT_MS, conversationId } = body;
  if (typeof message !== 'string' || message === '') {
    throw new HttpError(400, 'INVALID_ARGUMENT', '"message" must be a non-empty string');
  }
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isInteger(timeoutMs) ||
    timeoutMs <= 0 ||
    timeoutMs > MAX_ASK_TIMEOUT_MS
  ) {
    throw new HttpError(
      400,
      'INVALID_ARGUMENT',
      `"timeoutMs" must be a whole number of milliseconds from 1 to ${MAX_ASK_TIMEOUT_MS}`,
    );
  }
  if (
    conversationId !== undefined &&
    (typeof conversationId !== 'string' || conversationId === '')
  ) {
    throw new HttpError(400, 'INVALID_ARGUMENT', '"conversationId" must be a non-empty string');
  }
  return { message, timeoutMs, conversationId: conversationId as string | undefined };
}

/**
 * Serves the endpoint of `pantheon start`:
 *
 * - `GET /healthz` — 200 while the process runs (liveness);
 * - `GET /readyz` — 200 once the app runs and the database and bus answer a probe, else 503
 *   with the failing checks (readiness: starting, draining, or a service down);
 * - `GET /metrics` — Prometheus text;
 * - `GET /actors` — the actors, their state and mailbox depth (in a cluster: every actor of
 *   the cluster, with its partition and owner);
 * - `POST /actors/:id/ask` — `{ message, timeoutMs?, conversationId? }` → `{ reply }`.
 *
 * Errors are `{ error: { code, message } }` with a matching status. A POST from a browser page
 * of another origin is refused.
 *
 * @throws ConfigError when `host` is not loopback and no token of 16 characters or more is set.
 */
export async function serveHttpEndpoint(options: HttpEndpointOptions): Promise<HttpEndpoint> {
  const { token, log, metrics } = options;
  if (!LOOPBACK.has(options.host) && (token === undefined || token.length < 16)) {
    throw new ConfigError(
      `http.host is ${options.host}, which other machines can reach, so /actors needs a token: set ${API_TOKEN_VARIABLE} (16 characters or more; clients send it as Authorization: Bearer), or listen on 127.0.0.1`,
      { field: 'http.host', variable: API_TOKEN_VARIABLE },
    );
  }
  const readinessTimeoutMs = options.readinessTimeoutMs ?? 2_000;
  let phase: EndpointPhase = 'starting';
  let pantheon: PantheonRuntime | undefined;

  const json = (response: ServerResponse, status: number, data: unknown) => {
    response.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    });
    response.end(JSON.stringify(data));
  };

  function running(): PantheonRuntime {
    if (phase === 'draining') {
      throw new HttpError(503, 'SYSTEM_SHUT_DOWN', 'The instance is shutting down');
    }
    if (!pantheon || phase !== 'running') {
      throw new HttpError(503, 'SYSTEM_SHUT_DOWN', 'The instance is still starting');
    }
    return pantheon;
  }

  function authorize(request: IncomingMessage): void {
    if (token === undefined) return;
    const header = request.headers.authorization;
    const given = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (!sameToken(given, token)) {
      throw new HttpError(
        401,
        'UNAUTHORIZED',
        `A valid token is required: send Authorization: Bearer <${API_TOKEN_VARIABLE}>`,
      );
    }
  }

  async function readiness(response: ServerResponse): Promise<void> {
    if (phase !== 'running' || !pantheon) {
      json(response, 503, { status: phase, checks: [] });
      return;
    }
    const report = await pantheon.checkReadiness({ timeoutMs: readinessTimeoutMs });
    json(response, report.ready ? 200 : 503, {
      status: report.ready ? 'ready' : 'not ready',
      checks: report.checks,
    });
  }

  async function actors(response: ServerResponse): Promise<void> {
    json(response, 200, { actors: await running().describeActors() });
  }

  async function ask(id: string, request: IncomingMessage, response: ServerResponse) {
    const system = running();
    const { message, timeoutMs, conversationId } = askRequest(await readJson(request));
    const reply = await system.ask(id, message, { timeoutMs, conversationId });
    json(response, 200, {
      reply: {
        id: reply.id,
        from: reply.from,
        content: reply.content,
        conversationId: reply.conversationId,
      },
    });
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://pantheon').pathname;
    const method = request.method ?? 'GET';
    if (method === 'GET' && path === '/healthz') {
      json(response, 200, { status: 'ok' });
    } else if (method === 'GET' && path === '/readyz') {
      await readiness(response);
    } else if (method === 'GET' && path === '/metrics') {
      const text = await metrics.read();
      response.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
      response.end(text);
    } else if (path === '/actors' || path.startsWith('/actors/')) {
      authorize(request);
      const askPath = /^\/actors\/([^/]+)\/ask$/.exec(path);
      if (method === 'GET' && path === '/actors') {
        await actors(response);
      } else if (method === 'POST' && askPath) {
        // A page of another site may post to a loopback instance: browsers send its origin.
        const origin = request.headers.origin;
        if (origin !== undefined && origin !== `http://${request.headers.host}`) {
          throw new HttpError(403, undefined, 'Requests from another origin are refused');
        }
        await ask(decodeURIComponent(askPath[1] as string), request, response);
      } else {
        throw new HttpError(405, undefined, `${method} ${path} is not supported`);
      }
    } else {
      throw new HttpError(404, undefined, `No route ${method} ${path}`);
    }
  }

  function fail(response: ServerResponse, error: unknown): void {
    let status = 500;
    let code: string | undefined;
    if (error instanceof HttpError) {
      status = error.status;
      code = error.code;
    } else if (PantheonError.isInstance(error)) {
      status = statusOf(error);
      code = error.code;
    }
    if (status >= 500 && status !== 503 && status !== 504) {
      log('HTTP request failed', { level: 'error', error: redactSecrets(error) });
    }
    if (response.headersSent) {
      response.destroy();
      return;
    }
    json(response, status, { error: redactSecrets({ code, message: errorMessage(error) }) });
  }

  const server: Server = createServer((request, response) => {
    const started = performance.now();
    route(request, response)
      .catch((error: unknown) => fail(response, error))
      .finally(() => {
        log('HTTP request', {
          level: 'debug',
          method: request.method,
          path: request.url,
          status: response.statusCode,
          durationMs: Math.round(performance.now() - started),
        });
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(
      error.code === 'EADDRINUSE'
        ? `Port ${options.port} on ${options.host} is in use: stop what listens there, or choose another port (http.port or PANTHEON_PORT)`
        : `Cannot listen on ${options.host}:${options.port}: ${error.message} (http.host, http.port)`,
      { field: 'http', host: options.host, port: options.port },
      { cause: error },
    );
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    attach: (system) => {
      pantheon = system;
    },
    setPhase: (next) => {
      phase = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
