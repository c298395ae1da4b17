import {
  type Actor,
  llmBehavior,
  type ToolPort,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import { createRecordingServer, type RecordingServer } from '@promethean-os/pantheon-test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClaudeAdapter } from './claude-adapter';
import { claudeMessage, text, thinking, toolUse } from './claude-wire-fixtures.test-helper';

let server: RecordingServer;

beforeEach(async () => {
  server = await createRecordingServer();
});

afterEach(async () => {
  await server.close();
});

const failingTool: ToolSpec = {
  name: 'get-weather',
  description: 'Current weather for a city',
  parameters: {
    type: 'object',
    properties: { location: { type: 'string' } },
    required: ['location'],
  },
  execute: async () => {
    throw new Error('weather service unavailable');
  },
};

const tools: ToolPort = {
  register: () => {},
  list: () => [failingTool],
  invoke: async (_name, args) => failingTool.execute(args),
};

const actor: Actor = {
  id: 'weather-bot',
  goals: ['Answer weather questions'],
  script: { name: 'weather', talents: [], contextSources: [] },
};

describe('llmBehavior with ClaudeAdapter over HTTP', () => {
  it('feeds a failing tool back as an error result and answers with text', async () => {
    server.reply(
      {
        json: claudeMessage(
          [
            thinking(),
            toolUse('toolu_01A09q90qw90lq917835lq9', 'get-weather', { location: 'Paris' }),
          ],
          'tool_use',
        ),
      },
      { json: claudeMessage([text('The weather service is down; please try again later.')]) },
    );
    const llm = new ClaudeAdapter({ apiKey: 'sk-ant-test', baseURL: server.url });
    const behavior = llmBehavior({
      name: 'weather',
      system: 'You answer weather questions.',
      tools: ['get-weather'],
      target: 'customer-7',
    });

    const plan = await behavior.plan({
      goal: 'Answer weather questions',
      context: [{ role: 'user', content: 'Weather in Paris?' }],
      actor,
      llm,
      tools,
      signal: new AbortController().signal,
    });

    expect(plan.actions).toEqual([
      {
        type: 'message',
        content: 'The weather service is down; please try again later.',
        target: 'customer-7',
      },
    ]);
    const second = server.requests[1]?.json;
    expect(second.system).toBe('You answer weather questions.');
    expect(second.tools[0].name).toBe('get-weather');
    expect(second.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          thinking(),
          toolUse('toolu_01A09q90qw90lq917835lq9', 'get-weather', { location: 'Paris' }),
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_01A09q90qw90lq917835lq9',
            content: 'Error (TOOL_FAILED): weather service unavailable',
            is_error: true,
          },
        ],
      },
    ]);
  });
});
