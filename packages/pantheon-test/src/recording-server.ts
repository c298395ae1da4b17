import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '@promethean-os/pantheon-core/adapter-kit';

/** One request the recording server received. */
export interface RecordedHttpRequest {
  method: string;
  /** The path with its query string, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  json: any;
}

/** How the recording server answers one request. */
export interface ScriptedHttpReply {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  /** Sent as `application/json`. */
  json?: unknown;
  /** Sent as is (with `headers`), e.g. a malformed body. */
  body?: string;
  /**
   * Server-sent events, each a complete `event:`/`data:` block without the blank line that ends
   * it; sent as `text/event-stream`.
   */
  events?: string[];
  /** Keep the response open after the events (to test aborting a stream). */
  holdOpen?: boolean;
  /** Never answer (to test timeouts and aborts). */
  hang?: boolean;
}

/** Chooses the reply from the request, e.g. SSE when the body asks for a stream. */
export type ScriptedHttpResponder = (
  request: RecordedHttpRequest,
) => ScriptedHttpReply | Promise<ScriptedHttpReply>;

/** A loopback HTTP server that records every request and answers from a script. */
export interface RecordingServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  /** Every request received so far, in arrival order. */
  readonly requests: RecordedHttpRequest[];
  /** Queues replies (or responders), consumed one per request, in order. */
  reply(...replies: Array<ScriptedHttpReply | ScriptedHttpResponder>): void;
  /** How many queued replies no request has consumed yet. */
  pendingReplies(): number;
  /** Closes the server and every open connection (hanging and held-open responses included). */
  close(): Promise<void>;
}

/**
 * The answer when the script has no reply: a status no real API uses, so the test fails loudly.
 * SDKs retry 5xx with backoff of up to seconds; `retry-after-ms` makes them retry at once.
 */
function scriptError(message: string): ScriptedHttpReply {
  return { status: 599, headers: { 'retry-after-ms': '1' }, json: { error: { message } } };
}

function send(response: ServerResponse, reply: ScriptedHttpReply): void {
  if (reply.hang) return;
  const headers = { ...reply.headers };
  if (reply.events) {
    response.writeHead(reply.status ?? 200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      ...headers,
    });
    for (const event of reply.events) response.write(`${event}\n\n`);
    if (!reply.holdOpen) response.end();
    return;
  }
  if (reply.json !== undefined) {
    response.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(reply.json));
    return;
  }
  response.writeHead(reply.status ?? 200, headers);
  response.end(reply.body ?? '');
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * Starts an HTTP server on 127.0.0.1 (a free port) that records every request and answers each
 * with the next queued reply: JSON, a raw body, server-sent events, or no answer at all. Point a
 * real SDK at `server.url` to test an adapter over real HTTP, wire format included, without
 * network access. A request that finds the queue empty, or whose responder throws, gets HTTP 599
 * with `retry-after-ms: 1` (SDKs that retry do so at once, so the test fails fast). Close the
 * server after each test.
 *
 * @example
 * const server = await createRecordingServer();
 * server.reply({ json: { choices: [{ message: { role: 'assistant', content: 'Hi' } }] } });
 * const llm = new OpenAiAdapter({ apiKey: 'sk-test', baseURL: `${server.url}/v1` });
 * await llm.complete([{ role: 'user', content: 'Hello' }]);
 * expect(server.requests[0]?.json.messages).toEqual([{ role: 'user', content: 'Hello' }]);
 * await server.close();
 */
export async function createRecordingServer(): Promise<RecordingServer> {
  const requests: RecordedHttpRequest[] = [];
  const queue: Array<ScriptedHttpReply | ScriptedHttpResponder> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedHttpRequest = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body,
        json: parseJson(body),
      };
      requests.push(recorded);
      const next = queue.shift() ?? scriptError('The recording server has no scripted reply left');
      let reply: ScriptedHttpReply;
      try {
        reply = typeof next === 'function' ? await next(recorded) : next;
      } catch (error) {
        reply = scriptError(`The scripted responder threw: ${errorMessage(error)}`);
      }
      send(response, reply);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (...replies) => void queue.push(...replies),
    pendingReplies: () => queue.length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
