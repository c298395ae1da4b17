import { createServer } from 'node:http';
import { InMemoryToolAdapter } from '@promethean-os/pantheon-adapters';
import { ToolError } from '@promethean-os/pantheon-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureOf } from '../failures.test-support';
import {
  type EverythingHttpServer,
  freePort,
  startEverythingOverHttp,
} from '../third-party-servers.test-support';
import { connectMcp } from './mcp-connection';

interface RecordedRequest {
  method: string;
  headers: Headers;
  body: { method?: string; id?: number; params?: Record<string, unknown> } | undefined;
}

/** A `fetch` that records every request the SDK sends, then sends it. */
function recordingFetch() {
  const requests: RecordedRequest[] = [];
  const recording: typeof fetch = (input, init) => {
    requests.push({
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    return fetch(input, init);
  };
  return { fetch: recording, requests };
}

async function eventually(check: () => boolean, withinMs = 5_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('the condition did not become true in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const quiet = () => {};

describe('MCP client over Streamable HTTP, against server-everything in its HTTP mode', {
  timeout: 30_000,
}, () => {
  let server: EverythingHttpServer;

  beforeAll(async () => {
    server = await startEverythingOverHttp();
  }, 30_000);
  afterAll(async () => {
    await server.kill('SIGTERM');
  }, 30_000);

  it('lists and calls tools, sending the configured headers with every request', async () => {
    const recorder = recordingFetch();
    const everything = await connectMcp(
      { url: server.url, headers: { Authorization: 'Bearer test-token' }, fetch: recorder.fetch },
      { log: quiet },
    );
    expect(everything.name).toBe('mcp-servers/everything');
    expect(everything.pid).toBeUndefined();
    const tools = new InMemoryToolAdapter();
    await everything.registerTools(tools, {
      prefix: 'ev_',
      include: ['echo', 'get-structured-content'],
    });
    expect(await tools.invoke('ev_echo', { message: 'over http' })).toBe('Echo: over http');
    expect(
      JSON.parse(
        (await tools.invoke('ev_get-structured-content', { location: 'Los Angeles' })) as string,
      ),
    ).toEqual({ temperature: 73, conditions: 'Sunny / Clear', humidity: 48 });

    await everything.close();
    expect(recorder.requests.map((request) => request.body?.method ?? request.method)).toEqual(
      expect.arrayContaining([
        'initialize',
        'notifications/initialized',
        'tools/list',
        'tools/call',
      ]),
    );
    for (const request of recorder.requests) {
      expect(request.headers.get('authorization')).toBe('Bearer test-token');
    }
    // close() ended the session on the server.
    expect(recorder.requests.at(-1)?.method).toBe('DELETE');
    expect(tools.list()).toEqual([]);
  });

  it("a tool port's timeout cancels the call on the server with notifications/cancelled", async () => {
    const recorder = recordingFetch();
    const everything = await connectMcp({ url: server.url, fetch: recorder.fetch }, { log: quiet });
    const tools = new InMemoryToolAdapter();
    await everything.registerTools(tools, { include: ['trigger-long-running-operation', 'echo'] });

    const error = await failureOf(
      tools.invoke('trigger-long-running-operation', { duration: 5, steps: 5 }, { timeoutMs: 200 }),
    );
    expect(ToolError.isInstance(error)).toBe(true);
    expect(error.code).toBe('TOOL_TIMEOUT');

    const call = recorder.requests.find(
      (request) =>
        request.body?.method === 'tools/call' &&
        request.body.params?.name === 'trigger-long-running-operation',
    )!;
    await eventually(() =>
      recorder.requests.some(
        (request) =>
          request.body?.method === 'notifications/cancelled' &&
          request.body.params?.requestId === call.body?.id,
      ),
    );
    const cancelled = recorder.requests.find(
      (request) => request.body?.method === 'notifications/cancelled',
    )!;
    expect(String(cancelled.body?.params?.reason)).toContain('timed out after 200 ms');
    expect(await tools.invoke('echo', { message: 'after the cancel' })).toBe(
      'Echo: after the cancel',
    );
    await everything.close();
  });

  it('a server killed mid-call: MCP_CONNECTION_LOST without waiting for the timeout; after a restart the next call reconnects', async () => {
    const own = await startEverythingOverHttp();
    const recorder = recordingFetch();
    const everything = await connectMcp(
      { url: own.url, fetch: recorder.fetch },
      { log: quiet, timeoutMs: 30_000 },
    );
    const started = Date.now();
    const pending = failureOf(
      everything.callTool('trigger-long-running-operation', { duration: 10, steps: 10 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await own.kill();
    const error = await pending;
    expect(error.code).toBe('MCP_CONNECTION_LOST');
    expect(error.toolName).toBe('trigger-long-running-operation');
    // Found out by a probe, not by waiting for the 30 s timeout.
    expect(Date.now() - started).toBeLessThan(10_000);

    const refused = await failureOf(everything.callTool('echo', { message: 'nobody there' }));
    expect(refused.code).toBe('MCP_CONNECTION_FAILED');

    const restarted = await startEverythingOverHttp(own.port);
    try {
      const initializeCount = () =>
        recorder.requests.filter((request) => request.body?.method === 'initialize').length;
      const before = initializeCount();
      expect((await everything.callTool('echo', { message: 'back' })).text).toBe('Echo: back');
      expect(initializeCount()).toBe(before + 1);
    } finally {
      await everything.close();
      await restarted.kill();
    }
  });

  it('a URL where nothing listens is MCP_CONNECTION_FAILED at connect', async () => {
    const port = await freePort();
    const error = await failureOf(connectMcp({ url: `http://127.0.0.1:${port}/mcp` }));
    expect(error.code).toBe('MCP_CONNECTION_FAILED');
    expect(error.details).toMatchObject({ server: `http://127.0.0.1:${port}/mcp` });
  });

  it('a server that answers 401 is MCP_CONNECTION_FAILED with details.status, credentials kept out', async () => {
    const guard = createServer((_request, response) => {
      response.writeHead(401, { 'WWW-Authenticate': 'Bearer', 'Content-Type': 'application/json' });
      response.end(
        JSON.stringify({
          jsonrpc: '2.0',
          error: { code: -32001, message: 'Unauthorized' },
          id: null,
        }),
      );
    });
    await new Promise<void>((resolve) => guard.listen(0, '127.0.0.1', resolve));
    const { port } = guard.address() as { port: number };
    try {
      const error = await failureOf(
        connectMcp({
          url: `http://127.0.0.1:${port}/mcp?key=secret`,
          headers: { Authorization: 'Bearer wrong' },
        }),
      );
      expect(error.code).toBe('MCP_CONNECTION_FAILED');
      expect(error.details).toMatchObject({ status: 401, server: `http://127.0.0.1:${port}/mcp` });
      expect(error.message).toContain('check the Authorization header');
      expect(error.message).not.toContain('secret');
    } finally {
      await new Promise((resolve) => guard.close(resolve));
    }
  });
});
