import { describe, expect, it } from 'vitest';
import { llmBehavior } from '../agent/llm-behavior';
import { LlmError } from '../errors';
import type { LlmPort } from '../ports/llm-port';
import type { Behavior } from '../types';
import { combineHooks } from './combine-hooks';
import { actorWith, fakeTools, portsFor } from './fake-ports.test-support';
import { makeOrchestrator } from './make-orchestrator';
import type { ModelCallEvent, OrchestratorHooks, ToolCallEvent } from './types';

/** A model that first asks for `add` (and a tool that fails), then answers with the results. */
function toolCallingLlm(): LlmPort {
  return {
    async complete(messages) {
      if (messages.at(-1)?.role !== 'tool') {
        return {
          role: 'assistant',
          content: '',
          toolCalls: [
            { id: 'call-1', name: 'add', args: { a: 2, b: 3 } },
            { id: 'call-2', name: 'explode', args: {} },
          ],
          metadata: { model: 'test-model', usage: { inputTokens: 7, outputTokens: 2 } },
        };
      }
      return { role: 'assistant', content: 'done', metadata: { finishReason: 'stop' } };
    },
  };
}

const tools = fakeTools([
  {
    name: 'add',
    description: 'Adds',
    parameters: { type: 'object', properties: {} },
    execute: (args: Record<string, unknown>) => (args.a as number) + (args.b as number),
  },
  {
    name: 'explode',
    description: 'Fails',
    parameters: { type: 'object', properties: {} },
    execute: () => {
      throw new Error('boom');
    },
  },
]);

describe('onModelCall and onToolCall', () => {
  it('report each model call and each tool call of a behavior, with the call ids', async () => {
    const behavior = llmBehavior({ name: 'answer', tools: ['add', 'explode'] });
    const actor = actorWith([behavior]);
    const models: ModelCallEvent[] = [];
    const calls: ToolCallEvent[] = [];
    const { deps } = portsFor(actor, {
      llm: toolCallingLlm(),
      tools,
      hooks: { onModelCall: (event) => models.push(event), onToolCall: (e) => calls.push(e) },
    });
    const result = await makeOrchestrator(deps).tickActor(actor, { userMessage: 'sum' });

    expect(result.errors).toEqual([]);
    expect(models.map((event) => [event.behavior.name, event.reply?.content])).toEqual([
      ['answer', ''],
      ['answer', 'done'],
    ]);
    expect(models[0]?.reply?.metadata).toMatchObject({ model: 'test-model' });
    expect(models[0]?.messages.at(-1)).toMatchObject({ role: 'user', content: 'sum' });
    expect(models[0]?.options.tools?.map((tool) => tool.name)).toEqual(['add', 'explode']);
    expect(
      calls.map(({ name, toolCallId, result, error }) => ({ name, toolCallId, result, error })),
    ).toEqual([
      { name: 'add', toolCallId: 'call-1', result: 5, error: undefined },
      { name: 'explode', toolCallId: 'call-2', result: undefined, error: new Error('boom') },
    ]);
    for (const event of [...models, ...calls]) {
      expect(event.actor.id).toBe(actor.id);
      expect(event.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('report a failing model call with its error, and the tick fails as without the hook', async () => {
    const failure = new LlmError('rate limited', undefined, { code: 'LLM_RATE_LIMIT' });
    const behavior = llmBehavior({ name: 'answer' });
    const actor = actorWith([behavior]);
    const models: ModelCallEvent[] = [];
    const llm: LlmPort = {
      complete: () => Promise.reject(failure),
    };
    const { deps } = portsFor(actor, { llm, hooks: { onModelCall: (e) => models.push(e) } });
    const result = await makeOrchestrator(deps).tickActor(actor, { userMessage: 'hi' });
    expect(result.errors.map((error) => error.code)).toEqual(['LLM_RATE_LIMIT']);
    expect(models).toHaveLength(1);
    expect(models[0]?.error).toBe(failure);
    expect(models[0]?.reply).toBeUndefined();
  });

  it('report a streamed model call once the stream is read to its end', async () => {
    const streamed: Behavior = {
      name: 'stream',
      mode: 'active',
      async plan({ llm }) {
        let text = '';
        for await (const event of llm.stream!([{ role: 'user', content: 'hi' }])) {
          if (event.type === 'text-delta') text += event.delta;
        }
        return { actions: [{ type: 'message', content: text }] };
      },
    };
    const llm: LlmPort = {
      complete: async () => ({ role: 'assistant', content: 'unused' }),
      async *stream() {
        yield { type: 'text-delta', delta: 'he' };
        yield { type: 'text-delta', delta: 'llo' };
        yield { type: 'finish', message: { role: 'assistant', content: 'hello' } };
      },
    };
    const actor = actorWith([streamed]);
    const models: ModelCallEvent[] = [];
    const { deps, bus } = portsFor(actor, { llm, hooks: { onModelCall: (e) => models.push(e) } });
    await makeOrchestrator(deps).tickActor(actor, { userMessage: 'hi' });
    expect(bus.sent.map((message) => message.content)).toEqual(['hello']);
    expect(models.map((event) => event.reply?.content)).toEqual(['hello']);
  });

  it('leave the ports unwrapped when neither hook is set', async () => {
    const seen: unknown[] = [];
    const behavior: Behavior = {
      name: 'look',
      mode: 'active',
      plan: async ({ llm, tools: offered }) => {
        seen.push(llm, offered);
        return { actions: [] };
      },
    };
    const actor = actorWith([behavior]);
    const { deps } = portsFor(actor, { tools, hooks: { onTickStart: () => {} } });
    await makeOrchestrator(deps).tickActor(actor, { userMessage: 'hi' });
    // The model port is the one given; the tool port is the tick's keyed one, not an observed one.
    expect(seen[0]).toBe(deps.llm);
    expect(Object.keys(seen[1] as object).sort()).toEqual(['invoke', 'list', 'register']);
  });
});

describe('combineHooks', () => {
  it('calls every part in order, even after one throws, and rethrows the first error', () => {
    const calls: string[] = [];
    const first: OrchestratorHooks = {
      onTickStart: () => {
        calls.push('first');
        throw new Error('first failed');
      },
    };
    const second: OrchestratorHooks = {
      onTickStart: () => calls.push('second'),
      onToolCall: () => calls.push('tool'),
    };
    const combined = combineHooks(first, undefined, second);
    expect(Object.keys(combined).sort()).toEqual(['onTickStart', 'onToolCall']);
    const actor = actorWith([]);
    expect(() => combined.onTickStart?.({ actor, input: {} })).toThrow('first failed');
    expect(calls).toEqual(['first', 'second']);
  });

  it('keeps the tick going when a combined hook throws, and logs it', async () => {
    const seen: string[] = [];
    const behavior: Behavior = {
      name: 'reply',
      mode: 'active',
      plan: async () => ({ actions: [{ type: 'message', content: 'ok' }] }),
    };
    const actor = actorWith([behavior]);
    const hooks = combineHooks(
      {
        onTickEnd: () => {
          throw new Error('exporter down');
        },
      },
      { onTickEnd: ({ result }) => seen.push(result.state) },
    );
    const { deps, logs } = portsFor(actor, { hooks });
    const result = await makeOrchestrator(deps).tickActor(actor, { userMessage: 'hi' });
    expect(result.state).toBe('idle');
    expect(seen).toEqual(['idle']);
    expect(logs.map((entry) => entry.message)).toContain(
      'Orchestrator hook onTickEnd threw; ignored',
    );
  });
});
