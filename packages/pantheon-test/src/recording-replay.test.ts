import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  LlmError,
  type Message,
  makeOrchestrator,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizeRequest } from './cassette';
import { createTestActor, createTestScript } from './fixtures';
import { createMockActorState } from './mock-actor-state';
import { MockContextAdapter } from './mock-context-adapter';
import { collectStream, MockLlmAdapter } from './mock-llm-adapter';
import { createMockMessageBus } from './mock-message-bus';
import { createMockScheduler } from './mock-scheduler';
import { MockToolAdapter } from './mock-tool-adapter';
import { RecordingLlmAdapter } from './recording-llm-adapter';
import { ReplayLlmAdapter } from './replay-llm-adapter';

const user = (content: string): Message => ({ role: 'user', content });
const assistant = (content: string): Message => ({ role: 'assistant', content });
const lookup: ToolSpec = {
  name: 'lookup',
  description: 'Looks things up',
  parameters: { type: 'object', properties: { query: { type: 'string' } } },
  execute: () => 'found',
};

let directory: string;
let file: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'pantheon-cassette-'));
  file = join(directory, 'nested', 'conversation.cassette.json');
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

describe('RecordingLlmAdapter and ReplayLlmAdapter', () => {
  it('records a conversation once and replays it deterministically, without the model', async () => {
    const model = new MockLlmAdapter().queueResponses(
      assistant('Hello! How can I help?'),
      assistant('Refunds take 5 days.'),
    );
    const recorder = new RecordingLlmAdapter(model, file);
    const first = [user('Hello')];
    const second = [user('Hello'), assistant('Hello! How can I help?'), user('Refund time?')];
    expect((await recorder.complete(first, { model: 'gpt-test' })).content).toBe(
      'Hello! How can I help?',
    );
    await recorder.complete(second, { model: 'gpt-test', temperature: 0.2 });
    expect(recorder.getInteractions()).toHaveLength(2);

    const replay = new ReplayLlmAdapter(file);
    // Order does not matter and temperature is not part of the match.
    await expect(replay.complete(second, { model: 'gpt-test', temperature: 0.9 })).resolves.toEqual(
      assistant('Refunds take 5 days.'),
    );
    await expect(replay.complete(first, { model: 'gpt-test' })).resolves.toEqual(
      assistant('Hello! How can I help?'),
    );
    expect(model.getCalls()).toHaveLength(2);
  });

  it('writes pretty-printed JSON with sorted keys', async () => {
    const model = new MockLlmAdapter().setResponse({
      role: 'assistant',
      content: 'ok',
      metadata: { z: 1, a: 2 },
    });
    await new RecordingLlmAdapter(model, file).complete([user('hi')], {
      toolChoice: 'auto',
      model: 'm',
      tools: [lookup],
    });
    const text = readFileSync(file, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "interactions": [\n');
    const cassette = JSON.parse(text);
    expect(Object.keys(cassette)).toEqual(['interactions', 'version']);
    expect(Object.keys(cassette.interactions[0].request)).toEqual([
      'messages',
      'model',
      'toolChoice',
      'tools',
    ]);
    expect(Object.keys(cassette.interactions[0].reply.metadata)).toEqual(['a', 'z']);
    expect(cassette.interactions[0].request.tools).toEqual(['lookup']);
  });

  it('matches on model, tool names and toolChoice', async () => {
    const model = new MockLlmAdapter().setResponse(assistant('recorded'));
    await new RecordingLlmAdapter(model, file).complete([user('hi')], {
      model: 'gpt-a',
      tools: [lookup],
      toolChoice: 'auto',
    });
    const replay = new ReplayLlmAdapter(file);
    await expect(
      replay.complete([user('hi')], { model: 'gpt-a', tools: [lookup], toolChoice: 'auto' }),
    ).resolves.toEqual(assistant('recorded'));
    for (const options of [
      { model: 'gpt-b', tools: [lookup], toolChoice: 'auto' as const },
      { model: 'gpt-a', toolChoice: 'auto' as const },
      { model: 'gpt-a', tools: [lookup], toolChoice: 'required' as const },
    ]) {
      await expect(replay.complete([user('hi')], options)).rejects.toMatchObject({
        code: 'LLM_CASSETTE_MISS',
      });
    }
  });

  it('fails a miss with a typed error naming the model and the last user message', async () => {
    const model = new MockLlmAdapter().setResponse(assistant('ok'));
    await new RecordingLlmAdapter(model, file).complete([user('hi')], { model: 'gpt-a' });
    const error = await new ReplayLlmAdapter(file)
      .complete([user('hi'), assistant('ok'), user('Where is my order #123?')], { model: 'gpt-a' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmError);
    const miss = error as LlmError;
    expect(miss.code).toBe('LLM_CASSETTE_MISS');
    expect(miss.retryable).toBe(false);
    expect(miss.message).toContain('gpt-a');
    expect(miss.message).toContain('"Where is my order #123?"');
    expect(miss.details).toMatchObject({
      model: 'gpt-a',
      lastUserMessage: 'Where is my order #123?',
    });
  });

  it('serves repeated identical requests in recorded order, then repeats the last', async () => {
    const model = new MockLlmAdapter().queueResponses(assistant('first'), assistant('second'));
    const recorder = new RecordingLlmAdapter(model, file);
    await recorder.complete([user('roll a die')]);
    await recorder.complete([user('roll a die')]);
    const replay = new ReplayLlmAdapter(file);
    const answers = [];
    for (let index = 0; index < 3; index++) {
      answers.push((await replay.complete([user('roll a die')])).content);
    }
    expect(answers).toEqual(['first', 'second', 'second']);
  });

  it('records and replays errors as LlmErrors with their code', async () => {
    const model = new MockLlmAdapter().setError(
      new LlmError('Too many requests', undefined, { code: 'LLM_RATE_LIMIT', status: 429 }),
    );
    await expect(new RecordingLlmAdapter(model, file).complete([user('hi')])).rejects.toMatchObject(
      {
        code: 'LLM_RATE_LIMIT',
      },
    );
    const error = await new ReplayLlmAdapter(file)
      .complete([user('hi')])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ code: 'LLM_RATE_LIMIT', status: 429, retryable: true });
  });

  it('records streams and replays the same events', async () => {
    const model = new MockLlmAdapter().setResponse({
      role: 'assistant',
      content: 'Checking now',
      toolCalls: [{ id: 'call_9', name: 'lookup', args: { query: 'order' } }],
    });
    const recorded = await collectStream(
      new RecordingLlmAdapter(model, file).stream([user('order?')], { tools: [lookup] }),
    );
    const replay = new ReplayLlmAdapter(file);
    expect(await collectStream(replay.stream([user('order?')], { tools: [lookup] }))).toEqual(
      recorded,
    );
    await expect(replay.complete([user('order?')], { tools: [lookup] })).resolves.toMatchObject({
      content: 'Checking now',
    });
  });

  it('renumbers random tool call ids so an orchestrated conversation replays', async () => {
    const ask = [
      user('order?'),
      {
        role: 'assistant' as const,
        content: '',
        toolCalls: [{ id: 'call_ab12', name: 'lookup', args: {} }],
      },
      { role: 'tool' as const, content: 'shipped', toolCallId: 'call_ab12' },
    ];
    const again = structuredClone(ask);
    again[1]!.toolCalls![0]!.id = 'call_zz99';
    again[2]!.toolCallId = 'call_zz99';
    expect(normalizeRequest(again)).toEqual(normalizeRequest(ask));
    expect(normalizeRequest(ask).messages[2]?.toolCallId).toBe('call_1');

    const model = new MockLlmAdapter().setResponse(assistant('It shipped.'));
    await new RecordingLlmAdapter(model, file).complete(ask);
    await expect(new ReplayLlmAdapter(file).complete(again)).resolves.toEqual(
      assistant('It shipped.'),
    );
  });

  it('turns an orchestrated tick into a deterministic replay', async () => {
    const tick = async (llm: MockLlmAdapter | RecordingLlmAdapter | ReplayLlmAdapter) => {
      const bus = createMockMessageBus();
      const orchestrator = makeOrchestrator({
        now: () => 0,
        log: () => {},
        context: new MockContextAdapter(),
        tools: new MockToolAdapter(),
        llm,
        bus,
        schedule: createMockScheduler(),
        state: createMockActorState(),
      });
      const actor = createTestActor({
        script: createTestScript({ contextSources: [{ type: 'text', content: 'Be brief.' }] }),
      });
      await orchestrator.tickActor(actor, { userMessage: 'What are your hours?' });
      return bus.getCalls().map((message) => message.content);
    };
    const model = new MockLlmAdapter().setResponse(assistant('9 to 5.'));
    expect(await tick(new RecordingLlmAdapter(model, file))).toEqual(['9 to 5.']);
    expect(await tick(new ReplayLlmAdapter(file))).toEqual(['9 to 5.']);
  });

  it('appends to an existing cassette on request, and starts afresh otherwise', async () => {
    const model = new MockLlmAdapter().setResponse(assistant('ok'));
    await new RecordingLlmAdapter(model, file).complete([user('one')]);
    await new RecordingLlmAdapter(model, file, { append: true }).complete([user('two')]);
    const replay = new ReplayLlmAdapter(file);
    await expect(replay.complete([user('one')])).resolves.toEqual(assistant('ok'));
    await expect(replay.complete([user('two')])).resolves.toEqual(assistant('ok'));

    await new RecordingLlmAdapter(model, file).complete([user('three')]);
    await expect(new ReplayLlmAdapter(file).complete([user('one')])).rejects.toMatchObject({
      code: 'LLM_CASSETTE_MISS',
    });
  });

  describe('bad input fails at the call that made the mistake', () => {
    it('rejects a missing or malformed cassette at construction', () => {
      expect(() => new ReplayLlmAdapter(join(directory, 'missing.json'))).toThrow(
        expect.objectContaining({ code: 'CASSETTE_NOT_FOUND' }),
      );
      const bad = join(directory, 'bad.json');
      writeFileSync(bad, '{ "version": 2 }');
      expect(() => new ReplayLlmAdapter(bad)).toThrow(ConfigError);
      writeFileSync(bad, 'not json');
      expect(() => new ReplayLlmAdapter(bad)).toThrow(/not JSON/);
      writeFileSync(
        bad,
        JSON.stringify({ version: 1, interactions: [{ request: { messages: [] } }] }),
      );
      expect(() => new ReplayLlmAdapter(bad)).toThrow(/neither a reply nor an error/);
    });

    it('rejects a delegate that is not an LlmPort and an empty path', () => {
      expect(() => new RecordingLlmAdapter({} as never, file)).toThrow(/delegate/);
      expect(() => new RecordingLlmAdapter(new MockLlmAdapter(), '')).toThrow(/file/);
    });

    it('rejects malformed request messages before recording or matching', async () => {
      const bad = [{ role: 'user' } as Message];
      const recorder = new RecordingLlmAdapter(new MockLlmAdapter(), file);
      await expect(recorder.complete(bad)).rejects.toMatchObject({ code: 'LLM_BAD_REQUEST' });
      expect(recorder.getInteractions()).toEqual([]);
      await recorder.complete([user('fine')]);
      await expect(new ReplayLlmAdapter(file).complete(bad)).rejects.toMatchObject({
        code: 'LLM_BAD_REQUEST',
      });
    });
  });
});

describe('structured output in recordings', () => {
  it('records the text of an output reply and replays it parsed with the caller schema', async () => {
    const { z } = await import('zod');
    const Booking = z.object({
      nights: z.number(),
      checkIn: z.string().transform((text) => new Date(text)),
    });
    const text = '{"nights":3,"checkIn":"2026-05-01T00:00:00.000Z"}';
    const model = new MockLlmAdapter().queueResponses(assistant(text), assistant(text));
    const recorder = new RecordingLlmAdapter(model, file);
    const recorded = await recorder.complete([user('Book 3 nights from May 1')], {
      output: { schema: Booking, name: 'booking' },
    });
    expect(recorded.output).toEqual({ nights: 3, checkIn: new Date('2026-05-01T00:00:00.000Z') });
    await collectStream(
      recorder.stream([user('Stream it')], { output: { schema: Booking, name: 'booking' } }),
    );

    const cassette = JSON.parse(readFileSync(file, 'utf8'));
    expect(cassette.interactions[0].request.output).toBe('booking');
    expect(cassette.interactions[0].reply).toEqual({ role: 'assistant', content: text });
    expect(cassette.interactions[1].events.at(-1).message.output).toBeUndefined();

    const replay = new ReplayLlmAdapter(file);
    const replayed = await replay.complete([user('Book 3 nights from May 1')], {
      output: { schema: Booking, name: 'booking' },
    });
    expect(replayed.output).toEqual(recorded.output);
    const events = await collectStream(
      replay.stream([user('Stream it')], { output: { schema: Booking, name: 'booking' } }),
    );
    const finish = events.at(-1);
    expect(finish?.type === 'finish' && finish.message.output).toEqual(recorded.output);
    // Without output (or with another name) the request is another one.
    await expect(replay.complete([user('Book 3 nights from May 1')])).rejects.toMatchObject({
      code: 'LLM_CASSETTE_MISS',
    });
    // A schema that no longer matches the recording fails as the model's reply would.
    await expect(
      replay.complete([user('Book 3 nights from May 1')], {
        output: { schema: z.object({ nights: z.string() }), name: 'booking' },
      }),
    ).rejects.toMatchObject({ code: 'LLM_OUTPUT_INVALID', provider: 'replay' });
  });

  it('streams reasoning kept in metadata.reasoning as reasoning-delta events before the text', async () => {
    const model = new MockLlmAdapter().setResponse({
      role: 'assistant',
      content: 'Yes.',
      metadata: { reasoning: 'The user asks a yes/no question.' },
    });
    const events = await collectStream(model.stream!([user('Is it?')]));
    expect(events.map((event) => event.type)).toEqual([
      'reasoning-delta',
      'reasoning-delta',
      'reasoning-delta',
      'reasoning-delta',
      'reasoning-delta',
      'reasoning-delta',
      'text-delta',
      'finish',
    ]);
    const reasoning = events.flatMap((event) =>
      event.type === 'reasoning-delta' ? [event.delta] : [],
    );
    expect(reasoning.join('')).toBe('The user asks a yes/no question.');
  });
});
