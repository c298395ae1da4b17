import { describe, expect, it } from 'vitest';
import { llmBehavior } from '../agent/llm-behavior';
import type { ReplyStreamEvent } from '../approval-types';
import { LlmError } from '../errors';
import {
  fakeBus,
  fakeContext,
  fakeScheduler,
  fakeState,
  fakeTools,
  scriptWith,
} from '../orchestrator/fake-ports.test-support';
import type { LlmCompleteOptions, LlmPort, LlmStreamEvent } from '../ports/llm-port';
import type { Message, ToolSpec } from '../types';
import { PantheonSystem } from './pantheon-system';

const lookup: ToolSpec = {
  name: 'lookup-order',
  description: 'Finds an order',
  parameters: { type: 'object', properties: { id: { type: 'string' } } },
  execute: ({ id }: { id: string }) => ({ id, status: 'shipped' }),
};

const refund: ToolSpec = {
  name: 'refund',
  description: 'Refunds an order',
  parameters: { type: 'object', properties: { amount: { type: 'number' } } },
  needsApproval: true,
  execute: ({ amount }: { amount: number }) => ({ refunded: amount }),
};

/** A model that streams: thinks, calls the tool the user names, then answers in words. */
function streamingModel(
  pulled: { count: number; aborted: boolean } = { count: 0, aborted: false },
) {
  function reply(messages: Message[]): Message {
    const last = messages.at(-1)!;
    if (last.role === 'tool')
      return { role: 'assistant', content: `Your order is ${last.content}` };
    if (last.content.startsWith('long')) {
      return {
        role: 'assistant',
        content: Array.from({ length: 200 }, (_, i) => `w${i} `).join(''),
      };
    }
    const tool = last.content.startsWith('refund') ? 'refund' : 'lookup-order';
    const args = tool === 'refund' ? { amount: 80 } : { id: 'o-1' };
    return {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: `call-${tool}`, name: tool, args }],
    };
  }
  const llm: LlmPort = {
    async complete(messages) {
      return reply(messages);
    },
    async *stream(messages, options: LlmCompleteOptions = {}): AsyncIterable<LlmStreamEvent> {
      const message = reply(messages);
      const events: unknown[] = [{ type: 'reasoning-delta', delta: 'Let me think. ' }];
      for (const word of message.content.match(/\S+\s*/g) ?? []) {
        events.push({ type: 'text-delta', delta: word });
      }
      for (const toolCall of message.toolCalls ?? []) events.push({ type: 'tool-call', toolCall });
      events.push({ type: 'finish', message });
      for (const event of events) {
        if (options.signal?.aborted) {
          pulled.aborted = true;
          throw new LlmError('aborted', undefined, { code: 'LLM_ABORTED' });
        }
        pulled.count++;
        yield event as LlmStreamEvent;
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    },
  };
  return llm;
}

async function system(llm: LlmPort) {
  const pantheon = new PantheonSystem({
    contextAdapter: fakeContext(),
    toolAdapter: fakeTools([lookup, refund]),
    llmAdapter: llm,
    messageBus: fakeBus(),
    scheduler: fakeScheduler(),
    actorStateAdapter: fakeState(),
    log: () => {},
  });
  const script = scriptWith([llmBehavior({ name: 'desk', tools: ['lookup-order', 'refund'] })]);
  await pantheon.createActor({ id: 'desk', name: 'desk', script, goals: ['Help'] });
  await pantheon.startActor('desk');
  return pantheon;
}

/** An event in a few words, for comparing sequences. */
function brief(event: ReplyStreamEvent): string {
  switch (event.type) {
    case 'text-delta':
    case 'reasoning-delta':
      return `${event.type}:${event.delta.trim()}`;
    case 'tool-call':
      return `tool-call:${event.toolCall.name}`;
    case 'tool-result':
      return `tool-result:${event.content}`;
    case 'approval-requested':
      return `approval-requested:${event.approval.tool}`;
    case 'message':
      return `message:${event.message.content}`;
    case 'error':
      return `error:${event.error.code}`;
  }
}

