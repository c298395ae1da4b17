// The user's story end to end: a triage actor in a PantheonSystem answers with a typed ticket,
// through OpenAiAdapter on the Responses API over real HTTP. The model first looks the customer up
// with a tool, then answers with JSON that misses a field; llmBehavior feeds the issues back, the
// second answer is valid, and the customer who asked gets the ticket as JSON.
import { defineTool, llmBehavior, PantheonSystem } from '@promethean-os/pantheon-core';
import { RealTimeScheduler } from '@promethean-os/pantheon-core/adapter-kit';
import {
  createMockActorState,
  createMockMessageBus,
  createRecordingServer,
  MockContextAdapter,
  MockToolAdapter,
  type RecordingServer,
} from '@promethean-os/pantheon-test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OpenAiAdapter } from './openai-adapter';
import {
  functionCallItem,
  messageItem,
  responseBody,
} from './openai-responses-fixtures.test-helper';

let server: RecordingServer;

beforeEach(async () => {
  server = await createRecordingServer();
});

afterEach(async () => {
  await server.close();
});

const Ticket = z.object({
  category: z.enum(['billing', 'technical', 'other']),
  priority: z.enum(['low', 'normal', 'urgent']),
  customerTier: z.string(),
  summary: z.string(),
});

const lookupCustomer = defineTool({
  name: 'lookup-customer',
  description: 'The account of a customer, by email',
  parameters: z.object({ email: z.string() }),
  execute: async ({ email }) => ({ email, tier: 'gold', openInvoices: 1 }),
});

describe('a triage actor answering with a typed ticket over the Responses API', () => {
  it('calls a tool, is asked again after a reply that misses a field, and answers valid JSON', async () => {
    server.reply(
      {
        json: responseBody([
          functionCallItem('call_Lk2mX9vB4nQ7', 'lookup-customer', '{"email":"ana@example.com"}'),
        ]),
      },
      {
        json: responseBody([
          messageItem('{"category":"billing","priority":"urgent","customerTier":"gold"}'),
        ]),
      },
      {
        json: responseBody([
          messageItem(
            '{"category":"billing","priority":"urgent","customerTier":"gold","summary":"Charged twice for March"}',
          ),
        ]),
      },
    );
    const system = new PantheonSystem({
      contextAdapter: new MockContextAdapter(),
      toolAdapter: new MockToolAdapter({ tools: [lookupCustomer] }),
      llmAdapter: new OpenAiAdapter({
        apiKey: 'sk-test',
        baseURL: `${server.url}/v1`,
        api: 'responses',
      }),
      messageBus: createMockMessageBus(),
      scheduler: new RealTimeScheduler(),
      actorStateAdapter: createMockActorState(),
      log: () => {},
    });
    await system.createActor({
      id: 'triage',
      name: 'triage',
      goals: ['Turn customer messages into tickets'],
      script: {
        name: 'triage',
        contextSources: [],
        talents: [
          {
            name: 'triage',
            behaviors: [
              llmBehavior({
                name: 'ticket',
                system: 'Classify the message into a ticket. Look the customer up first.',
                tools: ['lookup-customer'],
                output: { schema: Ticket, name: 'ticket' },
              }),
            ],
          },
        ],
      },
    });
    await system.startActor('triage');

    const answer = await system.ask(
      'triage',
      'ana@example.com here: I was charged twice for March!',
      { timeoutMs: 10_000 },
    );
    await system.shutdown();

    const ticket = Ticket.parse(JSON.parse(answer.content));
    expect(ticket).toEqual({
      category: 'billing',
      priority: 'urgent',
      customerTier: 'gold',
      summary: 'Charged twice for March',
    });
    expect(server.requests).toHaveLength(3);
    const [first, second, third] = server.requests.map((request) => request.json);
    expect(first.text.format).toMatchObject({ type: 'json_schema', name: 'ticket', strict: true });
    expect(first.tools[0]).toMatchObject({ type: 'function', name: 'lookup-customer' });
    expect(second.input.at(-1)).toEqual({
      type: 'function_call_output',
      call_id: 'call_Lk2mX9vB4nQ7',
      output: '{"email":"ana@example.com","tier":"gold","openInvoices":1}',
    });
    // The reply that missed `summary` went back to the model with what was wrong.
    expect(third.input.at(-2)).toEqual({
      role: 'assistant',
      content: '{"category":"billing","priority":"urgent","customerTier":"gold"}',
    });
    expect(third.input.at(-1).role).toBe('user');
    expect(third.input.at(-1).content).toContain('- summary: ');
  });
});
