import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCP_ERROR_META_KEY } from '../pantheon-error-meta';
import { processExists } from '../third-party-servers.test-support';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const serveScript = fileURLToPath(new URL('../serve-process.test-support.ts', import.meta.url));

function textOf(result: unknown): string {
  return (result as CallToolResult).content
    .map((block) => (block.type === 'text' ? block.text : ''))
    .join('');
}

describe('serveMcp over stdio: a process started by the official SDK Client', {
  timeout: 30_000,
}, () => {
  let client: Client;
  let transport: StdioClientTransport;
  let stderr = '';

  beforeAll(async () => {
    transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--disable-warning=ExperimentalWarning', '--import', 'tsx', serveScript],
      cwd: repoRoot,
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    client = new Client({ name: 'test-client', version: '1.0.0' });
    await client.connect(transport);
  }, 30_000);
  afterAll(async () => {
    await client.close();
  }, 30_000);

  it('introduces itself and lists the served actors', async () => {
    expect(client.getServerVersion()).toEqual({ name: 'echo-desk', version: '1' });
    expect(client.getInstructions()).toContain('ask_<agent>');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      'ask_echo',
      'send_echo',
      'ask_desk',
      'send_desk',
    ]);
  });

  it('answers ask_ calls, and continues a conversation by its id', async () => {
    const first = (await client.callTool({
      name: 'ask_desk',
      arguments: { message: 'over stdio' },
    })) as CallToolResult;
    expect(textOf(first)).toBe('desk: over stdio');
    expect(first.structuredContent).toMatchObject({ from: 'desk-7', reply: 'desk: over stdio' });
    const { conversationId } = first.structuredContent as { conversationId: string };
    const second = await client.callTool({
      name: 'ask_echo',
      arguments: { message: 'b', conversationId },
    });
    expect(textOf(second)).toContain('conversation so far: b;');
    const third = await client.callTool({
      name: 'ask_echo',
      arguments: { message: 'c', conversationId },
    });
    expect(textOf(third)).toContain('conversation so far: b | c;');
  });

  it('serves concurrent calls to one actor one at a time, in the order they were sent', async () => {
    const messages = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8'];
    const results = await Promise.all(
      messages.map((message) => client.callTool({ name: 'ask_echo', arguments: { message } })),
    );
    const replies = results.map(textOf);
    const tickets = replies.map((reply) => Number(/^#(\d+) /.exec(reply)![1]));
    expect(tickets).toEqual(tickets.map((_, index) => tickets[0]! + index));
    replies.forEach((reply, index) => {
      expect(reply).toMatch(new RegExp(` ${messages[index]} \\(.*ticks at once: 1\\)$`));
    });
  });

  it('returns ASK_TIMEOUT and TOOL_INVALID_ARGS as tool errors', async () => {
    const invalid = (await client.callTool({
      name: 'send_echo',
      arguments: { text: 'wrong field' },
    })) as CallToolResult;
    expect(invalid.isError).toBe(true);
    expect(invalid._meta?.[MCP_ERROR_META_KEY]).toMatchObject({ code: 'TOOL_INVALID_ARGS' });
    const slow = (await client.callTool({
      name: 'ask_echo',
      arguments: { message: 'slow' },
    })) as CallToolResult;
    expect(slow.isError).toBe(true);
    expect(textOf(slow)).toMatch(/^ASK_TIMEOUT: /);
  });

  it('ends its process when the client closes stdin, shutting its actor system down', async () => {
    const pid = transport.pid!;
    await client.close();
    const deadline = Date.now() + 10_000;
    while (processExists(pid) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(processExists(pid)).toBe(false);
    expect(stderr).toContain('echo desk closed');
  });
});
