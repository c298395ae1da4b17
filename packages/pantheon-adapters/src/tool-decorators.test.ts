import type { ToolSpec } from '@promethean-os/pantheon-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InMemoryToolAdapter } from './in-memory-tool-adapter';
import { MonitoredToolAdapter } from './monitored-tool-adapter';
import { SecureToolAdapter } from './secure-tool-adapter';
import { TimeoutToolAdapter } from './timeout-tool-adapter';

afterEach(() => {
  vi.useRealTimers();
});

const add: ToolSpec<{ a: number; b: number }> = {
  name: 'add',
  description: 'Adds two numbers',
  parameters: {
    type: 'object',
    properties: { a: { type: 'number' }, b: { type: 'number' } },
    required: ['a', 'b'],
  },
  execute: ({ a, b }) => a + b,
};

function hangingTool(seen: { signal?: AbortSignal }): ToolSpec {
  return {
    name: 'hang',
    description: 'never finishes',
    parameters: { type: 'object' },
    execute: (_args, context) => {
      seen.signal = context?.signal;
      return new Promise(() => {});
    },
  };
}

describe('TimeoutToolAdapter', () => {
  it('delegates register, list, unregister and fast calls', async () => {
    const tools = new TimeoutToolAdapter(new InMemoryToolAdapter(), { timeout: 1000 });
    tools.register(add);
    expect(tools.list().map((tool) => tool.name)).toEqual(['add']);
    expect(await tools.invoke('add', { a: 1, b: 2 })).toBe(3);
    expect(tools.unregister('add')).toBe(true);
    await expect(tools.invoke('add', { a: 1, b: 2 })).rejects.toMatchObject({
      code: 'TOOL_NOT_FOUND',
    });
  });

  it('times out slow calls with TOOL_TIMEOUT, aborts the tool and reports the call', async () => {
    vi.useFakeTimers();
    const inner = new InMemoryToolAdapter();
    const seen: { signal?: AbortSignal } = {};
    inner.register(hangingTool(seen));
    const onTimeout = vi.fn();
    const tools = new TimeoutToolAdapter(inner, { timeout: 30_000, onTimeout });
    const outcome = tools.invoke('hang', { q: 1 });
    const assertion = expect(outcome).rejects.toMatchObject({
      name: 'ToolError',
      code: 'TOOL_TIMEOUT',
      details: { timeoutMs: 30_000, toolName: 'hang' },
    });
    await vi.advanceTimersByTimeAsync(30_000);
    await assertion;
    expect(seen.signal?.aborted).toBe(true);
    expect(onTimeout).toHaveBeenCalledWith('hang', { q: 1 });
  });

  it('lets a shorter per-call timeout win and ignores a throwing onTimeout', async () => {
    vi.useFakeTimers();
    const inner = new InMemoryToolAdapter();
    inner.register(hangingTool({}));
    const tools = new TimeoutToolAdapter(inner, {
      timeout: 30_000,
      onTimeout: () => {
        throw new Error('observer bug');
      },
    });
    const outcome = tools.invoke('hang', {}, { timeoutMs: 100 });
    const assertion = expect(outcome).rejects.toMatchObject({
      code: 'TOOL_TIMEOUT',
      details: { timeoutMs: 100 },
    });
    await vi.advanceTimersByTimeAsync(100);
    await assertion;
  });

  it('passes the caller signal through: aborting rejects with ABORTED, not a timeout', async () => {
    vi.useFakeTimers();
    const inner = new InMemoryToolAdapter();
    inner.register(hangingTool({}));
    const onTimeout = vi.fn();
    const tools = new TimeoutToolAdapter(inner, { timeout: 1000, onTimeout });
    const controller = new AbortController();
    const outcome = tools.invoke('hang', {}, { signal: controller.signal });
    controller.abort();
    await expect(outcome).rejects.toMatchObject({ code: 'ABORTED' });
    expect(onTimeout).not.toHaveBeenCalled();
  });
});

