import { ToolError, type ToolSpec } from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMockScheduler } from './mock-scheduler';
import { MockToolAdapter } from './mock-tool-adapter';

interface WeatherToolArgs {
  location: string;
}

// The guide's tool, as a class: `implements ToolSpec` must keep compiling.
class WeatherTool implements ToolSpec {
  name = 'get-weather';
  description = 'Current weather for a location';
  parameters = {
    type: 'object',
    properties: { location: { type: 'string' } },
    required: ['location'],
  };
  async execute(args: WeatherToolArgs): Promise<string> {
    return `Sunny in ${args.location}`;
  }
}

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ToolError);
  return error as ToolError;
}

describe('MockToolAdapter', () => {
  it('runs a registered tool that has no result set', async () => {
    const tools = new MockToolAdapter({ tools: [new WeatherTool()] });
    await expect(tools.invoke('get-weather', { location: 'Paris' })).resolves.toBe(
      'Sunny in Paris',
    );
    expect(tools.list().map((tool) => tool.name)).toEqual(['get-weather']);
  });

  it('answers with a set result (value or function) instead of running the tool', async () => {
    const tools = new MockToolAdapter({ tools: [new WeatherTool()] });
    tools.setResult('get-weather', { forecast: 'rain' });
    await expect(tools.invoke('get-weather', { location: 'Paris' })).resolves.toEqual({
      forecast: 'rain',
    });
    tools.setResult('get-weather', (args, context) => `${args.location} for ${context.actorId}`);
    await expect(
      tools.invoke('get-weather', { location: 'Oslo' }, { actorId: 'agent-1' }),
    ).resolves.toBe('Oslo for agent-1');
    tools.clearResult('get-weather');
    await expect(tools.invoke('get-weather', { location: 'Rome' })).resolves.toBe('Sunny in Rome');
  });

  it('answers calls to an unregistered tool that has a result', async () => {
    const tools = new MockToolAdapter().setResult('send-email', 'queued');
    await expect(tools.invoke('send-email', { to: 'a@b.c' })).resolves.toBe('queued');
    expect(tools.list()).toEqual([]);
  });

  it('rejects an unknown tool with TOOL_NOT_FOUND naming it, and records the call', async () => {
    const tools = new MockToolAdapter();
    const error = await failure(tools.invoke('teleport', { to: 'Mars' }));
    expect(error.code).toBe('TOOL_NOT_FOUND');
    expect(error.toolName).toBe('teleport');
    expect(error.message).toContain('teleport');
    expect(tools.getCalls()).toEqual([{ name: 'teleport', args: { to: 'Mars' }, options: {} }]);
  });

  it('records copies of every call, filterable by tool', async () => {
    const tools = new MockToolAdapter().setResult('a', 1).setResult('b', 2);
    const args = { list: [1] };
    await tools.invoke('a', args, { actorId: 'x' });
    await tools.invoke('b', {});
    args.list.push(2);
    expect(tools.getCalls()).toHaveLength(2);
    expect(tools.getCalls('a')).toEqual([
      { name: 'a', args: { list: [1] }, options: { actorId: 'x' } },
    ]);
    tools.reset();
    expect(tools.getCalls()).toEqual([]);
    await expect(tools.invoke('a', {})).rejects.toMatchObject({ code: 'TOOL_NOT_FOUND' });
  });

  it('validates arguments against zod parameters and JSON Schema `required`', async () => {
    const tools = new MockToolAdapter({
      tools: [
        new WeatherTool(),
        {
          name: 'add',
          description: 'Adds',
          parameters: z.object({ a: z.number(), b: z.number() }),
          execute: ({ a, b }: { a: number; b: number }) => a + b,
        },
      ],
    });
    await expect(tools.invoke('add', { a: 1, b: 2 })).resolves.toBe(3);
    const zodError = await failure(tools.invoke('add', { a: 1, b: 'two' }));
    expect(zodError.code).toBe('TOOL_INVALID_ARGS');
    expect(zodError.message).toContain('args.b');
    const jsonError = await failure(tools.invoke('get-weather', {}));
    expect(jsonError.code).toBe('TOOL_INVALID_ARGS');
    expect(jsonError.message).toContain('args.location');
    const notAnObject = await failure(tools.invoke('get-weather', 'Paris' as never));
    expect(notAnObject.code).toBe('TOOL_INVALID_ARGS');
  });

  it('wraps a plain failure in TOOL_FAILED and passes typed errors through', async () => {
    const cause = new Error('disk full');
    const typed = new ToolError('quota', 'save', undefined, { code: 'TOOL_DENIED' });
    const tools = new MockToolAdapter()
      .setResult('save', () => {
        throw cause;
      })
      .setResult('save-typed', () => {
        throw typed;
      });
    const error = await failure(tools.invoke('save', {}));
    expect(error.code).toBe('TOOL_FAILED');
    expect(error.cause).toBe(cause);
    await expect(tools.invoke('save-typed', {})).rejects.toBe(typed);
  });

  it('times out on the injected scheduler, in virtual time', async () => {
    const scheduler = createMockScheduler();
    const tools = new MockToolAdapter({ scheduler });
    let signal: AbortSignal | undefined;
    tools.setResult('hang', (_args, context) => {
      signal = context.signal;
      return new Promise(() => {});
    });
    const call = tools.invoke('hang', {}, { timeoutMs: 30_000 }).catch((error: unknown) => error);
    await scheduler.advance(29_999);
    expect(signal?.aborted).toBe(false);
    await scheduler.advance(1);
    const error = (await call) as ToolError;
    expect(error.code).toBe('TOOL_TIMEOUT');
    expect(signal?.aborted).toBe(true);
  });

  describe('bad input fails at the call that made the mistake', () => {
    it('rejects a spec without execute at register, naming the field', () => {
      const tools = new MockToolAdapter();
      let error: unknown;
      try {
        tools.register({ name: 'broken', description: 'x', parameters: {} } as unknown as ToolSpec);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ToolError);
      expect((error as ToolError).code).toBe('TOOL_INVALID_SPEC');
      expect((error as ToolError).toolName).toBe('broken');
      expect((error as ToolError).message).toContain('execute');
      expect(tools.list()).toEqual([]);
    });

    it('rejects a second tool of the same name with TOOL_DUPLICATE and keeps the first', async () => {
      const tools = new MockToolAdapter();
      tools.register({ name: 'echo', description: 'x', parameters: {}, execute: () => 'first' });
      let error: unknown;
      try {
        tools.register({ name: 'echo', description: 'x', parameters: {}, execute: () => 'second' });
      } catch (caught) {
        error = caught;
      }
      expect(ToolError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'TOOL_DUPLICATE', toolName: 'echo' });
      await expect(tools.invoke('echo', {})).resolves.toBe('first');
      expect(tools.unregister('echo')).toBe(true);
      tools.register({ name: 'echo', description: 'x', parameters: {}, execute: () => 'second' });
      await expect(tools.invoke('echo', {})).resolves.toBe('second');
    });

    it('rejects malformed specs given to the constructor', () => {
      expect(() => new MockToolAdapter({ tools: [{ name: '' } as unknown as ToolSpec] })).toThrow(
        /name/,
      );
    });

    it('rejects an empty name in setResult and a bad timeout in invoke', async () => {
      expect(() => new MockToolAdapter().setResult('', 1)).toThrow(/name/);
      const tools = new MockToolAdapter().setResult('t', 1);
      await expect(tools.invoke('t', {}, { timeoutMs: -5 })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    });
  });
});
