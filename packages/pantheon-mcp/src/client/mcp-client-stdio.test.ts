import { InMemoryToolAdapter } from '@promethean-os/pantheon-adapters';
import { PantheonError, ToolError } from '@promethean-os/pantheon-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { failureOf } from '../failures.test-support';
import { everythingOverStdio, processExists } from '../third-party-servers.test-support';
import { connectMcp, type McpConnection } from './mcp-connection';
import { isMcpToolSpec } from './mcp-tool-spec';

const quiet = () => {};

describe('MCP client over stdio, against @modelcontextprotocol/server-everything', () => {
  let everything: McpConnection;

  beforeAll(async () => {
    everything = await connectMcp(everythingOverStdio(), { log: quiet });
  }, 30_000);
  afterAll(async () => {
    await everything.close();
  }, 30_000);

  it('introduces the server and runs it as a child process', () => {
    expect(everything.name).toBe('mcp-servers/everything');
    expect(everything.serverInfo?.version).toBeTypeOf('string');
    expect(everything.pid).toBeTypeOf('number');
    expect(processExists(everything.pid!)).toBe(true);
  });

  it('lists the tools as ToolSpecs with the server JSON Schema as parameters', async () => {
    const tools = await everything.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'get-sum', 'get-structured-content']));
    // A tool that only runs as an MCP task cannot be called through tools/call: not offered.
    expect(names).not.toContain('simulate-research-query');
    const sum = tools.find((tool) => tool.name === 'get-sum')!;
    expect(sum.description).toBe('Returns the sum of two numbers');
    expect(sum.parameters).toEqual({
      type: 'object',
      properties: {
        a: { type: 'number', description: 'First number' },
        b: { type: 'number', description: 'Second number' },
      },
      required: ['a', 'b'],
    });
    expect(sum.timeout).toBe(60_000);
    expect(isMcpToolSpec(sum)).toBe(true);
    expect(sum.mcp).toEqual({
      server: 'mcp-servers/everything',
      tool: 'get-sum',
      annotations: expect.objectContaining({ readOnlyHint: true }),
    });
  });

  it('filters and prefixes; an unknown name in include or exclude is TOOL_NOT_FOUND', async () => {
    const included = await everything.listTools({ prefix: 'ev_', include: ['echo', 'get-sum'] });
    expect(included.map((tool) => tool.name)).toEqual(['ev_echo', 'ev_get-sum']);
    const excluded = await everything.listTools({ exclude: (tool) => tool.name !== 'echo' });
    expect(excluded.map((tool) => tool.name)).toEqual(['echo']);

    const typo = await failureOf(everything.listTools({ include: ['echo', 'get-summ'] }));
    expect(ToolError.isInstance(typo)).toBe(true);
    expect(typo.code).toBe('TOOL_NOT_FOUND');
    expect(typo.details).toMatchObject({ include: ['get-summ'] });
    expect(typo.details.available).toContain('get-sum');
    const badExclude = await failureOf(everything.listTools({ exclude: ['nope'] }));
    expect(badExclude.code).toBe('TOOL_NOT_FOUND');
  });

  it('calls tools through a ToolPort: text, structured content and images', async () => {
    const tools = new InMemoryToolAdapter();
    const registration = await everything.registerTools(tools, {
      prefix: 'ev_',
      include: [
        'echo',
        'get-sum',
        'get-structured-content',
        'get-tiny-image',
        'get-resource-reference',
      ],
    });
    expect(registration.names).toEqual([
      'ev_echo',
      'ev_get-resource-reference',
      'ev_get-structured-content',
      'ev_get-sum',
      'ev_get-tiny-image',
    ]);
    expect(tools.list().map((tool) => tool.name)).toEqual(registration.names);

    expect(await tools.invoke('ev_echo', { message: 'hello' })).toBe('Echo: hello');
    expect(await tools.invoke('ev_get-sum', { a: 2, b: 40 })).toBe('The sum of 2 and 40 is 42.');
    expect(
      JSON.parse(
        (await tools.invoke('ev_get-structured-content', { location: 'Chicago' })) as string,
      ),
    ).toEqual({ temperature: 36, conditions: 'Light rain / drizzle', humidity: 82 });
    const image = (await tools.invoke('ev_get-tiny-image', {})) as string;
    expect(image).toMatch(
      /^Here's the image you requested:\n\[image: image\/png, [\d.]+ KiB, not shown\]\nThe image above is the MCP logo\.$/,
    );
    const reference = (await tools.invoke('ev_get-resource-reference', {})) as string;
    expect(reference).toContain(
      '[resource <demo://resource/dynamic/text/1>]\nResource 1: This is a plaintext resource',
    );

    // The connection gives programs the whole result.
    const structured = await everything.callTool('get-structured-content', {
      location: 'New York',
    });
    expect(structured.structuredContent).toEqual({
      temperature: 33,
      conditions: 'Cloudy',
      humidity: 82,
    });
    const tiny = await everything.callTool('get-tiny-image');
    expect(tiny.content.map((block) => block.type)).toEqual(['text', 'image', 'text']);
    registration.unregister();
    expect(tools.list()).toEqual([]);
  });

  it('rejects arguments that break the schema with TOOL_INVALID_ARGS before any call', async () => {
    const tools = new InMemoryToolAdapter();
    const [sum] = await everything.listTools({ include: ['get-sum'] });
    const execute = vi.spyOn(sum!, 'execute');
    tools.register(sum!);
    const error = await failureOf(tools.invoke('get-sum', { a: 'two' }));
    expect(ToolError.isInstance(error)).toBe(true);
    expect(error.code).toBe('TOOL_INVALID_ARGS');
    expect(error.details.issues).toEqual(
      expect.arrayContaining([
        { path: 'a', message: 'must be number' },
        { path: 'b', message: 'is required' },
      ]),
    );
    expect(execute).not.toHaveBeenCalled();
    // Nothing was lost: the same tool runs with good arguments.
    expect(await tools.invoke('get-sum', { a: 1, b: 2 })).toBe('The sum of 1 and 2 is 3.');
    expect(execute).toHaveBeenCalledTimes(1);
  });

  it('maps a tool error result and a call the server refuses to TOOL_FAILED', async () => {
    // Arguments the server refuses (our own validation is bypassed by calling the connection).
    const refused = await failureOf(everything.callTool('get-sum', { a: 'x' }));
    expect(ToolError.isInstance(refused)).toBe(true);
    expect(refused.code).toBe('TOOL_FAILED');
    expect(refused.message).toContain('Input validation error');
    expect(refused.details).toMatchObject({ server: 'mcp-servers/everything', mcpTool: 'get-sum' });

    const unknown = await failureOf(everything.callTool('no-such-tool'));
    expect(unknown.code).toBe('TOOL_FAILED');
    expect(unknown.message).toContain('Tool no-such-tool not found');
  });

  it("honours the tool port's timeout: TOOL_TIMEOUT, and the connection keeps working", async () => {
    const tools = new InMemoryToolAdapter();
    await everything.registerTools(tools, { include: ['trigger-long-running-operation', 'echo'] });
    const started = Date.now();
    const error = await failureOf(
      tools.invoke('trigger-long-running-operation', { duration: 5, steps: 5 }, { timeoutMs: 200 }),
    );
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(ToolError.isInstance(error)).toBe(true);
    expect(error.code).toBe('TOOL_TIMEOUT');
    expect(await tools.invoke('echo', { message: 'still here' })).toBe('Echo: still here');
  });

  it("stops at the connection's timeoutMs with TOOL_TIMEOUT when the port sets none", async () => {
    const error = await failureOf(
      everything.callTool(
        'trigger-long-running-operation',
        { duration: 5, steps: 5 },
        { timeoutMs: 150 },
      ),
    );
    expect(ToolError.isInstance(error)).toBe(true);
    expect(error.code).toBe('TOOL_TIMEOUT');
    expect(error.details).toMatchObject({ timeoutMs: 150 });
  });

  it('rejects an aborted call with the abort reason, or ABORTED', async () => {
    const controller = new AbortController();
    const pending = failureOf(
      everything.callTool(
        'trigger-long-running-operation',
        { duration: 5, steps: 5 },
        {
          signal: controller.signal,
        },
      ),
    );
    setTimeout(() => controller.abort(), 100);
    const error = await pending;
    expect(PantheonError.isInstance(error)).toBe(true);
    expect(error.code).toBe('ABORTED');
  });

  it('reads resources as context sources and prompts as messages', async () => {
    const source = await everything.resourceSource(
      'demo://resource/static/document/architecture.md',
    );
    expect(source).toMatchObject({
      type: 'text',
      metadata: {
        source: 'mcp',
        server: 'mcp-servers/everything',
        uri: 'demo://resource/static/document/architecture.md',
        mimeType: 'text/markdown',
      },
    });
    expect((source as { content: string }).content).toContain('# Everything Server – Architecture');
    expect(await everything.promptMessages('args-prompt', { city: 'Oslo' })).toEqual([
      { role: 'user', content: "What's weather in Oslo?" },
    ]);
    const missing = await failureOf(everything.resourceSource('demo://nope'));
    expect(missing.code).toBe('CONTEXT_SOURCE_FAILED');
    expect(missing.name).toBe('ContextError');
  });
});
