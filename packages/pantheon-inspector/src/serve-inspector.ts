import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Actor,
  ConfigError,
  PantheonError,
  type PantheonSystem,
  type RedactOptions,
  type ReplyStreamEvent,
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
  | 'stream'
  | 'getPendingApprovals'
  | 'approve'
  | 'deny'
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
  /** Longest `ask` (or streamed ask) from the page, in milliseconds. Default 60,000. */
  askTimeoutMs?: number;
  /** Who approves and denies tool calls from the page (`approve`'s and `deny`'s `by`). Default `'inspector'`. */
  operator?: string;
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

/** The HTTP status of a runtime error code. */
const STATUS_OF_CODE: Record<string, number> = {
  ACTOR_NOT_FOUND: 404,
  APPROVAL_NOT_FOUND: 404,
  APPROVAL_ALREADY_DECIDED: 409,
  APPROVAL_EXPIRED: 409,
  APPROVAL_NOT_OWNED: 409,
};

/** A runtime error as an `HttpError` carrying its code; anything else as it is. */
function httpErrorOf(error: unknown): unknown {
  if (!PantheonError.isInstance(error)) return error;
  return Object.assign(new HttpError(STATUS_OF_CODE[error.code] ?? 422, error.message), {
    code: error.code,
  });
}

/** A `ReplyStreamEvent` as one line of JSON: an `error` event with its code and message. */
function streamLine(event: ReplyStreamEvent): Record<string, unknown> {
  if (event.type !== 'error') return event;
  return {
    type: 'error',
    actorId: event.actorId,
    error: { code: event.error.code, message: event.error.message },
  };
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

async function readJson(
  request: IncomingMessage,
  { optional = false } = {},
): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (optional && text.trim() === '') return {};
  try {
    const body = JSON.parse(text) as unknown;
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
 * It also lists the tool calls waiting for a person (`getPendingApprovals`) with Approve and
 * Deny buttons (decided `by` the `operator`), and streams the ask box's reply as it is written.
 *
 * JSON endpoints (all behind the token when one is set): `GET /api/actors`,
 * `GET /api/actors/:id/timeline`, `GET /api/dead-letters`, `POST /api/actors/:id/messages`
 * (`{ content, ask? }`), `POST /api/actors/:id/stream` (`{ content }`, answered with one JSON
 * `ReplyStreamEvent` a line), `GET /api/approvals`, `POST /api/approvals/:id/approve`
 * (`{ note? }`), `POST /api/approvals/:id/deny` (`{ reason? }`), and `GET /api/events` (the
 * event stream). Runtime errors come back as `{ error, code }` (404 `ACTOR_NOT_FOUND` and
 * `APPROVAL_NOT_FOUND`, 409 `APPROVAL_ALREADY_DECIDED`, `APPROVAL_EXPIRED` and
 * `APPROVAL_NOT_OWNED`, 422 others).
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
  const operator = options.operator ?? 'inspector';
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

  // The pending approvals follow every request and decision, as a whole list.
  function approvalsChanged(): void {
    if (streams.size === 0) return;
    system.getPendingApprovals().then(
      (pending) => broadcast('approvals', pending),
      () => {},
    );
    snapshotSoon();
  }

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
    system.on('approval.requested', approvalsChanged),
    system.on('approval.decided', approvalsChanged),
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
      throw httpErrorOf(error);
    }
  }

  /** Asks the actor and streams what happens as lines of JSON (`ReplyStreamEvent`s). */
  async function streamAsk(id: string, request: IncomingMessage, response: ServerResponse) {
    const body = await readJson(request);
    if (typeof body.content !== 'string' || body.content === '') {
      throw new HttpError(400, '"content" must be a non-empty string');
    }
    const events = system.stream(id, body.content, { timeoutMs: askTimeoutMs });
    // The page went away: ending the iteration cancels the request and aborts its tick, and the
    // read waiting for the next event gives up.
    let leave = () => {};
    const left = new Promise<IteratorResult<ReplyStreamEvent>>((resolve) => {
      leave = () => resolve({ done: true, value: undefined });
    });
    response.on('close', () => {
      if (response.writableFinished) return;
      void events.return?.();
      leave();
    });
    // A request that fails at once (no such actor) is answered with its status, like `ask`.
    let next = await Promise.race([events.next(), left]);
    if (!next.done && next.value.type === 'error') throw httpErrorOf(next.value.error);
    response.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    while (!next.done) {
      const flushed = response.write(`${JSON.stringify(redact(streamLine(next.value)))}\n`);
      if (!flushed) {
        await Promise.race([new Promise((resolve) => response.once('drain', resolve)), left]);
      }
      next = await Promise.race([events.next(), left]);
    }
    response.end();
    snapshotSoon();
  }

  async function decide(id: string, decision: string, request: IncomingMessage) {
    const body = await readJson(request, { optional: true });
    const note = body.note ?? undefined;
    const reason = body.reason ?? undefined;
    if (note !== undefined && typeof note !== 'string') {
      throw new HttpError(400, '"note" must be a string');
    }
    if (reason !== undefined && (typeof reason !== 'string' || reason.trim() === '')) {
      throw new HttpError(400, '"reason" must be a non-empty string');
    }
    try {
      if (decision === 'approve') {
        await system.approve(id, note === undefined ? { by: operator } : { by: operator, note });
      } else {
        await system.deny(id, { reason: reason ?? `denied in the inspector`, by: operator });
      }
    } catch (error) {
      throw httpErrorOf(error);
    }
    return { id, decision: decision === 'approve' ? 'approved' : 'denied', by: operator };
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
    const actorPath = /^\/api\/actors\/([^/]+)\/(timeline|messages|stream)$/.exec(path);
    const approvalPath = /^\/api\/approvals\/([^/]+)\/(approve|deny)$/.exec(path);
    // A page of another site may post to a loopback inspector without a token: a browser's
    // request from another origin is refused.
    const origin = request.headers.origin;
    if (
      request.method === 'POST' &&
      origin !== undefined &&
      origin !== `http://${request.headers.host}`
    ) {
      throw new HttpError(403, 'Requests from another origin are refused');
    }
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
    } else if (request.method === 'POST' && actorPath?.[2] === 'stream') {
      await streamAsk(decodeURIComponent(actorPath[1] as string), request, response);
    } else if (request.method === 'GET' && path === '/api/approvals') {
      json(await system.getPendingApprovals());
    } else if (request.method === 'POST' && approvalPath) {
      const [, id, decision] = approvalPath as unknown as [string, string, string];
      json(await decide(decodeURIComponent(id), decision, request));
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
      const pending = await system.getPendingApprovals();
      response.write(`event: approvals\ndata: ${JSON.stringify(redact(pending))}\n\n`);
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
