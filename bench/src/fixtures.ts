import type { ActorScript, LlmPort } from '@promethean-os/pantheon-core';

/** A model that answers at once, so the benchmarks measure Pantheon rather than a provider. */
export const instantModel: LlmPort = {
  async complete() {
    return { role: 'assistant', content: 'ok' };
  },
};

/** A two-number tool whose arguments are validated against a JSON Schema. */
export const addTool = {
  name: 'add',
  description: 'Adds two numbers',
  parameters: {
    type: 'object',
    properties: { a: { type: 'number' }, b: { type: 'number' } },
    required: ['a', 'b'],
    additionalProperties: false,
  },
  execute: ({ a, b }: { a: number; b: number }) => a + b,
};

/** One actor that answers every message with the model's reply. */
export const replyScript: ActorScript = {
  name: 'replier',
  talents: [
    {
      name: 'reply',
      behaviors: [
        {
          name: 'reply',
          mode: 'active',
          async plan({ context, llm }) {
            const answer = await llm.complete(context);
            return { actions: [{ type: 'message', content: answer.content }] };
          },
        },
      ],
    },
  ],
  contextSources: [],
};

/** One actor that answers every message with `ok`, without a model: the cost of the store and bus. */
export const okScript: ActorScript = {
  name: 'bench-ok-replier',
  talents: [
    {
      name: 'reply',
      behaviors: [
        {
          name: 'reply',
          mode: 'active',
          plan: () => ({ actions: [{ type: 'message', content: 'ok' }] }),
        },
      ],
    },
  ],
  contextSources: [],
};
