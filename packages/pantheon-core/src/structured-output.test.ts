import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { LlmError } from './errors';
import type { LlmCompleteOptions, LlmPort } from './ports/llm-port';
import { completeOutput, llmOutput } from './structured-output';
import type { Message } from './types';

const Weather = z.object({
  city: z.string(),
  celsius: z.number(),
  conditions: z.enum(['sunny', 'cloudy', 'rain']),
});

const weatherJsonSchema = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    celsius: { type: 'number' },
  },
  required: ['city', 'celsius'],
  additionalProperties: false,
} as const;

const reply = (content: string, extra: Partial<Message> = {}): Message => ({
  role: 'assistant',
  content,
  ...extra,
});

function failure(run: () => unknown): LlmError {
  try {
    run();
  } catch (error) {
    if (LlmError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an LlmError');
}

describe('llmOutput', () => {
  it('gives the JSON Schema of what a zod schema parses, its name and strictness', () => {
    const output = llmOutput({ schema: Weather, name: 'weather', description: 'The weather' });
    expect(output.name).toBe('weather');
    expect(output.description).toBe('The weather');
    expect(output.strict).toBe(true);
    expect(output.jsonSchema).toEqual({
      type: 'object',
      properties: {
        city: { type: 'string' },
        celsius: { type: 'number' },
        conditions: { type: 'string', enum: ['sunny', 'cloudy', 'rain'] },
      },
      required: ['city', 'celsius', 'conditions'],
    });
    expect(llmOutput({ schema: weatherJsonSchema, strict: false })).toMatchObject({
      name: 'output',
      strict: false,
      jsonSchema: weatherJsonSchema,
    });
  });

  it('parses and validates the reply text into output, keeping the text', () => {
    const text = '{"city":"Paris","celsius":21,"conditions":"sunny"}';
    const parsed = llmOutput({ schema: Weather }).parse(reply(text, { metadata: { id: 'r1' } }));
    expect(parsed).toEqual({
      role: 'assistant',
      content: text,
      metadata: { id: 'r1' },
      output: { city: 'Paris', celsius: 21, conditions: 'sunny' },
    });
  });

  it('applies the zod schema: defaults and transforms are in output', () => {
    const schema = z.object({
      when: z.string().transform((text) => new Date(text)),
      n: z.number().default(3),
    });
    const parsed = llmOutput({ schema, strict: false }).parse(
      reply('{"when":"2026-01-02T00:00:00Z"}'),
    );
    expect(parsed.output).toEqual({ when: new Date('2026-01-02T00:00:00Z'), n: 3 });
  });

  it('validates against a JSON Schema too', () => {
    const output = llmOutput({ schema: weatherJsonSchema });
    expect(output.parse(reply('{"city":"Oslo","celsius":-4}')).output).toEqual({
      city: 'Oslo',
      celsius: -4,
    });
    const error = failure(() => output.parse(reply('{"city":"Oslo","celsius":"cold"}')));
    expect(error.code).toBe('LLM_OUTPUT_INVALID');
    expect(error.details?.issues).toEqual([
      { path: 'celsius', message: expect.stringContaining('number') },
    ]);
  });

  it('accepts JSON inside one Markdown code fence', () => {
    const parsed = llmOutput({ schema: weatherJsonSchema }).parse(
      reply('```json\n{"city":"Rome","celsius":30}\n```'),
    );
    expect(parsed.output).toEqual({ city: 'Rome', celsius: 30 });
  });

  it('rejects a reply that does not match with LLM_OUTPUT_INVALID, its issues and the text', () => {
    const text = '{"city":"Paris","celsius":"warm","conditions":"foggy"}';
    const error = failure(() => llmOutput({ schema: Weather }, 'acme').parse(reply(text)));
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({
      code: 'LLM_OUTPUT_INVALID',
      provider: 'acme',
      retryable: false,
      details: {
        name: 'output',
        content: text,
        issues: [
          { path: 'celsius', message: expect.any(String) },
          { path: 'conditions', message: expect.any(String) },
        ],
      },
    });
    expect(error.message).toContain('celsius');
  });

  it('rejects text that is not JSON, an empty reply and a refusal', () => {
    const output = llmOutput({ schema: Weather });
    const notJson = failure(() => output.parse(reply('It is sunny in Paris.')));
    expect(notJson).toMatchObject({
      code: 'LLM_OUTPUT_INVALID',
      details: {
        issues: [{ path: '(root)', message: 'expected JSON, received text that is not JSON' }],
      },
    });
    expect(notJson.cause).toBeInstanceOf(SyntaxError);
    expect(failure(() => output.parse(reply(''))).details?.issues).toEqual([
      { path: '(root)', message: 'expected JSON, received an empty reply' },
    ]);
    const refused = failure(() =>
      output.parse(reply('', { metadata: { refusal: "I can't help with that." } })),
    );
    expect(refused.details?.issues).toEqual([
      { path: '(root)', message: "the model refused: I can't help with that." },
    ]);
  });

  it('returns a reply that asks for tools unchanged', () => {
    const toolReply = reply('', { toolCalls: [{ id: 'c1', name: 'get-weather', args: {} }] });
    expect(llmOutput({ schema: Weather }).parse(toolReply)).toBe(toolReply);
  });

  it('rejects a malformed option with LLM_BAD_REQUEST', () => {
    for (const spec of [
      undefined,
      { schema: 'object' },
      { schema: Weather, name: 'has spaces' },
      { schema: Weather, name: 'x'.repeat(65) },
      { schema: Weather, strict: 'yes' },
      { schema: Weather, description: 42 },
    ]) {
      const error = failure(() => llmOutput(spec as never, 'acme'));
      expect(error).toMatchObject({ code: 'LLM_BAD_REQUEST', provider: 'acme', retryable: false });
      expect(error.message).toMatch(/^Invalid output option: /);
    }
  });
});

describe('completeOutput', () => {
  /** A model that answers `text` and ignores `output`, as an adapter written before it would. */
  function answering(...texts: string[]) {
    const calls: LlmCompleteOptions[] = [];
    const llm: LlmPort = {
      async complete(_messages, options = {}) {
        calls.push(options);
        return { role: 'assistant', content: texts.shift() ?? '' };
      },
    };
    return { llm, calls };
  }

  it('types output from a zod schema and validates replies of adapters that ignore output', async () => {
    const { llm, calls } = answering('{"city":"Paris","celsius":21,"conditions":"sunny"}');
    const answer = await completeOutput(llm, [{ role: 'user', content: 'Weather in Paris?' }], {
      output: { schema: Weather, name: 'weather' },
    });
    expectTypeOf(answer.output).toEqualTypeOf<{
      city: string;
      celsius: number;
      conditions: 'sunny' | 'cloudy' | 'rain';
    }>();
    expect(answer.output).toEqual({ city: 'Paris', celsius: 21, conditions: 'sunny' });
    expect(calls[0]?.output?.name).toBe('weather');
  });

  it('types a JSON Schema output as unknown, and a call with tools as output or tool calls', async () => {
    const { llm } = answering('{"city":"Oslo","celsius":-4}');
    const plain = await completeOutput(llm, [{ role: 'user', content: 'Oslo?' }], {
      output: { schema: weatherJsonSchema },
    });
    expectTypeOf(plain.output).toEqualTypeOf<unknown>();
    const withTools = await completeOutput(
      answering('{"city":"Paris","celsius":21,"conditions":"rain"}').llm,
      [{ role: 'user', content: 'Paris?' }],
      { output: { schema: Weather }, tools: [] },
    );
    // With tools, the reply may ask for them instead of answering: then there is no output.
    expectTypeOf(withTools.output).toEqualTypeOf<z.output<typeof Weather> | undefined>();
    expect(withTools.output).toMatchObject({ conditions: 'rain' });
  });

  it('trusts the output an adapter already parsed', async () => {
    const llm: LlmPort = {
      async complete() {
        return { role: 'assistant', content: '{"n":"1"}', output: { n: 1 } };
      },
    };
    const schema = z.object({ n: z.string().transform(Number) });
    const answer = await completeOutput(llm, [], { output: { schema } });
    expectTypeOf(answer.output).toEqualTypeOf<{ n: number }>();
    expect(answer.output).toEqual({ n: 1 });
  });

  it('rejects a reply that does not match', async () => {
    const { llm } = answering('{"city":"Paris"}');
    await expect(
      completeOutput(llm, [{ role: 'user', content: 'Paris?' }], { output: { schema: Weather } }),
    ).rejects.toMatchObject({ code: 'LLM_OUTPUT_INVALID' });
  });
});
