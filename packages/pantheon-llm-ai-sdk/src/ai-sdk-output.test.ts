import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { completeOutput } from '@promethean-os/pantheon-core';
import {
  collectStream,
  createRecordingServer,
  type RecordingServer,
} from '@promethean-os/pantheon-test';
import { MockLanguageModelV4 } from 'ai/test';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { AiSdkLlmAdapter } from './ai-sdk-adapter';
import { chatCompletion, generateResult, usageOf } from './ai-sdk-fixtures.test-helper';

let server: RecordingServer;

beforeEach(async () => {
  server = await createRecordingServer();
});

afterEach(async () => {
  await server.close();
});

const Invoice = z.object({ number: z.string(), total: z.number(), paid: z.boolean() });

describe('AiSdkLlmAdapter structured output', () => {
  it('passes output as the spec responseFormat, which a provider sends natively', async () => {
    server.reply({
      json: chatCompletion({
        role: 'assistant',
        content: '{"number":"INV-7","total":120.5,"paid":false}',
      }),
    });
    const provider = createOpenAICompatible({
      name: 'local',
      baseURL: `${server.url}/v1`,
      apiKey: 'sk-local',
      supportsStructuredOutputs: true,
    });
    const llm = new AiSdkLlmAdapter(provider('qwen3:8b'), { retryDelayMs: 1 });

    const reply = await completeOutput(llm, [{ role: 'user', content: 'Read INV-7' }], {
      output: { schema: Invoice, name: 'invoice', description: 'The invoice read' },
    });

    expectTypeOf(reply.output.total).toEqualTypeOf<number>();
    expect(reply.output).toEqual({ number: 'INV-7', total: 120.5, paid: false });
    expect(server.requests[0]?.json.response_format).toEqual({
      type: 'json_schema',
      json_schema: {
        name: 'invoice',
        description: 'The invoice read',
        strict: true,
        schema: {
          type: 'object',
          properties: {
            number: { type: 'string' },
            total: { type: 'number' },
            paid: { type: 'boolean' },
          },
          required: ['number', 'total', 'paid'],
        },
      },
    });
  });

  it('rejects an answer that does not match with LLM_OUTPUT_INVALID naming the provider', async () => {
    const model = new MockLanguageModelV4({
      provider: 'mock.chat',
      modelId: 'mock-model',
      doGenerate: generateResult([{ type: 'text', text: '{"number":7}' }]),
    });
    const llm = new AiSdkLlmAdapter(model);
    await expect(
      llm.complete([{ role: 'user', content: 'Read it' }], { output: { schema: Invoice } }),
    ).rejects.toMatchObject({
      code: 'LLM_OUTPUT_INVALID',
      provider: 'mock.chat',
      details: { content: '{"number":7}' },
    });
    expect(model.doGenerateCalls[0]?.responseFormat).toMatchObject({
      type: 'json',
      name: 'output',
    });
  });

  it('streams reasoning as reasoning-delta, the answer as text, and finishes with output', async () => {
    const model = new MockLanguageModelV4({
      provider: 'mock.chat',
      modelId: 'mock-model',
      doStream: async () => ({
        stream: new ReadableStream({
          start(controller) {
            const parts: LanguageModelV4StreamPart[] = [
              { type: 'stream-start', warnings: [] },
              { type: 'reasoning-start', id: 'r0' },
              { type: 'reasoning-delta', id: 'r0', delta: 'The invoice says 120.5.' },
              { type: 'reasoning-end', id: 'r0' },
              { type: 'text-start', id: 't0' },
              { type: 'text-delta', id: 't0', delta: '{"number":"INV-7",' },
              { type: 'text-delta', id: 't0', delta: '"total":120.5,"paid":true}' },
              { type: 'text-end', id: 't0' },
              {
                type: 'finish',
                usage: usageOf(30, 12),
                finishReason: { unified: 'stop', raw: 'stop' },
              },
            ];
            for (const part of parts) controller.enqueue(part);
            controller.close();
          },
        }),
      }),
    });
    const events = await collectStream(
      new AiSdkLlmAdapter(model).stream([{ role: 'user', content: 'Read INV-7' }], {
        output: { schema: Invoice },
      }),
    );
    expect(events.slice(0, 3)).toEqual([
      { type: 'reasoning-delta', delta: 'The invoice says 120.5.' },
      { type: 'text-delta', delta: '{"number":"INV-7",' },
      { type: 'text-delta', delta: '"total":120.5,"paid":true}' },
    ]);
    const last = events.at(-1);
    expect(last?.type === 'finish' && last.message.output).toEqual({
      number: 'INV-7',
      total: 120.5,
      paid: true,
    });
    expect(last?.type === 'finish' && last.message.metadata?.reasoning).toBe(
      'The invoice says 120.5.',
    );
  });
});
