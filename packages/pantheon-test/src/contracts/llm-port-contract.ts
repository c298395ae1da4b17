import {
  isMessage,
  LlmError,
  type LlmPort,
  type LlmStreamEvent,
  type Message,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import { deepFreeze } from '@promethean-os/pantheon-core/adapter-kit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ContractOptions,
  detectFeatures,
  expectPantheonError,
  failureOf,
  featureTitle,
} from './support';

/**
 * What the model behind the port must answer, in order, one reply per call. A mock queues them;
 * an HTTP adapter's test serves them from a local server in the provider's wire format.
 */
export interface LlmContractScript {
  replies: Message[];
}

/** Creates an `LlmPort` whose model answers with `script.replies`, in order. */
export type LlmPortFactory<P extends LlmPort> = (script: LlmContractScript) => P | Promise<P>;

/** Optional `LlmPort` features the suite tests when the adapter has them. */
export interface LlmPortFeatures {
  stream: boolean;
}

/** Options of `describeLlmPortContract`. */
export interface LlmPortContractOptions<P extends LlmPort> extends ContractOptions<P> {
  /** Overrides the detected features. */
  features?: Partial<LlmPortFeatures>;
}

/** Which optional `LlmPort` methods `port` has. */
export function detectLlmPortFeatures(port: LlmPort): LlmPortFeatures {
  return { stream: typeof port.stream === 'function' };
}

const weatherTool: ToolSpec = {
  name: 'get-weather',
  description: 'Current weather for a location',
  parameters: {
    type: 'object',
    properties: { location: { type: 'string' } },
    required: ['location'],
  },
  execute: ({ location }: { location: string }) => `Sunny in ${location}`,
};

const toolCallReply: Message = {
  role: 'assistant',
  content: '',
  toolCalls: [{ id: 'call_weather_1', name: 'get-weather', args: { location: 'Paris' } }],
};

/** A structured output every provider's strict mode takes: every property required, no others. */
const weatherOutput = {
  name: 'weather',
  schema: {
    type: 'object',
    properties: {
      city: { type: 'string' },
      celsius: { type: 'number' },
    },
    required: ['city', 'celsius'],
    additionalProperties: false,
  },
} as const;

const weatherJson = '{"city":"Paris","celsius":21}';

async function collect(events: AsyncIterable<LlmStreamEvent>): Promise<LlmStreamEvent[]> {
  const collected: LlmStreamEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
}

/**
 * Registers the `LlmPort` contract for an adapter. The factory receives the replies the test
 * expects from the model (`{ replies }`) and returns a port whose model gives them. The suite
 * checks: the reply comes back as a well-formed `assistant` message with the model's text;
 * tool calls come back when tools are offered; a conversation with tool results is accepted;
 * messages and options are not mutated; an aborted call rejects with `LlmError` `LLM_ABORTED` and
 * malformed messages with `LlmError` `LLM_BAD_REQUEST` (neither retryable); a call with
 * structured `output` returns the parsed value in `output`, and a reply that does not match
 * rejects with `LlmError` `LLM_OUTPUT_INVALID` and its issues — and, when the adapter has
 * `stream`, that the text deltas add up to the final message, tool calls are streamed, `finish`
 * comes last, once, and carries the `output` asked for.
 *
 * @example
 * describeLlmPortContract('MockLlmAdapter', ({ replies }) =>
 *   new MockLlmAdapter().queueResponses(...replies),
 * );
 */
