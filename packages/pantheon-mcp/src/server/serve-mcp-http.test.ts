import { request as httpRequest } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  type CallToolResult,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { PantheonSystem } from '@promethean-os/pantheon-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEchoDesk } from '../echo-desk.test-support';
import { failureOf } from '../failures.test-support';
import { MCP_ERROR_META_KEY } from '../pantheon-error-meta';
import { freePort } from '../third-party-servers.test-support';
import { type McpService, serveMcp } from './serve-mcp';

const TOKEN = 'a-test-token-of-32-characters-xx';

async function sdkClient(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }),
  );
  return client;
}

function textOf(result: unknown): string {
  return (result as CallToolResult).content
    .map((block) => (block.type === 'text' ? block.text : ''))
    .join('');
}

/** A raw HTTP POST, to set headers `fetch` will not (Host). */
function rawPost(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          ...headers,
        },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    request.end(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'raw', version: '1' },
        },
      }),
    );
  });
}

describe('serveMcp over Streamable HTTP, used with the official SDK Client', {
  timeout: 20_000,
}, () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  }, 30_000);

  async function serve(
    options: Partial<Parameters<typeof serveMcp>[1]> = {},
    desk?: { system: PantheonSystem },
  ) {
    const { system, actorState } = desk
      ? { ...desk, actorState: undefined }
      : await createEchoDesk();
    const service: McpService = await serveMcp(system, {
      actors: ['echo', { id: 'desk-7', toolName: 'desk', description: 'The front desk' }],
      transport: { type: 'http' },
      ...options,
    });
    cleanups.push(() => system.shutdown());
    cleanups.push(() => service.close());
    return { system, actorState, service };
  }

  it('listens on 127.0.0.1 and lists ask_ and send_ tools per actor', async () => {
    const { service } = await serve();
    expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = await sdkClient(service.url!);
    cleanups.push(() => client.close());
    expect(client.getServerVersion()).toEqual({ name: 'pantheon', version: '1' });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      'ask_echo',
      'send_echo',
      'ask_desk',
      'send_desk',
    ]);
    const askDesk = tools.find((tool) => tool.name === 'ask_desk')!;
    expect(askDesk.description).toBe(
      'Ask the Pantheon agent "desk-7" and wait for its answer (up to 30 s). The front desk',
    );
    expect(askDesk.inputSchema).toMatchObject({ type: 'object', required: ['message'] });
    expect(Object.keys(askDesk.inputSchema.properties!)).toEqual(['message', 'conversationId']);
  });

  it("ask_ returns the actor's answer and a conversationId that continues the conversation", async () => {
    const { service } = await serve();
    const client = await sdkClient(service.url!);
    cleanups.push(() => client.close());
    const first = (await client.callTool({
      name: 'ask_echo',
      arguments: { message: 'hello' },
    })) as CallToolResult;
    expect(first.isError).toBeUndefined();
    expect(textOf(first)).toMatch(/^#\d+ hello \(conversation so far: hello; ticks at once: 1\)$/);
    const { conversationId } = first.structuredContent as { conversationId: string; from: string };
    expect(first.structuredContent).toMatchObject({ from: 'echo', reply: textOf(first) });

    const second = await client.callTool({
      name: 'ask_echo',
      arguments: { message: 'again', conversationId },
    });
    expect(textOf(second)).toContain('conversation so far: hello | again;');
    expect((second as CallToolResult).structuredContent).toMatchObject({ conversationId });

    const other = await client.callTool({ name: 'ask_echo', arguments: { message: 'new topic' } });
    expect(textOf(other)).toContain('conversation so far: new topic;');
  });

  it('send_ enqueues and returns at once; the answer reaches the system as a reply', async () => {
    const { service, system } = await serve();
    const client = await sdkClient(service.url!);
    cleanups.push(() => client.close());
    const replied = new Promise<string>((resolve) =>
      system.on('reply', ({ message }) => {
        if (message.from === 'desk-7') resolve(`${message.to}: ${message.content}`);
      }),
    );
    const sent = (await client.callTool({
      name: 'send_desk',
      arguments: { message: 'fire and forget' },
    })) as CallToolResult;
    expect(sent.isError).toBeUndefined();
    expect(sent.structuredContent).toEqual({
      messageId: expect.any(String),
      conversationId: expect.any(String),
    });
    expect(await replied).toBe('mcp: desk: fire and forget');
  });

  it('serves concurrent calls to one actor one at a time, in the order they reached its mailbox', async () => {
    const desk = await createEchoDesk();
    const asked: string[] = [];
    const ask = desk.system.ask.bind(desk.system);
    vi.spyOn(desk.system, 'ask').mockImplementation((id, content, options) => {
      asked.push(content);
      return ask(id, content, options);
    });
    const { service } = await serve({}, desk);
    const client = await sdkClient(service.url!);
    cleanups.push(() => client.close());
    const messages = ['one', 'two', 'three', 'four', 'five', 'six'];
    const results = await Promise.all(
      messages.map((message) => client.callTool({ name: 'ask_echo', arguments: { message } })),
    );
    const replies = results.map(textOf);
    // Each caller got the answer to its own message, every tick ran alone…
    replies.forEach((reply, index) => {
      expect(reply).toMatch(
        new RegExp(
          `^#(\\d+) ${messages[index]} \\(conversation so far: ${messages[index]}; ticks at once: 1\\)$`,
        ),
      );
    });
    // …and the tickets follow the order in which the messages reached the mailbox.
    const ticketOf = (message: string) =>
      Number(/^#(\d+)/.exec(replies[messages.indexOf(message)]!)![1]);
    expect(asked.map(ticketOf)).toEqual(
      [...asked.keys()].map((index) => ticketOf(asked[0]!) + index),
    );
    expect([...asked].sort()).toEqual([...messages].sort());
  });

  it('returns failures as MCP tool errors carrying the Pantheon code', async () => {
    const { service } = await serve({ askTimeoutMs: 300 });
    const client = await sdkClient(service.url!);
    cleanups.push(() => client.close());
    const call = async (name: string, args: Record<string, unknown>) => {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      expect(result.isError).toBe(true);
      const meta = result._meta?.[MCP_ERROR_META_KEY] as {
        code: string;
        message: string;
        details?: Record<string, unknown>;
      };
      expect(textOf(result)).toBe(`${meta.code}: ${meta.message}`);
      return meta;
    };
    const failed = await call('ask_echo', { message: 'fail' });
    expect(failed.code).toBe('ASK_FAILED');

    const missing = await call('ask_echo', {});
    expect(missing).toMatchObject({
      code: 'TOOL_INVALID_ARGS',
      details: { issues: [{ path: 'message', message: 'is required' }] },
    });
    const extra = await call('send_echo', { message: 'hi', urgent: true, conversationId: '' });
    expect(extra.details).toEqual({
      toolName: 'send_echo',
      issues: [
        { path: 'conversationId', message: 'must be a non-empty string' },
        { path: 'urgent', message: 'is not allowed' },
      ],
    });

    const unknown = await call('ask_nobody', { message: 'hi' });
    expect(unknown.code).toBe('TOOL_NOT_FOUND');
    expect(unknown.details?.available).toEqual(['ask_echo', 'send_echo', 'ask_desk', 'send_desk']);

    // Nothing was lost: the actor still answers.
    const fine = await client.callTool({ name: 'ask_echo', arguments: { message: 'still here' } });
    expect(textOf(fine)).toContain('still here');

    // Last, as the slow tick holds the mailbox for 2 s.
    const timeout = await call('ask_echo', { message: 'slow' });
    expect(timeout.code).toBe('ASK_TIMEOUT');
  });

  it('a message larger than maxMessageBytes is MESSAGE_TOO_LARGE, and nothing is enqueued', async () => {
    const desk = await createEchoDesk({ maxMessageBytes: 100 });
    const { service } = await serve({}, desk);
    const client = await sdkClient(service.url!);
    cleanups.push(() => client.close());
    const result = (await client.callTool({
      name: 'send_echo',
      arguments: { message: 'x'.repeat(200) },
    })) as CallToolResult;
    expect(result._meta?.[MCP_ERROR_META_KEY]).toMatchObject({
      code: 'MESSAGE_TOO_LARGE',
      details: { bytes: 200, max: 100 },
    });
    expect(await desk.system.getMailbox('echo')).toEqual([]);
  });

  it('after the system shut down, calls come back as SYSTEM_SHUT_DOWN', async () => {
    const { service, system } = await serve();
    const client = await sdkClient(service.url!);
    cleanups.push(() => client.close());
    await system.shutdown();
    for (const name of ['ask_echo', 'send_echo']) {
      const result = (await client.callTool({
        name,
        arguments: { message: 'anyone?' },
      })) as CallToolResult;
      expect(result.isError).toBe(true);
      expect(result._meta?.[MCP_ERROR_META_KEY]).toMatchObject({ code: 'SYSTEM_SHUT_DOWN' });
    }
  });

  it('with a token, requests need Authorization: Bearer <token>', async () => {
    const { service } = await serve({ transport: { type: 'http', token: TOKEN } });
    const attempts: Record<string, string>[] = [{}, { Authorization: 'Bearer not-the-token' }];
    for (const headers of attempts) {
      const refused = await sdkClient(service.url!, headers).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(StreamableHTTPError);
      expect((refused as StreamableHTTPError).code).toBe(401);
    }
    const client = await sdkClient(service.url!, { Authorization: `Bearer ${TOKEN}` });
    cleanups.push(() => client.close());
    expect(
      textOf(await client.callTool({ name: 'ask_desk', arguments: { message: 'authorised' } })),
    ).toBe('desk: authorised');
  });

  it('refuses a foreign Host (DNS rebinding) and a browser Origin that was not allowed', async () => {
    const { service } = await serve({
      transport: { type: 'http', allowedOrigins: ['http://localhost:5173'] },
    });
    const port = new URL(service.url!).port;
    expect(await rawPost(service.url!, { Host: `evil.example:${port}` })).toBe(403);
    expect(await rawPost(service.url!, { Origin: 'http://evil.example' })).toBe(403);
    expect(
      await rawPost(service.url!, { Host: `localhost:${port}`, Origin: 'http://localhost:5173' }),
    ).toBe(200);
  });

  it('needs a token to listen beyond loopback; bad options are CONFIG_ERROR, unknown actors ACTOR_NOT_FOUND', async () => {
    const { system } = await createEchoDesk();
    cleanups.push(() => system.shutdown());
    const open = await failureOf(
      serveMcp(system, { actors: ['echo'], transport: { type: 'http', host: '0.0.0.0' } }),
    );
    expect(open.code).toBe('CONFIG_ERROR');
    expect(open.message).toContain('set transport.token');
    const shortToken = await failureOf(
      serveMcp(system, { actors: ['echo'], transport: { type: 'http', token: 'short' } }),
    );
    expect(shortToken.code).toBe('CONFIG_ERROR');
    const noActors = await failureOf(serveMcp(system, { transport: 'stdio' }));
    expect(noActors.code).toBe('CONFIG_ERROR');
    const badTransport = await failureOf(
      serveMcp(system, { actors: ['echo'], transport: 'websocket' as never }),
    );
    expect(badTransport.code).toBe('CONFIG_ERROR');
    const clash = await failureOf(
      serveMcp(system, {
        actors: ['echo', { id: 'desk-7', toolName: 'echo' }],
        transport: { type: 'http' },
      }),
    );
    expect(clash.code).toBe('CONFIG_ERROR');
    const fromActor = await failureOf(
      serveMcp(system, { actors: ['echo'], from: 'desk-7', transport: { type: 'http' } }),
    );
    expect(fromActor.code).toBe('CONFIG_ERROR');
    const ghost = await failureOf(
      serveMcp(system, { actors: ['echo', 'ghost'], transport: { type: 'http' } }),
    );
    expect(ghost.name).toBe('ActorError');
    expect(ghost.code).toBe('ACTOR_NOT_FOUND');

    const port = await freePort();
    const first = await serveMcp(system, { actors: ['echo'], transport: { type: 'http', port } });
    cleanups.push(() => first.close());
    const taken = await failureOf(
      serveMcp(system, { actors: ['echo'], transport: { type: 'http', port } }),
    );
    expect(taken.code).toBe('CONFIG_ERROR');
    expect(taken.details).toMatchObject({ port, errno: 'EADDRINUSE' });
  });

  it('served from the actor state port, actors started later appear after a tools/list_changed', async () => {
    const { system, actorState } = await createEchoDesk();
    cleanups.push(() => system.shutdown());
    const service = await serveMcp(system, { actorState, transport: { type: 'http' } });
    cleanups.push(() => service.close());
    const client = await sdkClient(service.url!);
    cleanups.push(() => client.close());
    const listed = await client.listTools();
    expect(listed.tools.map((tool) => tool.name)).toEqual([
      'ask_echo',
      'send_echo',
      'ask_desk-7',
      'send_desk-7',
    ]);
    expect(listed.tools[0]!.description).toContain('Repeats what it is told Goals: Answer.');

    const changed = new Promise<void>((resolve) => {
      client.setNotificationHandler(ToolListChangedNotificationSchema, async () => resolve());
    });
    await system.createActor({
      id: 'late',
      name: 'late',
      goals: ['Answer'],
      script: { name: 'late', contextSources: [], talents: [] },
    });
    await system.startActor('late');
    await changed;
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('ask_late');
  });

  it('close() ends the sessions and frees the port', async () => {
    const { service } = await serve();
    const client = await sdkClient(service.url!);
    await service.close();
    await service.closed;
    const error = await client.listTools().catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(Error);
    await client.close();
    const refused = await fetch(service.url!, { method: 'POST' }).catch(
      (failure: unknown) => failure,
    );
    expect(refused).toBeInstanceOf(TypeError);
  });
});
