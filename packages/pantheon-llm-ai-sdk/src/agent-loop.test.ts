import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import {
  type Actor,
  type LlmPort,
  llmBehavior,
  type ToolPort,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import { createRecordingServer, type RecordingServer } from '@promethean-os/pantheon-test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AiSdkLlmAdapter } from './ai-sdk-adapter';
import { chatCompletion, wireToolCall } from './ai-sdk-fixtures.test-helper';

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

function plan(llm: LlmPort) {
  const behavior = llmBehavior({
    name: 'weather',
    system: 'You answer weather questions.',
    tools: ['get-weather'],
  });
  return behavior.plan({
    goal: 'Answer weather questions',
    context: [{ role: 'user', content: 'Weather in Paris?' }],
    actor,
    llm,
    tools,
    signal: new AbortController().signal,
  });
}

describe('llmBehavior with AiSdkLlmAdapter over HTTP', () => {
  it('runs a tool call round trip on @ai-sdk/openai-compatible', async () => {
    server.reply(
      {
        json: chatCompletion(
          { tool_calls: [wireToolCall('call_Wq3vJ8', 'get-weather', '{"location":"Paris"}')] },
          'tool_calls',
        ),
      },
      { json: chatCompletion({ content: 'It is sunny and 21 °C in Paris.' }) },
    );
    const local = createOpenAICompatible({ name: 'local', baseURL: `${server.url}/v1` });

    const result = await plan(new AiSdkLlmAdapter(local('llama3.2:3b')));

    expect(result.actions).toEqual([
      { type: 'message', content: 'It is sunny and 21 °C in Paris.' },
    ]);
    expect(server.requests[0]?.json.tools[0].function.name).toBe('get-weather');
    expect(server.requests[1]?.json.messages).toEqual([
      { role: 'system', content: 'You answer weather questions.' },
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [wireToolCall('call_Wq3vJ8', 'get-weather', '{"location":"Paris"}')],
      },
      {
        role: 'tool',
        tool_call_id: 'call_Wq3vJ8',
        content: '{"location":"Paris","sky":"sunny","celsius":21}',
      },
    ]);
  });

  it("keeps Gemini's thought signature through the loop on @ai-sdk/google", async () => {
    server.reply(
      {
        json: {
          candidates: [
            {
              content: {
                role: 'model',
                parts: [
                  {
                    functionCall: { name: 'get-weather', args: { location: 'Paris' } },
                    thoughtSignature: 'c2lnbmVkLWNhbGw=',
                  },
                ],
              },
              finishReason: 'STOP',
            },
          ],
          usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 5, totalTokenCount: 25 },
        },
      },
      {
        json: {
          candidates: [
            {
              content: { role: 'model', parts: [{ text: 'Sunny, 21 °C in Paris.' }] },
              finishReason: 'STOP',
            },
          ],
          usageMetadata: { promptTokenCount: 40, candidatesTokenCount: 9, totalTokenCount: 49 },
        },
      },
    );
    const google = createGoogleGenerativeAI({
      baseURL: `${server.url}/v1beta`,
      apiKey: 'AIza-test',
    });

    const result = await plan(new AiSdkLlmAdapter(google('gemini-3-flash')));

    expect(result.actions).toEqual([{ type: 'message', content: 'Sunny, 21 °C in Paris.' }]);
    const replayed = server.requests[1]?.json.contents[1];
    expect(replayed.role).toBe('model');
    expect(replayed.parts[0]).toMatchObject({
      functionCall: { name: 'get-weather', args: { location: 'Paris' } },
      thoughtSignature: 'c2lnbmVkLWNhbGw=',
    });
    expect(server.requests[1]?.json.contents[2].parts[0].functionResponse).toMatchObject({
      name: 'get-weather',
      response: { content: '{"location":"Paris","sky":"sunny","celsius":21}' },
    });
  });
});
