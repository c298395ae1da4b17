import type { LlmPort, ToolSpec } from '@promethean-os/pantheon-core';
import { describe, expect, it, vi } from 'vitest';
import { CachedContextAdapter } from './cached-context-adapter';
import { InMemoryContextAdapter } from './in-memory-context-adapter';
import { InMemoryToolAdapter } from './in-memory-tool-adapter';
import { MonitoredToolAdapter } from './monitored-tool-adapter';
import { PooledLlmAdapter } from './pooled-llm-adapter';
import { TimeoutToolAdapter } from './timeout-tool-adapter';

// The developer guide's troubleshooting and performance snippets, as written there.
describe('seed developer guide snippets', () => {
  it('wraps a tool adapter with timeout monitoring and execution-time monitoring', async () => {
    const toolAdapter = new InMemoryToolAdapter();
    const slow: ToolSpec = {
      name: 'slow',
      description: 'takes a while',
      parameters: { type: 'object', properties: {} },
      execute: () => new Promise(() => {}),
    };
    toolAdapter.register(slow);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const warnings = vi.spyOn(console, 'warn').mockImplementation(() => {});

    // 1. Add timeout monitoring
    const timeoutToolAdapter = new TimeoutToolAdapter(toolAdapter, {
      timeout: 30,
      onTimeout: (toolName, args) => {
        console.error(`Tool timeout: ${toolName}`, { args });
      },
    });

    // 2. Monitor tool execution times
    const monitoredToolAdapter = new MonitoredToolAdapter(timeoutToolAdapter, {
      // biome-ignore lint/correctness/noUnusedFunctionParameters: the guide's snippet, verbatim.
      onExecution: (toolName, args, duration) => {
        if (duration > 10) {
          console.warn(`Slow tool execution: ${toolName} took ${duration}ms`);
        }
      },
    });

    await expect(monitoredToolAdapter.invoke('slow', { q: 1 })).rejects.toMatchObject({
      code: 'TOOL_TIMEOUT',
    });
    expect(errors).toHaveBeenCalledWith('Tool timeout: slow', { args: { q: 1 } });
    expect(warnings).toHaveBeenCalledWith(expect.stringMatching(/^Slow tool execution: slow took/));
    errors.mockRestore();
    warnings.mockRestore();
  });

  it('caches context, pools models and reports the in-memory cache size', async () => {
    const contextAdapter = new InMemoryContextAdapter();
    const cached = new CachedContextAdapter(contextAdapter, 300000);
    await cached.append!('a', { role: 'user', content: 'hi' });
    expect(await cached.compile({ actorId: 'a', sources: [] })).toHaveLength(1);

    const replies: string[] = [];
    const llm = new PooledLlmAdapter(2, (): LlmPort => {
      const id = replies.length;
      replies.push(`adapter ${id}`);
      return { complete: async () => ({ role: 'assistant', content: `adapter ${id}` }) };
    });
    expect((await llm.complete([{ role: 'user', content: 'x' }])).content).toBe('adapter 0');

    if (contextAdapter instanceof InMemoryContextAdapter) {
      expect(contextAdapter.getCacheSize()).toBe(1);
    }
  });
});