describe('PantheonSystem.stream', () => {
  it('streams reasoning, text, tool calls and results in order, then the answer', async () => {
    const pantheon = await system(streamingModel());
    const events: ReplyStreamEvent[] = [];
    for await (const event of pantheon.stream('desk', 'where is o-1?')) events.push(event);
    expect(events.map(brief)).toEqual([
      'reasoning-delta:Let me think.',
      'tool-call:lookup-order',
      'tool-result:{"id":"o-1","status":"shipped"}',
      'reasoning-delta:Let me think.',
      'text-delta:Your',
      'text-delta:order',
      'text-delta:is',
      'text-delta:{"id":"o-1","status":"shipped"}',
      'message:Your order is {"id":"o-1","status":"shipped"}',
    ]);
    expect(events.every((event) => event.actorId === 'desk')).toBe(true);
  });

  it('holds the model back while a slow reader lets the buffer fill (bounded, not buffered)', async () => {
    const pulled = { count: 0, aborted: false };
    const pantheon = await system(streamingModel(pulled));
    const stream = pantheon.stream('desk', 'long answer please', { bufferSize: 4 });
    const first = await stream.next();
    expect(first.value?.type).toBe('reasoning-delta');
    await new Promise((resolve) => setTimeout(resolve, 50));
    // 202 events are on offer; the model was read only as far as the buffer has room.
    expect(pulled.count).toBeLessThanOrEqual(4 + 2);
    const rest: ReplyStreamEvent[] = [];
    for await (const event of stream) rest.push(event);
    expect(rest.filter((event) => event.type === 'text-delta')).toHaveLength(200);
    expect(rest.at(-1)?.type).toBe('message');
  });

  it('aborts the model call when the reader stops, without counting it as a failure', async () => {
    const pulled = { count: 0, aborted: false };
    const pantheon = await system(streamingModel(pulled));
    const restarted: string[] = [];
    pantheon.on('actor.restarted', ({ error }) => restarted.push(error.code));
    for await (const event of pantheon.stream('desk', 'long answer please', { bufferSize: 2 })) {
      if (event.type === 'text-delta') break;
    }
    await pantheon.whenIdle();
    expect(pulled.aborted).toBe(true);
    expect(pulled.count).toBeLessThan(20);
    expect(restarted).toEqual([]);
    // The actor goes on with the next request.
    const answer = await pantheon.ask('desk', 'where is o-1?');
    expect(answer.content).toBe('Your order is {"id":"o-1","status":"shipped"}');
  });

  it('ends a stream whose reader stopped reading with ASK_TIMEOUT, and frees the actor', async () => {
    const pulled = { count: 0, aborted: false };
    const pantheon = await system(streamingModel(pulled));
    const restarted: string[] = [];
    pantheon.on('actor.restarted', ({ error }) => restarted.push(error.code));
    const stream = pantheon.stream('desk', 'long answer please', { bufferSize: 2, timeoutMs: 100 });
    expect((await stream.next()).value?.type).toBe('reasoning-delta');
    // The reader goes quiet; the request's timeout ends the stream and aborts the tick.
    await pantheon.whenIdle();
    expect(pulled.aborted).toBe(true);
    const rest: ReplyStreamEvent[] = [];
    for await (const event of stream) rest.push(event);
    expect(rest.at(-1)).toMatchObject({ type: 'error', error: { code: 'ASK_TIMEOUT' } });
    expect(rest.length).toBeLessThanOrEqual(3);
    expect(restarted).toEqual([]);
    expect((await pantheon.ask('desk', 'where is o-1?')).content).toContain('shipped');
  });

  it('shows a call waiting for approval, and what follows once it is approved', async () => {
    const pantheon = await system(streamingModel());
    const events: string[] = [];
    for await (const event of pantheon.stream('desk', 'refund my order')) {
      events.push(brief(event));
      if (event.type === 'approval-requested') {
        await pantheon.approve(event.approval.id, { by: 'ops' });
      }
    }
    expect(events).toEqual([
      'reasoning-delta:Let me think.',
      'tool-call:refund',
      'approval-requested:refund',
      'tool-result:{"refunded":80}',
      'reasoning-delta:Let me think.',
      'text-delta:Your',
      'text-delta:order',
      'text-delta:is',
      'text-delta:{"refunded":80}',
      'message:Your order is {"refunded":80}',
    ]);
  });

  it('ends with an error event when the request fails', async () => {
    const llm: LlmPort = {
      complete: () => Promise.reject(new LlmError('down', undefined, { code: 'LLM_SERVER' })),
      // biome-ignore lint/correctness/useYield: fails before its first event.
      async *stream() {
        throw new LlmError('down', undefined, { code: 'LLM_SERVER' });
      },
    };
    const pantheon = await system(llm);
    const events: ReplyStreamEvent[] = [];
    for await (const event of pantheon.stream('desk', 'hello')) events.push(event);
    expect(events.map(brief)).toEqual(['error:ASK_FAILED']);
    const last = events[0];
    expect(last?.type === 'error' && last.error.cause).toMatchObject({ code: 'LLM_SERVER' });
  });

  it('rejects a bufferSize that is not a positive integer', async () => {
    const pantheon = await system(streamingModel());
    expect(() => pantheon.stream('desk', 'hi', { bufferSize: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
