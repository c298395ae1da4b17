import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../errors';
import { actorWith, portsFor } from '../orchestrator/fake-ports.test-support';
import { makeOrchestrator } from '../orchestrator/make-orchestrator';
import type { LlmCompleteOptions, LlmPort } from '../ports/llm-port';
import { llmOutput } from '../structured-output';
import type { Behavior, Message } from '../types';
import { llmBehavior } from './llm-behavior';

const Ticket = z.object({
  category: z.enum(['billing', 'technical', 'other']),
  urgent: z.boolean(),
});

/**
 * A model that answers the scripted texts in order and, like every adapter, validates them with
 * `llmOutput` when the call asks for `output`.
 */
function scriptedModel(...texts: string[]) {
  const calls: { messages: Message[]; options: LlmCompleteOptions }[] = [];
  const llm: LlmPort = {
    async complete(messages, options = {}) {
      calls.push({ messages: structuredClone(messages), options });
      const text = texts.shift();
      if (text === undefined) throw new Error('The scripted model has no more replies');
      const reply: Message = { role: 'assistant', content: text };
      return options.output ? llmOutput(options.output, 'scripted').parse(reply) : reply;
    },
  };
  return { llm, calls };
}

function setup(behavior: Behavior, llm: LlmPort) {
  const actor = actorWith([behavior], { id: 'triage', goals: ['Classify tickets'] });
  const { deps, bus } = portsFor(actor, { llm });
  return { orchestrator: makeOrchestrator(deps), actor, sent: bus.sent };
}

describe('llmBehavior with output', () => {
  it('asks the model for the output and sends its JSON answer', async () => {
    const answer = '{"category":"billing","urgent":true}';
    const { llm, calls } = scriptedModel(answer);
    const behavior = llmBehavior({
      name: 'classify',
      system: 'Classify the ticket.',
      output: { schema: Ticket, name: 'ticket' },
    });
    const { orchestrator, actor, sent } = setup(behavior, llm);

    const result = await orchestrator.tickActor(actor, { userMessage: 'I was charged twice!' });

    expect(result.errors).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.options.output).toEqual({ schema: Ticket, name: 'ticket' });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.content).toBe(answer);
    expect(JSON.parse(sent[0]?.content ?? '')).toEqual({ category: 'billing', urgent: true });
  });

  it('feeds a reply that does not match back with its issues and asks once more', async () => {
    const { llm, calls } = scriptedModel(
      '{"category":"refund","urgent":"yes"}',
      '{"category":"billing","urgent":true}',
    );
    const behavior = llmBehavior({ name: 'classify', output: { schema: Ticket } });
    const { orchestrator, actor, sent } = setup(behavior, llm);

    const result = await orchestrator.tickActor(actor, { userMessage: 'Refund please' });

    expect(result.errors).toEqual([]);
    expect(calls).toHaveLength(2);
    const retry = calls[1]?.messages ?? [];
    expect(retry.at(-2)).toEqual({
      role: 'assistant',
      content: '{"category":"refund","urgent":"yes"}',
    });
    expect(retry.at(-1)).toMatchObject({ role: 'user', metadata: { outputRetry: true } });
    expect(retry.at(-1)?.content).toContain('- category: ');
    expect(retry.at(-1)?.content).toContain('- urgent: ');
    expect(sent[0]?.content).toBe('{"category":"billing","urgent":true}');
  });

  it('fails with LLM_OUTPUT_INVALID once the retries are used up, nothing sent', async () => {
    const { llm, calls } = scriptedModel('not json', '{"category":"billing"}');
    const behavior = llmBehavior({ name: 'classify', output: { schema: Ticket } });
    const { orchestrator, actor, sent } = setup(behavior, llm);

    const result = await orchestrator.tickActor(actor, { userMessage: 'Help' });

    expect(calls).toHaveLength(2);
    expect(sent).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({
      code: 'LLM_OUTPUT_INVALID',
      details: {
        content: '{"category":"billing"}',
        issues: [{ path: 'urgent', message: expect.any(String) }],
      },
    });
  });

  it('does not retry with outputRetries: 0, and rejects a bad outputRetries', async () => {
    const { llm, calls } = scriptedModel('{}');
    const behavior = llmBehavior({
      name: 'classify',
      output: { schema: Ticket },
      outputRetries: 0,
    });
    const { orchestrator, actor } = setup(behavior, llm);
    const result = await orchestrator.tickActor(actor, { userMessage: 'Help' });
    expect(calls).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ code: 'LLM_OUTPUT_INVALID' });

    expect(() => llmBehavior({ name: 'x', outputRetries: -1 })).toThrowError(ConfigError);
    expect(() => llmBehavior({ name: 'x', outputRetries: 1.5 })).toThrowError(
      /outputRetries must be a non-negative integer/,
    );
  });
});
