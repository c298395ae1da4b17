import type { ToolError, ToolSpec } from '@promethean-os/pantheon-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { InMemoryToolAdapter } from './in-memory-tool-adapter';

interface WeatherToolArgs {
  location: string;
  units?: 'metric' | 'imperial';
}

class WeatherTool implements ToolSpec {
  name = 'get-weather';
  description = 'Gets current weather information for a location';
  parameters = {
    type: 'object',
    properties: {
      location: { type: 'string', description: 'The location to get weather for' },
      units: { type: 'string', enum: ['metric', 'imperial'], default: 'metric' },
    },
    required: ['location'],
  };
  calls: WeatherToolArgs[] = [];

  async execute(args: WeatherToolArgs): Promise<string> {
    this.calls.push(args);
    return `${args.location}: 21 ${args.units === 'metric' ? '°C' : '°F'}`;
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('InMemoryToolAdapter', () => {
  it('registers class instances and objects, lists and unregisters them', async () => {
    const tools = new InMemoryToolAdapter();
    const weather = new WeatherTool();
    tools.register(weather);
    tools.register({
      name: 'echo',
      description: 'echoes',
      parameters: { type: 'object' },
      execute: (args) => args,
    });
    expect(tools.list().map((tool) => tool.name)).toEqual(['get-weather', 'echo']);
    const args = { location: 'Oslo' };
    await expect(tools.invoke('get-weather', args)).resolves.toBe('Oslo: 21 °C');
    expect(weather.calls).toEqual([{ location: 'Oslo', units: 'metric' }]);
    expect(args).toEqual({ location: 'Oslo' }); // defaults go into a copy
    expect(tools.unregister('echo')).toBe(true);
    expect(tools.unregister('echo')).toBe(false);
    expect(tools.list()).toHaveLength(1);
  });

  it('rejects an unknown tool with TOOL_NOT_FOUND naming it', async () => {
    const tools = new InMemoryToolAdapter();
    await expect(tools.invoke('launch-rocket', {})).rejects.toMatchObject({
      name: 'ToolError',
      code: 'TOOL_NOT_FOUND',
      toolName: 'launch-rocket',
      message: expect.stringContaining('launch-rocket'),
    });
  });

  it('rejects arguments that break the JSON Schema, listing each violation, without running the tool', async () => {
    const tools = new InMemoryToolAdapter();
    const weather = new WeatherTool();
    tools.register(weather);
    const failure = tools.invoke('get-weather', { units: 'kelvin' });
    await expect(failure).rejects.toMatchObject({ code: 'TOOL_INVALID_ARGS' });
    const error = (await failure.catch((caught: unknown) => caught)) as ToolError;
    const issues = error.details?.issues as Array<{ path: string }>;
    expect(issues.map((issue) => issue.path).sort()).toEqual(['location', 'units']);
    await expect(tools.invoke('get-weather', 'Oslo' as never)).rejects.toMatchObject({
      code: 'TOOL_INVALID_ARGS',
    });
    expect(weather.calls).toEqual([]);
  });

  it('validates zod parameters and passes the parsed arguments', async () => {
    const tools = new InMemoryToolAdapter();
    const execute = vi.fn(
      (args: { count: number; label: string }) => `${args.label}x${args.count}`,
    );
    tools.register({
      name: 'repeat',
      description: 'repeats',
      parameters: z.object({
        count: z.number().int().positive(),
        label: z.string().default('item'),
      }),
      execute,
    });
    await expect(tools.invoke('repeat', { count: 2 })).resolves.toBe('itemx2');
    await expect(tools.invoke('repeat', { count: -1 })).rejects.toMatchObject({
      code: 'TOOL_INVALID_ARGS',
      message: expect.stringContaining('count'),
    });
    expect(execute).toHaveBeenCalledTimes(1);
  });

  it('times out with TOOL_TIMEOUT and aborts the signal the tool received', async () => {
    vi.useFakeTimers();
    const tools = new InMemoryToolAdapter();
    let received: AbortSignal | undefined;
    tools.register({
      name: 'hang',
      description: 'never answers',
      parameters: { type: 'object' },
      timeout: 1000,
      execute: (_args, context) => {
        received = context?.signal;
        return new Promise(() => {});
      },
    });
    const outcome = tools.invoke('hang', {}).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await outcome).toMatchObject({ code: 'TOOL_TIMEOUT', details: { timeoutMs: 1000 } });
    expect(received?.aborted).toBe(true);

    const overridden = tools.invoke('hang', {}, { timeoutMs: 10 }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(10);
    expect(await overridden).toMatchObject({ code: 'TOOL_TIMEOUT', details: { timeoutMs: 10 } });
  });

  it('stops waiting when the caller aborts, and passes the actor id', async () => {
    const tools = new InMemoryToolAdapter();
    let actorId: string | undefined;
    tools.register({
      name: 'hang',
      description: 'never answers',
      parameters: { type: 'object' },
      execute: (_args, context) => {
        actorId = context?.actorId;
        return new Promise(() => {});
      },
    });
    const controller = new AbortController();
    const outcome = tools.invoke('hang', {}, { signal: controller.signal, actorId: 'a-1' });
    controller.abort();
    await expect(outcome).rejects.toMatchObject({ code: 'ABORTED' });
    expect(actorId).toBe('a-1');
  });

  it('wraps a failing tool as TOOL_FAILED with the cause, keeping Pantheon errors as they are', async () => {
    const tools = new InMemoryToolAdapter();
    const cause = new Error('HTTP 503');
    tools.register({
      name: 'flaky',
      description: 'fails',
      parameters: { type: 'object' },
      execute: () => Promise.reject(cause),
    });
    tools.register({
      name: 'sync-throw',
      description: 'throws',
      parameters: { type: 'object' },
      execute: () => {
        throw cause;
      },
    });
    await expect(tools.invoke('flaky', {})).rejects.toMatchObject({ code: 'TOOL_FAILED', cause });
    await expect(tools.invoke('sync-throw', {})).rejects.toMatchObject({
      code: 'TOOL_FAILED',
      cause,
    });
  });

  it('refuses invalid specs, broken schemas and duplicate names at register', () => {
    const tools = new InMemoryToolAdapter();
    expect(() => tools.register({ name: 'x', description: 'd', parameters: {} } as never)).toThrow(
      expect.objectContaining({ code: 'TOOL_INVALID_SPEC' }),
    );
    expect(() =>
      tools.register({
        name: 'bad-schema',
        description: 'd',
        parameters: { type: 'no-such-type' },
        execute: () => 1,
      }),
    ).toThrow(expect.objectContaining({ code: 'TOOL_INVALID_SPEC' }));
    tools.register(new WeatherTool());
    expect(() => tools.register(new WeatherTool())).toThrow(
      expect.objectContaining({ code: 'TOOL_DUPLICATE' }),
    );
    expect(tools.list().map((tool) => tool.name)).toEqual(['get-weather']);
  });
});
