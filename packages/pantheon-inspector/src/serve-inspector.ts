import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Actor,
  ConfigError,
  PantheonError,
  type PantheonSystem,
  type RedactOptions,
  redactSecrets,
} from '@promethean-os/pantheon-core';
import type { InspectorRecorder, TickRecord } from './inspector-recorder';
import { INSPECTOR_PAGE } from './page';

/** What the inspector reads from and does with a system. */
export type InspectableSystem = Pick<
  PantheonSystem,
  | 'on'
  | 'listActors'
  | 'getRuntimeStats'
  | 'getDeadLetters'
  | 'getActorMessages'
  | 'sendMessage'
  | 'ask'
>;

/** Options of `serveInspector`. */
export interface InspectorOptions {
  /** TCP port; `0` picks a free one (see `Inspector.url`). Default 4319. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1`; any other host needs a `token`. */
  host?: string;
  /**
   * Required on every request when set: `Authorization: Bearer <token>` or `?token=<token>` (the
   * page passes on the token of its own address). Needed to bind anything but loopback.
   */
  token?: string;
  /** The recorder whose hooks the system runs with: adds tick timelines and span trees. */
  recorder?: InspectorRecorder;
  /** What is redacted from everything the inspector shows, besides core's defaults. */
  redact?: RedactOptions;
  /** Longest `ask` from the page, in milliseconds. Default 60,000. */
  askTimeoutMs?: number;
}

/** A running inspector. */
export interface Inspector {
  /** The page's address, with `?token=` when a token is set. */
  readonly url: string;
  readonly port: number;
  /** Stops serving and ends the live connections. */
  close(): Promise<void>;
}

/** An actor as the inspector lists it. */
export interface InspectedActor {
  id: string;
  name: string;
  script: string;
  state: string;
  started: boolean;
  mailboxDepth: number;
  /** Milliseconds since the epoch of the oldest waiting message. */
  oldestMessageAt?: number;
  /** The actor's last tick: from the recorder, else from the actor's `metadata.lastTick`. */
  lastTick?: { at: number; durationMs?: number; state?: string; errors: number };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const MAX_BODY_BYTES = 1_048_576;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
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
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error();
    return body as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'The body must be a JSON object');
  }
}

function lastTickOf(actor: Actor, recorded: TickRecord | undefined): InspectedActor['lastTick'] {
  if (recorded) {
    return {
      at: recorded.at,
      durationMs: recorded.durationMs,
      state: recorded.state,
      errors: recorded.errors.length,
    };
  }
  const stored = actor.metadata?.lastTick as
    | { at?: number; durationMs?: number; errors?: unknown[] }
    | undefined;
  if (typeof stored?.at !== 'number') return undefined;
  return { at: stored.at, durationMs: stored.durationMs, errors: stored.errors?.length ?? 0 };
}

/**
 * Serves a local web page that shows a running system: its actors with their state, mailbox
 * depth and last tick; an actor's timeline (messages in and out, tool calls and results, errors)
 * with the span tree of each tick (with a `recorder`); the dead letters with their reason; and a
 * box to send a message to an actor or `ask` it and see the reply. The page updates live over
 * Server-Sent Events. It binds to 127.0.0.1 unless `host` says otherwise, which needs a `token`;
 * everything shown passes through core's `redactSecrets`.
 *
 * JSON endpoints (all behind the token when one is set): `GET /api/actors`,
 * `GET /api/actors/:id/timeline`, `GET /api/dead-letters`, `POST /api/actors/:id/messages`
 * (`{ content, ask? }`), and `GET /api/events` (the event stream).
 *
 * @example
 * const recorder = createInspectorRecorder();
 * const pantheon = new PantheonSystem({ ...ports, hooks: recorder.hooks });
 * const inspector = await serveInspector(pantheon, { port: 4319, recorder });
 * console.log(`Inspector: ${inspector.url}`);
 */
