import { ClaudeAdapter } from '@promethean-os/pantheon-llm-claude';
import { OpenAiAdapter } from '@promethean-os/pantheon-llm-openai';
import { createRecordingServer, type RecordingServer } from '@promethean-os/pantheon-test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ScriptedAnalystModel } from '../adapters/llm/scripted-analyst-model';
import { type DataAnalyst, startDataAnalyst } from '../data-analyst';
import { createModel } from './adapters.config';
import { loadDataAnalystConfig } from './pantheon.config';

// The adapters fall back to process.env for what the config leaves out; only the config counts.
beforeEach(() => {
  for (const name of [
    'OPENAI_API_KEY',
    'OPENAI_BASE_URL',
    'ANTHROPIC_API_KEY',
    'ANTHROPIC_BASE_URL',
  ]) {
    vi.stubEnv(name, '');
  }
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('createModel', () => {
  it('builds the adapter the config names, and says which', () => {
    const scripted = createModel({ provider: 'scripted' });
    expect(scripted.llm).toBeInstanceOf(ScriptedAnalystModel);
    expect(scripted.description).toBe(
      'SCRIPTED STAND-IN (fixed rules, not a language model); set OPENAI_API_KEY or ANTHROPIC_API_KEY for a real model',
    );

    const openai = createModel({ provider: 'openai', apiKey: 'sk-test', model: 'gpt-5.4' });
    expect(openai.llm).toBeInstanceOf(OpenAiAdapter);
    expect((openai.llm as OpenAiAdapter).client.apiKey).toBe('sk-test');
    expect(openai.description).toBe('OpenAI-compatible model gpt-5.4 at https://api.openai.com/v1');

    const claude = createModel({
      provider: 'anthropic',
      apiKey: 'sk-ant-test',
      model: 'claude-x',
      baseURL: 'http://127.0.0.1:1',
    });
    expect(claude.llm).toBeInstanceOf(ClaudeAdapter);
    expect((claude.llm as ClaudeAdapter).client.apiKey).toBe('sk-ant-test');
    expect(claude.description).toBe('Claude model claude-x at http://127.0.0.1:1');
  });
});

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

describe('the data analyst on a real model adapter, against a local OpenAI-compatible server', () => {
  let server: RecordingServer;
  let analyst: DataAnalyst | undefined;

  beforeEach(async () => {
    server = await createRecordingServer();
  });
  afterEach(async () => {
    await analyst?.shutdown();
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
    const config = loadDataAnalystConfig({
      OPENAI_BASE_URL: `${server.url}/v1`,
      OPENAI_MODEL: 'gpt-test',
    });
    analyst = await startDataAnalyst(config, { log: () => {} });
    expect(analyst.model).toBe(`OpenAI-compatible model gpt-test at ${server.url}/v1`);

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
