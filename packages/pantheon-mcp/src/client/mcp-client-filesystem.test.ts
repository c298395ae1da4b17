import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
  SecureToolAdapter,
} from '@promethean-os/pantheon-adapters';
import { llmBehavior, PantheonSystem, ToolError } from '@promethean-os/pantheon-core';
import { MockLlmAdapter } from '@promethean-os/pantheon-test';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { failureOf } from '../failures.test-support';
import { filesystemOverStdio } from '../third-party-servers.test-support';
import { connectMcp, type McpConnection } from './mcp-connection';
import { isMcpToolSpec } from './mcp-tool-spec';

describe('MCP client against @modelcontextprotocol/server-filesystem on a temp directory', {
  timeout: 20_000,
}, () => {
  const root = mkdtempSync(join(tmpdir(), 'pantheon-mcp-fs-'));
  const allowed = join(root, 'allowed');
  const outside = join(root, 'outside');
  let files: McpConnection;
  const tools = new InMemoryToolAdapter();

  beforeAll(async () => {
    mkdirSync(join(allowed, 'notes'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(allowed, 'notes', 'todo.md'), '- water the plants\n- call Ada\n');
    writeFileSync(join(outside, 'secret.txt'), 'do not read');
    files = await connectMcp(filesystemOverStdio(allowed), { name: 'files', log: () => {} });
    await files.registerTools(tools, {
      prefix: 'fs_',
      include: ['list_directory', 'read_text_file', 'write_file', 'list_allowed_directories'],
    });
  }, 30_000);
  afterAll(async () => {
    await files.close();
    rmSync(root, { recursive: true, force: true });
  }, 30_000);

  it('reads and lists inside the allowed directory', async () => {
    expect(await tools.invoke('fs_list_directory', { path: join(allowed, 'notes') })).toBe(
      '[FILE] todo.md',
    );
    expect(
      await tools.invoke('fs_read_text_file', { path: join(allowed, 'notes', 'todo.md') }),
    ).toBe('- water the plants\n- call Ada\n');
    const { structuredContent } = await files.callTool('read_text_file', {
      path: join(allowed, 'notes', 'todo.md'),
      head: 1,
    });
    expect(structuredContent).toEqual({ content: '- water the plants' });
  });

  it("refuses a path outside the allowed directories with TOOL_FAILED and the server's reason", async () => {
    const error = await failureOf(
      tools.invoke('fs_read_text_file', { path: join(outside, 'secret.txt') }),
    );
    expect(ToolError.isInstance(error)).toBe(true);
    expect(error.code).toBe('TOOL_FAILED');
    expect(error.toolName).toBe('fs_read_text_file');
    expect(error.message).toContain('Access denied - path outside allowed directories');
    expect(error.message).not.toContain('do not read');
    const write = await failureOf(
      tools.invoke('fs_write_file', { path: join(outside, 'new.txt'), content: 'x' }),
    );
    expect(write.code).toBe('TOOL_FAILED');
    expect(existsSync(join(outside, 'new.txt'))).toBe(false);
  });

  it('rejects malformed arguments with TOOL_INVALID_ARGS: nothing is written, and nothing lost', async () => {
    const target = join(allowed, 'created.txt');
    const [writeFile] = await files.listTools({ prefix: 'fs_', include: ['write_file'] });
    const own = new InMemoryToolAdapter();
    const execute = vi.spyOn(writeFile!, 'execute');
    own.register(writeFile!);
    const error = await failureOf(own.invoke('fs_write_file', { path: target, content: 42 }));
    expect(error.code).toBe('TOOL_INVALID_ARGS');
    expect(error.details.issues).toEqual([{ path: 'content', message: 'must be string' }]);
    expect(execute).not.toHaveBeenCalled();
    expect(existsSync(target)).toBe(false);

    await own.invoke('fs_write_file', { path: target, content: 'written through MCP' });
    expect(readFileSync(target, 'utf8')).toBe('written through MCP');
  });

  it('approvals: a SecureToolAdapter asks before tools the server does not mark read-only', async () => {
    const asked: string[] = [];
    const guarded = new SecureToolAdapter(new InMemoryToolAdapter(), {
      allow: ['fs_read_text_file', 'fs_write_file'],
      approve: ({ tool, toolName }) => {
        if (isMcpToolSpec(tool) && tool.mcp.annotations?.readOnlyHint === true) return true;
        asked.push(toolName);
        return false; // a person would decide here
      },
    });
    const registration = await files.registerTools(guarded, {
      prefix: 'fs_',
      include: ['read_text_file', 'write_file'],
    });
    const target = join(allowed, 'refused.txt');
    const denied = await failureOf(guarded.invoke('fs_write_file', { path: target, content: 'x' }));
    expect(denied.code).toBe('TOOL_DENIED');
    expect(asked).toEqual(['fs_write_file']);
    expect(existsSync(target)).toBe(false);
    expect(
      await guarded.invoke('fs_read_text_file', { path: join(allowed, 'notes', 'todo.md') }),
    ).toContain('water the plants');
    registration.unregister();
  });

  it("llmBehavior offers the server's tools to the model unchanged and answers from their results", async () => {
    const llm = new MockLlmAdapter();
    const todo = join(allowed, 'notes', 'todo.md');
    llm.queueResponses({
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call_1', name: 'fs_read_text_file', args: { path: todo } }],
    });
    llm.setResponse((messages) => ({
      role: 'assistant',
      content: `Your list says: ${messages.at(-1)!.content.trim().replaceAll('\n', ' ')}`,
    }));
    const system = new PantheonSystem({
      contextAdapter: new InMemoryContextAdapter(),
      toolAdapter: tools,
      llmAdapter: llm,
      messageBus: new InMemoryMessageBus(),
      scheduler: new NodeScheduler(),
      actorStateAdapter: new InMemoryActorStateAdapter(),
      log: () => {},
    });
    const offered = ['fs_list_directory', 'fs_read_text_file'];
    const actor = await system.createActor({
      id: 'librarian',
      name: 'librarian',
      goals: ['Answer questions about the notes folder'],
      script: {
        name: 'librarian',
        contextSources: [],
        talents: [{ name: 'read', behaviors: [llmBehavior({ name: 'answer', tools: offered })] }],
      },
    });
    await system.startActor(actor.id);
    const answer = await system.ask(actor.id, 'What is on my todo list?', { timeoutMs: 10_000 });
    await system.shutdown();

    expect(answer.content).toBe('Your list says: - water the plants - call Ada');
    const [first] = llm.getCalls();
    const shown = first!.opts.tools!.map(({ name, description, parameters }) => ({
      name,
      description,
      parameters,
    }));
    const served = await files.listTools({
      prefix: 'fs_',
      include: ['read_text_file', 'list_directory'],
    });
    expect(shown).toEqual(
      offered.map((name) => {
        const tool = served.find((candidate) => candidate.name === name)!;
        return { name, description: tool.description, parameters: tool.parameters };
      }),
    );
    expect(shown[1]!.parameters).toMatchObject({
      type: 'object',
      properties: { path: { type: 'string' }, head: { type: 'number' }, tail: { type: 'number' } },
      required: ['path'],
    });
  });
});