export async function serveInspector(
  system: InspectableSystem,
  options: InspectorOptions = {},
): Promise<Inspector> {
  const host = options.host ?? '127.0.0.1';
  const { token, recorder } = options;
  if (!LOOPBACK.has(host) && (token === undefined || token.length < 16)) {
    throw new ConfigError(
      `serveInspector binds ${host}, which other machines can reach: it needs a token of at least 16 characters`,
      { host, field: 'token' },
      { code: 'INVALID_ARGUMENT' },
    );
  }
  if (token !== undefined && token.length === 0) {
    throw new ConfigError(
      'serveInspector: token must not be empty',
      { field: 'token' },
      {
        code: 'INVALID_ARGUMENT',
      },
    );
  }
  const askTimeoutMs = options.askTimeoutMs ?? 60_000;
  const redact = <T>(value: T): T => redactSecrets(value, options.redact);
  const streams = new Set<ServerResponse>();

  async function actors(): Promise<InspectedActor[]> {
    const stats = new Map(system.getRuntimeStats().mailboxes.map((m) => [m.actorId, m]));
    return (await system.listActors()).map((actor) => {
      const mailbox = stats.get(actor.id);
      const inspected: InspectedActor = {
        id: actor.id,
        name: actor.name ?? actor.script.name,
        script: actor.script.name,
        state: actor.state ?? 'unknown',
        started: mailbox?.started ?? false,
        mailboxDepth: mailbox?.depth ?? 0,
      };
      if (mailbox?.oldestTimestamp !== undefined)
        inspected.oldestMessageAt = mailbox.oldestTimestamp;
      const lastTick = lastTickOf(actor, recorder?.lastTick(actor.id));
      if (lastTick) inspected.lastTick = lastTick;
      return inspected;
    });
  }

  async function timeline(id: string) {
    const sent = await system.getActorMessages(id).catch((error: unknown) => {
      if (PantheonError.isInstance(error) && error.code === 'ACTOR_NOT_FOUND') {
        throw new HttpError(404, `No actor "${id}"`);
      }
      throw error;
    });
    return {
      actorId: id,
      recorded: recorder !== undefined,
      ticks: recorder?.ticks(id) ?? [],
      sent,
    };
  }

  function deadLetters() {
    return system.getDeadLetters().map(({ message, reason }) => ({ reason, message }));
  }

  function broadcast(event: string, data: unknown): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(redact(data))}\n\n`;
    for (const stream of streams) stream.write(frame);
  }

  // Actor snapshots follow anything that happens (at most every 50 ms), and a poll every second
  // catches what raises no event (a message sent straight to a mailbox); unchanged ones are not sent.
  let snapshotDue: NodeJS.Timeout | undefined;
  let lastSnapshot = '';
  function snapshotSoon(): void {
    if (snapshotDue || streams.size === 0) return;
    snapshotDue = setTimeout(() => {
      snapshotDue = undefined;
      actors().then(
        (list) => {
          const frame = JSON.stringify(redact(list));
          if (frame === lastSnapshot) return;
          lastSnapshot = frame;
          for (const stream of streams) stream.write(`event: actors\ndata: ${frame}\n\n`);
        },
        () => {},
      );
    }, 50);
  }
  const poll = setInterval(snapshotSoon, 1000);
  poll.unref();

  const unsubscribe = [
    recorder?.subscribe((tick) => {
      broadcast('tick', tick);
      snapshotSoon();
    }),
    system.on('reply', ({ actorId, message }) => {
      broadcast('reply', { actorId, message });
      snapshotSoon();
    }),
    system.on('deadletter', (letter) => {
      broadcast('deadletter', letter);
      snapshotSoon();
    }),
    system.on('actor.started', snapshotSoon),
    system.on('actor.stopped', snapshotSoon),
    system.on('actor.failed', snapshotSoon),
    system.on('actor.restarted', snapshotSoon),
  ];

  async function post(id: string, request: IncomingMessage) {
    const body = await readJson(request);
    if (typeof body.content !== 'string' || body.content === '') {
      throw new HttpError(400, '"content" must be a non-empty string');
    }
    try {
      if (body.ask === true) {
        const reply = await system.ask(id, body.content, { timeoutMs: askTimeoutMs });
        return { reply };
      }
      const messageId = await system.sendMessage(id, body.content);
      snapshotSoon();
      return { messageId };
    } catch (error) {
      if (!PantheonError.isInstance(error)) throw error;
      const status = error.code === 'ACTOR_NOT_FOUND' ? 404 : 422;
      throw Object.assign(new HttpError(status, error.message), { code: error.code });
    }
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://inspector');
    if (token !== undefined) {
      const header = request.headers.authorization;
      const given = header?.startsWith('Bearer ') ? header.slice(7) : url.searchParams.get('token');
      if (!sameToken(given ?? undefined, token))
        throw new HttpError(401, 'A valid token is required');
    }
    const json = (data: unknown, status = 200) => {
      response.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
      });
      response.end(JSON.stringify(redact(data)));
    };
    const path = url.pathname;
    const actorPath = /^\/api\/actors\/([^/]+)\/(timeline|messages)$/.exec(path);
    if (request.method === 'GET' && path === '/') {
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy':
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:",
        'x-content-type-options': 'nosniff',
      });
      response.end(INSPECTOR_PAGE);
    } else if (request.method === 'GET' && path === '/api/actors') {
      json(await actors());
    } else if (request.method === 'GET' && path === '/api/dead-letters') {
      json(deadLetters());
    } else if (request.method === 'GET' && actorPath?.[2] === 'timeline') {
      json(await timeline(decodeURIComponent(actorPath[1] as string)));
    } else if (request.method === 'POST' && actorPath?.[2] === 'messages') {
      json(await post(decodeURIComponent(actorPath[1] as string), request));
    } else if (request.method === 'GET' && path === '/api/events') {
      response.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      streams.add(response);
      request.on('close', () => streams.delete(response));
      // A new page gets the whole list at once, whatever the others saw last.
      response.write(`event: actors\ndata: ${JSON.stringify(redact(await actors()))}\n\n`);
    } else {
      throw new HttpError(404, `Nothing at ${request.method} ${path}`);
    }
  }

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const code = (error as { code?: unknown }).code;
      if (response.headersSent) {
        response.end();
        return;
      }
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      response.end(
        JSON.stringify(
          redact({
            error: error instanceof Error ? error.message : String(error),
            ...(typeof code === 'string' ? { code } : {}),
          }),
        ),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4319, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  return {
    url: `http://${shown}:${port}/${query}`,
    port,
    async close() {
      for (const stop of unsubscribe) stop?.();
      clearInterval(poll);
      if (snapshotDue) clearTimeout(snapshotDue);
      for (const stream of streams) stream.end();
      streams.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
