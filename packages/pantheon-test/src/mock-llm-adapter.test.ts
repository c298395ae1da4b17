import {
  ConfigError,
  LlmError,
  type LlmStreamEvent,
  type Message,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import { MockLlmAdapter } from './mock-llm-adapter';

const user = (content: string): Message => ({ role: 'user', content });
const assistant = (content: string): Message => ({ role: 'assistant', content });

async function collect(events: AsyncIterable<LlmStreamEvent>) {
  const out: LlmStreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe('MockLlmAdapter', () => {
  it('echoes the last user message when nothing is configured', async () => {
    const llm = new MockLlmAdapter();
    await expect(
      llm.complete([user('first'), assistant('ok'), user('Hello, test!')]),
    ).resolves.toEqual({ role: 'assistant', content: 'Hello, test!' });
    await expect(llm.complete([{ role: 'system', content: 'rules' }])).resolves.toEqual({
      role: 'assistant',
      content: '',
    });
  });

  it('answers with queued replies first, in order, then the sticky default', async () => {
    const llm = new MockLlmAdapter()
      .setResponse(assistant('default'))
      .queueResponses(assistant('one'), assistant('two'));
    expect(llm.pendingResponses()).toBe(2);
    const answers = [];
    for (let index = 0; index < 4; index++) {
      answers.push((await llm.complete([user(`q${index}`)])).content);
    }
    expect(answers).toEqual(['one', 'two', 'default', 'default']);
    expect(llm.pendingResponses()).toBe(0);
  });

  it('computes a reply with a function of the messages and options', async () => {
    const llm = new MockLlmAdapter().setResponse((messages, opts) =>
      assistant(`${opts.model}: ${messages.length} messages`),
    );
    const reply = await llm.complete([user('a'), user('b')], { model: 'gpt-test' });
    expect(reply.content).toBe('gpt-test: 2 messages');
  });

  it('rejects with the error set, and with a queued error once', async () => {
    const outage = new LlmError('down', undefined, { code: 'LLM_SERVER', status: 503 });
    const llm = new MockLlmAdapter().setError(outage);
    await expect(llm.complete([user('hi')])).rejects.toBe(outage);
    await expect(llm.complete([user('hi')])).rejects.toBe(outage);
    llm.setError(undefined);
    await expect(llm.complete([user('hi')])).resolves.toMatchObject({ content: 'hi' });

    const limited = new LlmError('slow down', undefined, { code: 'LLM_RATE_LIMIT', status: 429 });
    llm.queueResponses(limited, assistant('after retry'));
    await expect(llm.complete([user('hi')])).rejects.toBe(limited);
    await expect(llm.complete([user('hi')])).resolves.toMatchObject({ content: 'after retry' });
  });

  it('records copies of every call', async () => {
    const llm = new MockLlmAdapter();
    const tool: ToolSpec = {
      name: 'lookup',
      description: 'Looks things up',
      parameters: { type: 'object' },
      execute: () => 'found',
    };
    const messages = [user('question')];
    const signal = new AbortController().signal;
    await llm.complete(messages, { model: 'm', tools: [tool], toolChoice: 'auto', signal });
    messages[0]!.content = 'changed afterwards';
    messages.push(user('added afterwards'));

    const calls = llm.getCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0].messages).toEqual([user('question')]);
    expect(calls[0].opts).toMatchObject({ model: 'm', toolChoice: 'auto' });
    expect(calls[0].opts.tools?.[0]).toBe(tool);
    expect(calls[0].opts.signal).toBe(signal);
    calls[0].messages.push(user('tampered'));
    expect(llm.getCalls()[0].messages).toHaveLength(1);
  });

  it('never lets a caller mutate the configured reply', async () => {
    const llm = new MockLlmAdapter().setResponse(assistant('stable'));
    const first = await llm.complete([user('a')]);
    first.content = 'mutated';
    expect((await llm.complete([user('b')])).content).toBe('stable');
  });

  it('returns tool calls and streams them, with deltas adding up to the text', async () => {
    const toolCalls = [{ id: 'call_1', name: 'lookup', args: { query: 'refunds' } }];
    const llm = new MockLlmAdapter().queueResponses(
      { role: 'assistant', content: 'Let me check that  for you.', toolCalls },
      assistant('done'),
    );
    const events = await collect(llm.stream([user('refund?')]));
    const deltas = events.flatMap((event) => (event.type === 'text-delta' ? [event.delta] : []));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('Let me check that  for you.');
    expect(events.filter((event) => event.type === 'tool-call')).toEqual([
      { type: 'tool-call', toolCall: toolCalls[0] },
    ]);
    expect(events.at(-1)).toEqual({
      type: 'finish',
      message: { role: 'assistant', content: 'Let me check that  for you.', toolCalls },
    });
    expect((await llm.complete([user('next')])).content).toBe('done');
    expect(llm.getCalls()).toHaveLength(2);
  });

  it('rejects an aborted call with LlmError LLM_ABORTED, the reason as cause', async () => {
    const controller = new AbortController();
    const reason = new Error('user left');
    controller.abort(reason);
    const error = await new MockLlmAdapter()
      .complete([user('hi')], { signal: controller.signal })
      .catch((caught: unknown) => caught);
    expect(LlmError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'LLM_ABORTED', provider: 'mock', retryable: false });
    expect((error as LlmError).cause).toBe(reason);
  });

  it('resets everything', async () => {
    const llm = new MockLlmAdapter()
      .setResponse(assistant('x'))
      .queueResponses(assistant('y'))
      .setError(new Error('boom'));
    await llm.complete([user('hi')]).catch(() => {});
    llm.reset();
    expect(llm.getCalls()).toEqual([]);
    expect(llm.pendingResponses()).toBe(0);
    await expect(llm.complete([user('echo me')])).resolves.toEqual(assistant('echo me'));
  });

  describe('bad input fails at the call that made the mistake', () => {
    it('rejects a malformed reply in setResponse, naming the field', () => {
      const llm = new MockLlmAdapter();
      expect(() => llm.setResponse({ role: 'assistant' } as Message)).toThrow(ConfigError);
      expect(() => llm.setResponse({ role: 'assistant' } as Message)).toThrow(/response\.content/);
      expect(() => llm.setResponse(user('I am not the model'))).toThrow(/response\.role/);
    });

    it('rejects a malformed queued reply and queues none of the batch', () => {
      const llm = new MockLlmAdapter();
      let error: unknown;
      try {
        llm.queueResponses(assistant('fine'), {
          role: 'assistant',
          content: 'bad call',
          toolCalls: [{ id: 'call_1', name: '', args: {} }],
        });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).code).toBe('INVALID_ARGUMENT');
      expect((error as ConfigError).message).toContain('responses[1].toolCalls[0].name');
      expect(llm.pendingResponses()).toBe(0);
    });

    it('rejects a non-Error in setError', () => {
      expect(() => new MockLlmAdapter().setError('boom' as unknown as Error)).toThrow(ConfigError);
    });

    it('rejects malformed request messages with LLM_BAD_REQUEST', async () => {
      const error = await new MockLlmAdapter()
        .complete([user('ok'), { role: 'user' } as Message])
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(LlmError);
      expect((error as LlmError).code).toBe('LLM_BAD_REQUEST');
      expect((error as LlmError).message).toContain('messages[1].content');
    });

    it('rejects an invalid reply computed by a function with LLM_INVALID_RESPONSE', async () => {
      const llm = new MockLlmAdapter().setResponse(() => ({ role: 'assistant' }) as Message);
      await expect(llm.complete([user('hi')])).rejects.toMatchObject({
        code: 'LLM_INVALID_RESPONSE',
      });
    });
  });
});
