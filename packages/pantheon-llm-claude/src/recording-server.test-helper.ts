import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  json: any;
}

/** How the server answers one request. */
export interface ScriptedReply {
  status?: number;
  headers?: Record<string, string>;
  /** Sent as `application/json`. */
  json?: unknown;
  /** Sent as is (with `headers`), e.g. a malformed body. */
  body?: string;
  /** Server-sent events, each a complete `event:`/`data:` block without the blank line. */
  events?: string[];
  /** Keep the response open after the events (for abort tests). */
  holdOpen?: boolean;
  /** Never answer (for timeout and abort tests). */
  hang?: boolean;
}

/** A loopback HTTP server that records requests and answers from a script. */
export interface RecordingServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  /** Queues replies, consumed one per request, in order. */
  reply(...replies: ScriptedReply[]): void;
  close(): Promise<void>;
}

function send(response: ServerResponse, reply: ScriptedReply): void {
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

/** Starts a recording server on 127.0.0.1 with a random port. */
export async function startRecordingServer(): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedReply[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body,
        json,
      });
      const reply = queue.shift() ?? {
        status: 599,
        json: { error: { message: 'The test server has no scripted reply left' } },
      };
      send(response, reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (...replies) => void queue.push(...replies),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