describe('MonitoredToolAdapter', () => {
  it('reports every call with its duration and outcome, successes and failures alike', async () => {
    let clock = 0;
    const inner = new InMemoryToolAdapter();
    inner.register({
      ...add,
      execute: ({ a, b }: { a: number; b: number }) => {
        clock += 25;
        return a + b;
      },
    });
    const calls: unknown[][] = [];
    const tools = new MonitoredToolAdapter(inner, {
      onExecution: (...call) => calls.push(call),
      now: () => clock,
    });
    expect(await tools.invoke('add', { a: 2, b: 3 })).toBe(5);
    await expect(tools.invoke('add', { a: 'x' })).rejects.toMatchObject({
      code: 'TOOL_INVALID_ARGS',
    });
    await expect(tools.invoke('nope', {})).rejects.toMatchObject({ code: 'TOOL_NOT_FOUND' });
    expect(calls).toEqual([
      ['add', { a: 2, b: 3 }, 25, { ok: true, result: 5 }],
      [
        'add',
        { a: 'x' },
        0,
        { ok: false, error: expect.objectContaining({ code: 'TOOL_INVALID_ARGS' }) },
      ],
      ['nope', {}, 0, { ok: false, error: expect.objectContaining({ code: 'TOOL_NOT_FOUND' }) }],
    ]);
  });

  it('never lets a throwing callback change the result', async () => {
    const inner = new InMemoryToolAdapter();
    inner.register(add);
    const tools = new MonitoredToolAdapter(inner, {
      onExecution: () => {
        throw new Error('observer bug');
      },
    });
    expect(await tools.invoke('add', { a: 1, b: 1 })).toBe(2);
    await expect(tools.invoke('missing', {})).rejects.toMatchObject({ code: 'TOOL_NOT_FOUND' });
  });
});

describe('SecureToolAdapter', () => {
  function setup(approve?: ConstructorParameters<typeof SecureToolAdapter>[1]['approve']) {
    const inner = new InMemoryToolAdapter();
    const runs: unknown[] = [];
    inner.register({
      ...add,
      execute: (args: { a: number; b: number }) => {
        runs.push(args);
        return args.a + args.b;
      },
    });
    inner.register({
      name: 'delete-everything',
      description: 'dangerous',
      parameters: { type: 'object' },
      execute: (args: unknown) => runs.push(args),
    });
    return { tools: new SecureToolAdapter(inner, { allow: ['add'], approve }), runs };
  }

  it('runs allow-listed tools and denies the others without running them', async () => {
    const { tools, runs } = setup();
    expect(await tools.invoke('add', { a: 1, b: 2 })).toBe(3);
    await expect(tools.invoke('delete-everything', {})).rejects.toMatchObject({
      name: 'ToolError',
      code: 'TOOL_DENIED',
      details: { toolName: 'delete-everything', reason: 'not-allowed' },
    });
    expect(runs).toEqual([{ a: 1, b: 2 }]);
    expect(tools.list().map((tool) => tool.name)).toEqual(['add']);
  });

  it('asks approve with the exact tool, arguments and actor, and runs only what was approved', async () => {
    const requests: unknown[] = [];
    const { tools, runs } = setup(async (request) => {
      requests.push(request);
      return request.args.a !== 666;
    });
    const args = { a: 1, b: 2 };
    const pending = tools.invoke('add', args, { actorId: 'actor-1' });
    args.a = 666; // changing the caller's object after the call cannot change what runs
    expect(await pending).toBe(3);
    await expect(tools.invoke('add', { a: 666, b: 0 })).rejects.toMatchObject({
      code: 'TOOL_DENIED',
      details: { reason: 'not-approved' },
    });
    expect(requests).toEqual([
      {
        toolName: 'add',
        args: { a: 1, b: 2 },
        tool: expect.objectContaining({ name: 'add' }),
        actorId: 'actor-1',
      },
      {
        toolName: 'add',
        args: { a: 666, b: 0 },
        tool: expect.objectContaining({ name: 'add' }),
        actorId: undefined,
      },
    ]);
    expect(Object.isFrozen((requests[0] as { args: object }).args)).toBe(true);
    expect(runs).toEqual([{ a: 1, b: 2 }]);
  });

  it('denies when approval throws or answers anything but true, and never asks for unlisted tools', async () => {
    const approve = vi.fn(async () => {
      throw new Error('approval service down');
    });
    const { tools, runs } = setup(approve);
    await expect(tools.invoke('add', { a: 1, b: 1 })).rejects.toMatchObject({
      code: 'TOOL_DENIED',
      cause: expect.objectContaining({ message: 'approval service down' }),
    });
    await expect(tools.invoke('delete-everything', {})).rejects.toMatchObject({
      code: 'TOOL_DENIED',
    });
    expect(approve).toHaveBeenCalledTimes(1);
    const truthy = setup(async () => 'yes' as never);
    await expect(truthy.tools.invoke('add', { a: 1, b: 1 })).rejects.toMatchObject({
      code: 'TOOL_DENIED',
    });
    expect([...runs, ...truthy.runs]).toEqual([]);
    await expect(truthy.tools.invoke('add', { a: () => 1 } as never)).rejects.toMatchObject({
      code: 'TOOL_INVALID_ARGS',
    });
  });
});
