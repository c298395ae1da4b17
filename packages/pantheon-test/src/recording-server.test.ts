import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRecordingServer, type RecordingServer } from './recording-server';

let server: RecordingServer;

beforeEach(async () => {
  server = await createRecordingServer();
});

afterEach(async () => {
  await server.close();
});

function post(path: string, body: unknown, init: RequestInit = {}) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

describe('createRecordingServer', () => {
  it('listens on a loopback port and records each request', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    server.reply({ json: { ok: true } }, { body: 'plain' });

    await post('/v1/chat/completions?beta=true', { model: 'm', messages: [] });
    await post('/raw', 'not json');

    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions?beta=true',
      body: '{"model":"m","messages":[]}',
      json: { model: 'm', messages: [] },
    });
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-test');
    expect(server.requests[1]).toMatchObject({ body: 'not json', json: undefined });
  });

  it('answers with JSON, a raw body and headers, in the order the replies were queued', async () => {
    server.reply(
      { json: { first: 1 } },
      { status: 429, headers: { 'retry-after-ms': '10' }, body: '{"broken"' },
    );

    const first = await post('/a', {});
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/json');
    expect(await first.json()).toEqual({ first: 1 });

    const second = await post('/b', {});
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after-ms')).toBe('10');
    expect(await second.text()).toBe('{"broken"');
    expect(server.pendingReplies()).toBe(0);
  });

  it('streams server-sent events, each block ended by a blank line', async () => {
    server.reply({ events: ['event: ping\ndata: {}', 'data: [DONE]'] });

    const response = await post('/stream', { stream: true });

    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(await response.text()).toBe('event: ping\ndata: {}\n\ndata: [DONE]\n\n');
  });

  it('lets a responder choose the reply from the request', async () => {
    server.reply((request) =>
      request.json?.stream ? { events: ['data: streamed'] } : { json: { streamed: false } },
    );
    server.reply(async (request) => ({ json: { echoed: request.json } }));

    const streamed = await post('/x', { stream: true });
    expect(await streamed.text()).toBe('data: streamed\n\n');
    expect(await (await post('/x', { n: 2 })).json()).toEqual({ echoed: { n: 2 } });
  });

  it('answers 599 when no reply is left or a responder throws', async () => {
    server.reply(() => {
      throw new Error('no fixture for this request');
    });

    const thrown = await post('/x', {});
    expect(thrown.status).toBe(599);
    expect(await thrown.json()).toEqual({
      error: { message: 'The scripted responder threw: no fixture for this request' },
    });

    const empty = await post('/x', {});
    expect(empty.status).toBe(599);
    expect(empty.headers.get('retry-after-ms')).toBe('1');
    expect(await empty.json()).toEqual({
      error: { message: 'The recording server has no scripted reply left' },
    });
  });

  it('can leave a request hanging until the client aborts, and still close', async () => {
    server.reply({ hang: true });
    const controller = new AbortController();

    const pending = post('/slow', {}, { signal: controller.signal });
    await expect.poll(() => server.requests.length).toBe(1);
    controller.abort();

    await expect(pending).rejects.toThrow(/abort/i);
  });

  it('closes while a stream is held open', async () => {
    server.reply({ events: ['data: first'], holdOpen: true });
    const response = await post('/stream', {});
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: first\n\n');

    await server.close();

    await expect(reader.read()).rejects.toThrow();
  });
});
