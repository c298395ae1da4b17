import {
  type LlmCompleteOptions,
  LlmError,
  type LlmPort,
  type LlmStreamEvent,
  type Message,
} from '@promethean-os/pantheon-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { CachedLlmAdapter } from './cached-llm-adapter';
import { PooledLlmAdapter } from './pooled-llm-adapter';
import { ResilientLlmAdapter } from './resilient-llm-adapter';

afterEach(() => {
  vi.useRealTimers();
});

type Reply = Message | Error | ((options?: LlmCompleteOptions) => Promise<Message>);

/** A model that answers from a script, one entry per call (the last one repeats), and records calls. */
function scriptedModel(...script: Reply[]) {
  const calls: { messages: Message[]; options?: LlmCompleteOptions }[] = [];
  const model: LlmPort & { calls: typeof calls } = {
    calls,
    async complete(messages, options) {
      calls.push({ messages, options });
      const next = script[Math.min(calls.length - 1, script.length - 1)]!;
      if (next instanceof Error) throw next;
      if (typeof next === 'function') return next(options);
      return structuredClone(next);
    },
  };
  return model;
}

const hello: Message[] = [{ role: 'user', content: 'Hello' }];
const answer = (content: string): Message => ({ role: 'assistant', content });
const serverError = () =>
  new LlmError('upstream 503', undefined, { code: 'LLM_SERVER', status: 503, provider: 'test' });
const badRequest = () =>
  new LlmError('bad request', undefined, {
    code: 'LLM_BAD_REQUEST',
    status: 400,
    provider: 'test',
  });

describe('PooledLlmAdapter', () => {
  it('takes turns round-robin over the pool, for complete and stream', async () => {
    let made = 0;
    const pool = new PooledLlmAdapter(3, () => {
      const id = made++;
      return {
        complete: async () => answer(`model ${id}`),
        async *stream(): AsyncIterable<LlmStreamEvent> {
          yield { type: 'finish', message: answer(`stream ${id}`) };
        },
      };
    });
    const replies: string[] = [];
    for (let index = 0; index < 4; index++) replies.push((await pool.complete(hello)).content);
    expect(replies).toEqual(['model 0', 'model 1', 'model 2', 'model 0']);
    const events: LlmStreamEvent[] = [];
    for await (const event of pool.stream!(hello)) events.push(event);
    expect(events).toEqual([{ type: 'finish', message: answer('stream 1') }]);
    expect(pool.adapters).toHaveLength(3);
  });

  it('has no stream when the pooled models do not stream, and rejects bad settings', () => {
    expect(new PooledLlmAdapter(1, () => scriptedModel(answer('x'))).stream).toBeUndefined();
    for (const size of [0, -1, 1.5, Number.NaN]) {
      expect(() => new PooledLlmAdapter(size, () => scriptedModel())).toThrow(
        expect.objectContaining({ code: 'CONFIG_ERROR' }),
      );
    }
  });
});

