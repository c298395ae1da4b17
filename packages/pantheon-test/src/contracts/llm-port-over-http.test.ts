import {
  isMessage,
  type LlmCompleteOptions,
  LlmError,
  type LlmPort,
  type Message,
} from '@promethean-os/pantheon-core';
import { llmAbortError, llmOutput } from '@promethean-os/pantheon-core/adapter-kit';
import { describe, expect, it } from 'vitest';
import { describeLlmPortContract } from './llm-port-contract';
import { llmPortOverHttp } from './llm-port-over-http';

/** A minimal HTTP model client whose wire format is the Pantheon message itself. */
class JsonHttpLlm implements LlmPort {
  constructor(readonly url: string) {}

  async complete(messages: Message[], options: LlmCompleteOptions = {}): Promise<Message> {
    if (!Array.isArray(messages) || !messages.every(isMessage)) {
      throw new LlmError('malformed messages', undefined, { code: 'LLM_BAD_REQUEST' });
    }
    const output = options.output && llmOutput(options.output, 'json-http');
    let reply: Message;
    try {
      const response = await fetch(`${this.url}/complete`, {
        method: 'POST',
        body: JSON.stringify({ messages, model: options.model }),
        signal: options.signal,
      });
      reply = (await response.json()).message as Message;
    } catch (error) {
      if (options.signal?.aborted) throw llmAbortError(options.signal, 'json-http');
      throw new LlmError('request failed', undefined, { code: 'LLM_CONNECTION', cause: error });
    }
    return output ? output.parse(reply) : reply;
  }
}

const http = llmPortOverHttp({
  respond: (reply) => ({ json: { message: reply } }),
  connect: (server) => new JsonHttpLlm(server.url),
});

describeLlmPortContract('JsonHttpLlm', http.factory, { cleanup: http.cleanup });

describe('llmPortOverHttp', () => {
  it('answers the n-th request with respond(replies[n], request)', async () => {
    const seen: Array<{ reply: string; body: unknown }> = [];
    const { factory, cleanup } = llmPortOverHttp({
      respond: (reply, request) => {
        seen.push({ reply: reply.content, body: request.json });
        return { json: { message: reply } };
      },
      connect: (server) => new JsonHttpLlm(server.url),
    });
    const llm = await factory({
      replies: [
        { role: 'assistant', content: 'first' },
        { role: 'assistant', content: 'second' },
      ],
    });

    const first = await llm.complete([{ role: 'user', content: 'one' }]);
    const second = await llm.complete([{ role: 'user', content: 'two' }], { model: 'm' });
    await cleanup(llm);

    expect([first.content, second.content]).toEqual(['first', 'second']);
    expect(seen).toEqual([
      { reply: 'first', body: { messages: [{ role: 'user', content: 'one' }] } },
      { reply: 'second', body: { messages: [{ role: 'user', content: 'two' }], model: 'm' } },
    ]);
  });

  it('closes the server on cleanup, and when connect throws', async () => {
    const { factory, cleanup } = llmPortOverHttp({
      respond: (reply) => ({ json: { message: reply } }),
      connect: (server) => new JsonHttpLlm(server.url),
    });
    const llm = await factory({ replies: [{ role: 'assistant', content: 'unused' }] });
    await cleanup(llm);
    await expect(fetch(`${llm.url}/complete`, { method: 'POST' })).rejects.toThrow();

    let url = '';
    const failing = llmPortOverHttp({
      respond: (reply) => ({ json: { message: reply } }),
      connect: (server): JsonHttpLlm => {
        url = server.url;
        throw new Error('bad configuration');
      },
    });
    await expect(failing.factory({ replies: [] })).rejects.toThrow('bad configuration');
    await expect(fetch(`${url}/complete`, { method: 'POST' })).rejects.toThrow();
  });
});