export function describeLlmPortContract<P extends LlmPort>(
  name: string,
  factory: LlmPortFactory<P>,
  options: LlmPortContractOptions<P> = {},
): void {
  describe(`LlmPort contract: ${name}`, async () => {
    const features = await detectFeatures(
      () => factory({ replies: [] }),
      options.cleanup,
      detectLlmPortFeatures,
      options.features,
    );

    describe(`features${featureTitle(features) || ' [none]'}`, () => {
      // Each test scripts its own replies, so ports are made inside the tests and cleaned up here.
      const created: P[] = [];
      const make = async (...replies: Message[]): Promise<P> => {
        const llm = await factory({ replies });
        created.push(llm);
        return llm;
      };
      afterEach(async () => {
        for (const llm of created.splice(0)) await options.cleanup?.(llm);
      });

      it('answers with a well-formed assistant message', async () => {
        const llm = await make({ role: 'assistant', content: 'Hello! How can I help you today?' });
        const reply = await llm.complete([
          { role: 'system', content: 'You are a customer service agent.' },
          { role: 'user', content: 'Hello, I need help' },
        ]);
        expect(isMessage(reply)).toBe(true);
        expect(reply.role).toBe('assistant');
        expect(reply.content).toBe('Hello! How can I help you today?');
      });

      it('returns the tool calls the model asks for when tools are offered', async () => {
        const llm = await make(toolCallReply);
        const reply = await llm.complete([{ role: 'user', content: 'Weather in Paris?' }], {
          tools: [weatherTool],
          toolChoice: 'auto',
        });
        expect(reply.toolCalls).toEqual(toolCallReply.toolCalls);
      });

      it('accepts a conversation that carries tool calls and tool results', async () => {
        const llm = await make({ role: 'assistant', content: 'It is sunny in Paris.' });
        const reply = await llm.complete(
          [
            { role: 'user', content: 'Weather in Paris?' },
            toolCallReply,
            {
              role: 'tool',
              content: 'Sunny in Paris',
              toolCallId: 'call_weather_1',
              name: 'get-weather',
            },
          ],
          { tools: [weatherTool] },
        );
        expect(reply.content).toBe('It is sunny in Paris.');
      });

      it('does not mutate the messages or the options', async () => {
        const llm = await make({ role: 'assistant', content: 'Noted.' });
        const messages: Message[] = [
          { role: 'system', content: 'Be brief.', metadata: { source: 'policy' } },
          { role: 'user', content: 'Remember this.' },
        ];
        const opts = { model: 'contract-model', temperature: 0, maxTokens: 50 };
        const snapshot = structuredClone({ messages, opts });
        await llm.complete(deepFreeze(messages), deepFreeze(opts));
        expect({ messages, opts }).toEqual(snapshot);
      });

      it('rejects an aborted call with LLM_ABORTED', async () => {
        const llm = await make({ role: 'assistant', content: 'Too late.' });
        const controller = new AbortController();
        controller.abort();
        const error = expectPantheonError(
          await failureOf(() =>
            llm.complete([{ role: 'user', content: 'Hello' }], { signal: controller.signal }),
          ),
          'LLM_ABORTED',
          LlmError,
        );
        expect((error as LlmError).retryable).toBe(false);
      });

      it('rejects malformed messages with LLM_BAD_REQUEST', async () => {
        const llm = await make({ role: 'assistant', content: 'Never sent.' });
        const error = expectPantheonError(
          await failureOf(() =>
            llm.complete([{ role: 'robot', content: 42 } as unknown as Message]),
          ),
          'LLM_BAD_REQUEST',
          LlmError,
        );
        expect((error as LlmError).retryable).toBe(false);
      });

      it('returns the structured output asked for, parsed and validated', async () => {
        const llm = await make({ role: 'assistant', content: weatherJson });
        const reply = await llm.complete([{ role: 'user', content: 'Weather in Paris?' }], {
          output: weatherOutput,
        });
        expect(isMessage(reply)).toBe(true);
        expect(reply.output).toEqual({ city: 'Paris', celsius: 21 });
        expect(JSON.parse(reply.content)).toEqual({ city: 'Paris', celsius: 21 });
      });

      it('rejects a reply that does not match the output schema with LLM_OUTPUT_INVALID', async () => {
        const llm = await make({ role: 'assistant', content: '{"city":"Paris"}' });
        const error = expectPantheonError(
          await failureOf(() =>
            llm.complete([{ role: 'user', content: 'Weather in Paris?' }], {
              output: weatherOutput,
            }),
          ),
          'LLM_OUTPUT_INVALID',
          LlmError,
        );
        expect(error.details?.issues).toEqual([
          expect.objectContaining({ path: expect.stringContaining('celsius') }),
        ]);
        expect(error.details?.content).toBe('{"city":"Paris"}');
      });

      if (features.stream) {
        describe('stream', () => {
          it('streams a structured output: the deltas are its JSON, finish carries output', async () => {
            const llm = await make({ role: 'assistant', content: weatherJson });
            const events = await collect(
              llm.stream!([{ role: 'user', content: 'Weather in Paris?' }], {
                output: weatherOutput,
              }),
            );
            const deltas = events.flatMap((event) =>
              event.type === 'text-delta' ? [event.delta] : [],
            );
            expect(JSON.parse(deltas.join(''))).toEqual({ city: 'Paris', celsius: 21 });
            const last = events.at(-1);
            expect(last?.type === 'finish' && last.message.output).toEqual({
              city: 'Paris',
              celsius: 21,
            });
          });

          it('streams text deltas that add up to the final message, then finish once', async () => {
            const text = 'Hello! How can I help you today?';
            const llm = await make({ role: 'assistant', content: text });
            const events = await collect(
              llm.stream!([{ role: 'user', content: 'Hello, I need help' }]),
            );
            const last = events.at(-1);
            expect(last?.type).toBe('finish');
            expect(events.filter((event) => event.type === 'finish')).toHaveLength(1);
            const deltas = events
              .filter((event) => event.type === 'text-delta')
              .map((event) => (event.type === 'text-delta' ? event.delta : ''));
            expect(deltas.join('')).toBe(text);
            if (last?.type === 'finish') {
              expect(last.message.role).toBe('assistant');
              expect(last.message.content).toBe(text);
            }
          });

          it('streams the tool calls of the final message', async () => {
            const llm = await make(toolCallReply);
            const events = await collect(
              llm.stream!([{ role: 'user', content: 'Weather in Paris?' }], {
                tools: [weatherTool],
              }),
            );
            const calls = events.flatMap((event) =>
              event.type === 'tool-call' ? [event.toolCall] : [],
            );
            expect(calls).toEqual(toolCallReply.toolCalls);
            const last = events.at(-1);
            expect(last?.type === 'finish' && last.message.toolCalls).toEqual(
              toolCallReply.toolCalls,
            );
          });
        });
      }
    });
  });
}
