import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { McpServer, type RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { InMemoryToolAdapter } from '@promethean-os/pantheon-adapters';
import type { ToolPort, ToolSpec } from '@promethean-os/pantheon-core';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { failureOf } from '../failures.test-support';
import { connectMcp, type McpConnection } from './mcp-connection';
import type { McpToolChange } from './mcp-tool-registration';

/**
 * server-everything cannot change its tools after the handshake, so the list-change tests run
 * against the official SDK's `McpServer`, whose `registerTool`, `remove` and `update` send
 * `notifications/tools/list_changed` to connected clients, over Streamable HTTP on 127.0.0.1.
 */
async function startSdkServer() {
  const server = new McpServer({ name: 'changing-tools', version: '1.0.0' });
  const tools: Record<string, RegisteredTool> = {};
  tools.alpha = server.registerTool(
    'alpha',
    { description: 'The first tool', inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: 'text', text: `alpha: ${text}` }] }),
  );
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID() });
  await server.connect(transport);
  const http: Server = createServer((request, response) => {
    void transport.handleRequest(request, response);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as { port: number };
  return {
    server,
    tools,
    url: `http://127.0.0.1:${port}/mcp`,
    async stop() {
      await server.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

function nextChange(): {
  changes: McpToolChange[];
  onChange: (change: McpToolChange) => void;
  next: () => Promise<McpToolChange>;
} {
  const changes: McpToolChange[] = [];
  let waiting: ((change: McpToolChange) => void) | undefined;
  return {
    changes,
    onChange(change) {
      changes.push(change);
      waiting?.(change);
      waiting = undefined;
    },
    next: () =>
      new Promise((resolve) => {
        waiting = resolve;
      }),
  };
}

describe('tools/list_changed refreshes the registered tools', { timeout: 20_000 }, () => {
  let stop: (() => Promise<void>) | undefined;
  let connection: McpConnection | undefined;
  afterEach(async () => {
    await connection?.close();
    await stop?.();
  }, 30_000);

  it('registers added tools, unregisters removed ones and replaces changed ones', async () => {
    const sdk = await startSdkServer();
    stop = sdk.stop;
    connection = await connectMcp({ url: sdk.url }, { log: () => {} });
    const tools = new InMemoryToolAdapter();
    const watcher = nextChange();
    const registration = await connection.registerTools(tools, {
      prefix: 'x_',
      onChange: watcher.onChange,
    });
    expect(registration.names).toEqual(['x_alpha']);

    let change = watcher.next();
    sdk.tools.beta = sdk.server.registerTool(
      'beta',
      { description: 'The second tool', inputSchema: { n: z.number() } },
      async ({ n }) => ({ content: [{ type: 'text', text: `beta: ${n * 2}` }] }),
    );
    expect(await change).toEqual({ added: ['x_beta'], removed: [], updated: [] });
    expect(tools.list().map((tool) => tool.name)).toEqual(['x_alpha', 'x_beta']);
    expect(await tools.invoke('x_beta', { n: 21 })).toBe('beta: 42');

    change = watcher.next();
    sdk.tools.alpha!.update({ description: 'The first tool, improved' });
    expect(await change).toEqual({ added: [], removed: [], updated: ['x_alpha'] });
    expect(tools.list().find((tool) => tool.name === 'x_alpha')?.description).toBe(
      'The first tool, improved',
    );

    change = watcher.next();
    sdk.tools.beta.remove();
    expect(await change).toEqual({ added: [], removed: ['x_beta'], updated: [] });
    expect(tools.list().map((tool) => tool.name)).toEqual(['x_alpha']);
    const gone = await failureOf(tools.invoke('x_beta', { n: 1 }));
    expect(gone.code).toBe('TOOL_NOT_FOUND');
    expect(registration.names).toEqual(['x_alpha']);
  });

  it('keeps the filter: a tool outside it is not registered when the server adds it', async () => {
    const sdk = await startSdkServer();
    stop = sdk.stop;
    connection = await connectMcp({ url: sdk.url }, { log: () => {} });
    const tools = new InMemoryToolAdapter();
    const watcher = nextChange();
    await connection.registerTools(tools, {
      include: (tool) => tool.name !== 'secret',
      onChange: watcher.onChange,
    });
    sdk.server.registerTool('secret', { description: 'Not for models' }, async () => ({
      content: [{ type: 'text', text: 'shh' }],
    }));
    const change = watcher.next();
    sdk.server.registerTool('gamma', { description: 'Allowed' }, async () => ({
      content: [{ type: 'text', text: 'gamma' }],
    }));
    expect(await change).toEqual({ added: ['gamma'], removed: [], updated: [] });
    expect(tools.list().map((tool) => tool.name)).toEqual(['alpha', 'gamma']);
  });

  it('a port without unregister keeps a dropped tool, whose calls then fail with TOOL_NOT_FOUND', async () => {
    const sdk = await startSdkServer();
    stop = sdk.stop;
    const logs: string[] = [];
    connection = await connectMcp({ url: sdk.url }, { log: (message) => logs.push(message) });
    const registered: ToolSpec[] = [];
    const minimalPort: ToolPort = {
      register: (tool) => {
        registered.push(tool);
      },
      invoke: () => Promise.reject(new Error('not used')),
    };
    await connection.registerTools(minimalPort);
    sdk.tools.alpha!.remove();
    await connection.refreshTools();
    expect(logs).toContain(
      'The tool port cannot unregister, so a tool the MCP server changed or dropped stays',
    );
    const error = await failureOf(Promise.resolve(registered[0]!.execute({ text: 'hi' })));
    expect(error.code).toBe('TOOL_NOT_FOUND');
    expect(error.message).toContain('no longer offered');
  });

  it('registers all tools or none: a name clash removes the ones it had registered', async () => {
    const sdk = await startSdkServer();
    stop = sdk.stop;
    sdk.server.registerTool('beta', { description: 'b' }, async () => ({ content: [] }));
    connection = await connectMcp({ url: sdk.url }, { log: () => {} });
    const tools = new InMemoryToolAdapter();
    tools.register({
      name: 'beta',
      description: 'A tool of our own',
      parameters: { type: 'object' },
      execute: () => 'ours',
    });
    const error = await failureOf(connection.registerTools(tools));
    expect(error.code).toBe('TOOL_DUPLICATE');
    expect(tools.list().map((tool) => tool.name)).toEqual(['beta']);
    expect(await tools.invoke('beta', {})).toBe('ours');
  });
});
