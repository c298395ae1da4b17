import {
  type Actor,
  llmBehavior,
  type ToolPort,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import { createRecordingServer, type RecordingServer } from '@promethean-os/pantheon-test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpenAiAdapter } from './openai-adapter';
import { chatCompletion, toolCall } from './openai-wire-fixtures.test-helper';

let server: RecordingServer;

beforeEach(async () => {
  server = await createRecordingServer();
});

afterEach(async () => {
  await server.close();
});

const weatherTool: ToolSpec = {
  name: 'get-weather',
  description: 'Current weather for a city',
  parameters: {
    type: 'object',
    properties: { location: { type: 'string' } },
    required: ['location'],
  },
  execute: async ({ location }: { location: string }) => ({ location, sky: 'sunny', celsius: 21 }),
};

const tools: ToolPort = {
  register: () => {},
  list: () => [weatherTool],
  invoke: async (name, args) => {
    if (name !== weatherTool.name) throw new Error(`unknown tool ${name}`);
    return weatherTool.execute(args);
  },
};

const actor: Actor = {
  id: 'weather-bot',
  goals: ['Answer weather questions'],
  script: { name: 'weather', talents: [], contextSources: [] },
};

describe('llmBehavior with OpenAiAdapter over HTTP', () => {
  it('runs a tool call round trip and answers with text', async () => {
    server.reply(
      {
        json: chatCompletion(
          { tool_calls: [toolCall('call_Wq3vJ8cT5mN2xL1', 'get-weather', '{"location":"Paris"}')] },
          'tool_calls',
        ),
      },
      { json: chatCompletion({ content: 'It is sunny and 21 °C in Paris.' }) },
    );
    const llm = new OpenAiAdapter({ apiKey: 'sk-test', baseURL: `${server.url}/v1` });
    const behavior = llmBehavior({
      name: 'weather',
      system: 'You answer weather questions.',
      tools: ['get-weather'],
    });

    const plan = await behavior.plan({
      goal: 'Answer weather questions',
      context: [{ role: 'user', content: 'Weather in Paris?' }],
      actor,
      llm,
      tools,
      signal: new AbortController().signal,
    });

    expect(plan.actions).toEqual([{ type: 'message', content: 'It is sunny and 21 °C in Paris.' }]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]?.json.tools[0].function.name).toBe('get-weather');
    expect(server.requests[1]?.json.messages).toEqual([
      { role: 'system', content: 'You answer weather questions.' },
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [toolCall('call_Wq3vJ8cT5mN2xL1', 'get-weather', '{"location":"Paris"}')],
      },
      {
        role: 'tool',
        tool_call_id: 'call_Wq3vJ8cT5mN2xL1',
        content: '{"location":"Paris","sky":"sunny","celsius":21}',
      },
    ]);
  });
});
