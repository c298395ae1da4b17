import { createRecordingServer, type RecordingServer } from '@promethean-os/pantheon-test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningAnalyst, startAnalyst } from './analyst.test-support';

/** An OpenAI Chat Completions reply: text, or tool calls. */
function completion(message: { content?: string; toolCall?: [string, string, unknown] }) {
  const toolCalls = message.toolCall && [
    {
      id: message.toolCall[0],
      type: 'function',
      function: { name: message.toolCall[1], arguments: JSON.stringify(message.toolCall[2]) },
    },
  ];
  return {
    json: {
      id: 'chatcmpl-data-analyst',
      object: 'chat.completion',
      created: 1_763_980_800,
      model: 'gpt-test',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: message.content ?? null, tool_calls: toolCalls },
          finish_reason: toolCalls ? 'tool_calls' : 'stop',
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    },
  };
}

describe('the data analyst on the model PANTHEON_* variables choose: OpenAI, against a local compatible server', () => {
  let server: RecordingServer;
  let analyst: RunningAnalyst | undefined;

  beforeEach(async () => {
    server = await createRecordingServer();
  });
  afterEach(async () => {
    await analyst?.pantheon.shutdown();
    analyst = undefined;
    await server.close();
  });

  it('offers the tools with the CSV columns, runs the model’s calls and returns its answer', async () => {
    server.reply(
      completion({ toolCall: ['call_a', 'describe-csv', {}] }),
      completion({
        toolCall: [
          'call_b',
          'query-csv',
          {
            aggregate: 'sum',
            column: 'units',
            filters: [{ column: 'region', op: '=', value: 'North' }],
          },
        ],
      }),
      completion({ content: 'The North region bought 105 units.' }),
    );
    // The whole environment: no API key is needed for a server of one's own.
    analyst = await startAnalyst(
      {
        PANTHEON_LLM_PROVIDER: 'openai',
        PANTHEON_LLM_BASE_URL: `${server.url}/v1`,
        PANTHEON_LLM_MODEL: 'gpt-test',
      },
      { log: () => {} },
    );
    expect(analyst.pantheon.model).toBe(`OpenAI model gpt-test at ${server.url}/v1`);

    const answer = await analyst.ask('How many units did the North region buy?');

    expect(answer).toMatchObject({
      from: 'analyst',
      content: 'The North region bought 105 units.',
    });
    expect(server.requests.map((request) => request.path)).toEqual([
      '/v1/chat/completions',
      '/v1/chat/completions',
      '/v1/chat/completions',
    ]);
    const [first, , last] = server.requests;
    expect(first?.json.model).toBe('gpt-test');
    const tools = first?.json.tools as Array<{ function: { name: string; parameters: any } }>;
    expect(tools.map((tool) => tool.function.name)).toEqual([
      'describe-csv',
      'query-csv',
      'handoff',
    ]);
    // The model is shown the columns it may name.
    expect(tools[1]?.function.parameters.properties.column.enum).toEqual([
      'order_id',
      'date',
      'region',
      'customer',
      'product',
      'units',
      'unit_price_eur',
      'revenue_eur',
    ]);
    // The query ran on the CSV and its result went back to the model.
    const messages: Array<{ role: string; content: string }> = last?.json.messages ?? [];
    const toolMessage = messages.at(-1);
    expect(toolMessage?.role).toBe('tool');
    expect(JSON.parse(toolMessage?.content ?? '')).toMatchObject({ matchedRows: 9, value: 105 });
  });
});