describe('CachedLlmAdapter', () => {
  it('reuses replies to identical requests, keyed on messages and options but not the signal', async () => {
    const model = scriptedModel(answer('one'), answer('two'), answer('three'));
    const llm = new CachedLlmAdapter(model);
    const first = await llm.complete(hello, { model: 'm', temperature: 0 });
    const second = await llm.complete([{ content: 'Hello', role: 'user' }], {
      temperature: 0,
      model: 'm',
      signal: new AbortController().signal,
    });
    expect(second).toEqual(answer('one'));
    second.content = 'mutated by a caller';
    expect((await llm.complete(hello, { model: 'm', temperature: 0 })).content).toBe('one');
    expect(first.content).toBe('one');
    expect((await llm.complete(hello, { model: 'm', temperature: 0.5 })).content).toBe('two');
    expect(model.calls).toHaveLength(2);
  });

  it('keys tools by name, description and schema', async () => {
    const model = scriptedModel(answer('a'), answer('b'), answer('c'));
    const llm = new CachedLlmAdapter(model);
    const tool = (description: string) => ({
      name: 'search',
      description,
      parameters: z.object({ query: z.string() }),
      execute: () => 'x',
    });
    await llm.complete(hello, { tools: [tool('Searches')] });
    await llm.complete(hello, { tools: [{ ...tool('Searches'), execute: () => 'other' }] });
    await llm.complete(hello, { tools: [tool('Searches the web')] });
    expect(model.calls).toHaveLength(2);
  });

  it('keys a structured output by its JSON Schema, apart from the same request without it', async () => {
    const model = scriptedModel(answer('{"n":1}'), answer('{"n":2}'), answer('{"n":3}'));
    const llm = new CachedLlmAdapter(model);
    await llm.complete(hello);
    const schema = () => z.object({ n: z.number() });
    await llm.complete(hello, { output: { schema: schema() } });
    // Another zod schema object of the same shape is the same request.
    await llm.complete(hello, { output: { schema: schema() } });
    await llm.complete(hello, { output: { schema: z.object({ n: z.string() }) } });
    expect(model.calls).toHaveLength(3);
  });

  it('never caches errors or replies to aborted calls, and expires and bounds entries', async () => {
    let clock = 0;
    const controller = new AbortController();
    const model = scriptedModel(serverError(), answer('late'), answer('fresh'), answer('x'));
    const llm = new CachedLlmAdapter(model, { ttlMs: 100, maxEntries: 1, now: () => clock });
    await expect(llm.complete(hello)).rejects.toMatchObject({ code: 'LLM_SERVER' });
    const aborted = llm.complete(hello, { signal: controller.signal });
    controller.abort();
    expect((await aborted).content).toBe('late');
    expect(llm.size).toBe(0);
    expect((await llm.complete(hello)).content).toBe('fresh');
    expect((await llm.complete(hello)).content).toBe('fresh');
    clock = 100;
    expect((await llm.complete(hello)).content).toBe('x');
    await llm.complete([{ role: 'user', content: 'other' }]);
    expect(llm.size).toBe(1);
    expect(() => new CachedLlmAdapter(model, { maxEntries: 0 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_ERROR' }),
    );
  });
});

describe('ResilientLlmAdapter', () => {
  it('retries retryable LlmErrors with backoff and succeeds', async () => {
    vi.useFakeTimers();
    const model = scriptedModel(serverError(), serverError(), answer('finally'));
    const retries: number[] = [];
    const llm = new ResilientLlmAdapter(model, {
      retry: { maxRetries: 2, initialDelayMs: 100, maxDelayMs: 1000 },
      onRetry: ({ attempt }) => retries.push(attempt),
    });
    const reply = llm.complete(hello);
    await vi.advanceTimersByTimeAsync(5000);
    expect(await reply).toEqual(answer('finally'));
    expect(model.calls).toHaveLength(3);
    expect(retries).toEqual([1, 2]);
  });

  it('does not retry errors that are not retryable, nor foreign errors', async () => {
    const model = scriptedModel(badRequest());
    const llm = new ResilientLlmAdapter(model, { retry: { initialDelayMs: 1 } });
    await expect(llm.complete(hello)).rejects.toMatchObject({ code: 'LLM_BAD_REQUEST' });
    expect(model.calls).toHaveLength(1);
    const foreign = scriptedModel(new TypeError('bug in an adapter'));
    await expect(
      new ResilientLlmAdapter(foreign, { retry: { initialDelayMs: 1 } }).complete(hello),
    ).rejects.toThrow(TypeError);
    expect(foreign.calls).toHaveLength(1);
  });

  it('gives up after maxRetries with the last error', async () => {
    vi.useFakeTimers();
    const model = scriptedModel(serverError());
    const llm = new ResilientLlmAdapter(model, {
      retry: { maxRetries: 2, initialDelayMs: 10 },
      circuitBreaker: false,
    });
    const outcome = llm.complete(hello);
    const assertion = expect(outcome).rejects.toMatchObject({ code: 'LLM_SERVER', status: 503 });
    await vi.advanceTimersByTimeAsync(10_000);
    await assertion;
    expect(model.calls).toHaveLength(3);
  });

  it('opens the circuit after consecutive failures, fails fast with LLM_CIRCUIT_OPEN, then recovers', async () => {
    vi.useFakeTimers();
    const model = scriptedModel(serverError(), serverError(), answer('recovered'));
    const states: string[] = [];
    const llm = new ResilientLlmAdapter(model, {
      retry: false,
      circuitBreaker: { consecutiveFailures: 2, halfOpenAfterMs: 1000 },
      onCircuitStateChange: (state) => states.push(state),
    });
    await expect(llm.complete(hello)).rejects.toMatchObject({ code: 'LLM_SERVER' });
    await expect(llm.complete(hello)).rejects.toMatchObject({ code: 'LLM_SERVER' });
    expect(llm.circuitState).toBe('open');
    await expect(llm.complete(hello)).rejects.toMatchObject({
      name: 'LlmError',
      code: 'LLM_CIRCUIT_OPEN',
      retryable: false,
    });
    expect(model.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await llm.complete(hello)).toEqual(answer('recovered'));
    expect(llm.circuitState).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('stops retrying when the circuit opens', async () => {
    vi.useFakeTimers();
    const model = scriptedModel(serverError());
    const llm = new ResilientLlmAdapter(model, {
      retry: { maxRetries: 5, initialDelayMs: 10, maxDelayMs: 10 },
      circuitBreaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 },
    });
    const outcome = llm.complete(hello);
    const assertion = expect(outcome).rejects.toMatchObject({ code: 'LLM_CIRCUIT_OPEN' });
    await vi.advanceTimersByTimeAsync(1000);
    await assertion;
    expect(model.calls).toHaveLength(2);
  });

  it('times out slow attempts as a retryable LLM_TIMEOUT and aborts their signal', async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const model = scriptedModel(
      (options) => {
        signal = options?.signal;
        return new Promise(() => {});
      },
      async () => answer('second try'),
    );
    const llm = new ResilientLlmAdapter(model, { timeoutMs: 500, retry: { initialDelayMs: 10 } });
    const reply = llm.complete(hello);
    await vi.advanceTimersByTimeAsync(2000);
    expect(await reply).toEqual(answer('second try'));
    expect(signal?.aborted).toBe(true);

    const slow = new ResilientLlmAdapter(
      scriptedModel(() => new Promise(() => {})),
      {
        timeoutMs: 500,
        retry: false,
      },
    );
    const outcome = slow.complete(hello);
    const assertion = expect(outcome).rejects.toMatchObject({
      code: 'LLM_TIMEOUT',
      retryable: true,
    });
    await vi.advanceTimersByTimeAsync(500);
    await assertion;
  });

  it('limits concurrency with a bulkhead: LLM_BULKHEAD_FULL past the queue', async () => {
    const releases: (() => void)[] = [];
    const model = scriptedModel(
      () =>
        new Promise<Message>((resolve) => {
          releases.push(() => resolve(answer('done')));
        }),
    );
    const llm = new ResilientLlmAdapter(model, { bulkhead: { limit: 1, queue: 1 }, retry: false });
    const first = llm.complete(hello);
    const queued = llm.complete(hello);
    await expect(llm.complete(hello)).rejects.toMatchObject({ code: 'LLM_BULKHEAD_FULL' });
    await vi.waitFor(() => expect(releases).toHaveLength(1));
    releases[0]!();
    await first;
    await vi.waitFor(() => expect(releases).toHaveLength(2));
    releases[1]!();
    expect(await queued).toEqual(answer('done'));
  });

  it('turns the caller aborting into LLM_ABORTED without retrying', async () => {
    vi.useFakeTimers();
    const model = scriptedModel(serverError());
    const llm = new ResilientLlmAdapter(model, { retry: { initialDelayMs: 1000 } });
    const controller = new AbortController();
    const outcome = llm.complete(hello, { signal: controller.signal });
    const assertion = expect(outcome).rejects.toMatchObject({ code: 'LLM_ABORTED' });
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    await vi.advanceTimersByTimeAsync(5000);
    await assertion;
    expect(model.calls).toHaveLength(1);
  });

  it('streams unchanged, refuses streams while the circuit is open, and rejects bad settings', async () => {
    const streaming: LlmPort = {
      complete: async () => answer('x'),
      async *stream() {
        yield { type: 'text-delta', delta: 'Hi' };
        yield { type: 'finish', message: answer('Hi') };
      },
    };
    const llm = new ResilientLlmAdapter(streaming);
    const events: LlmStreamEvent[] = [];
    for await (const event of llm.stream!(hello)) events.push(event);
    expect(events.map((event) => event.type)).toEqual(['text-delta', 'finish']);
    expect(new ResilientLlmAdapter(scriptedModel()).stream).toBeUndefined();

    const failing = new ResilientLlmAdapter(
      { ...streaming, complete: () => Promise.reject(serverError()) },
      { retry: false, circuitBreaker: { consecutiveFailures: 1, halfOpenAfterMs: 60_000 } },
    );
    await expect(failing.complete(hello)).rejects.toMatchObject({ code: 'LLM_SERVER' });
    const refused = async () => {
      for await (const _event of failing.stream!(hello)) {
        // consumed only to surface the refusal
      }
    };
    await expect(refused()).rejects.toMatchObject({ code: 'LLM_CIRCUIT_OPEN' });
    expect(() => new ResilientLlmAdapter(streaming, { timeoutMs: -1 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_ERROR' }),
    );
  });
});
