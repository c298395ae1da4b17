import {
  type Actor,
  type Behavior,
  llmBehavior,
  type ToolPort,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import { createRecordingServer, type RecordingServer } from '@promethean-os/pantheon-test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClaudeAdapter } from './claude-adapter';
import {
  claudeMessage,
  text,
  thinking,
  thinkingSignature,
  toolUse,
} from './claude-wire-fixtures.test-helper';

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

/** The behavior's plan for one user message, with the failing weather tool registered. */
function planOf(behavior: Behavior, llm: ClaudeAdapter, content: string) {
  return behavior.plan({
    goal: actor.goals.join('; '),
    context: [{ role: 'user', content }],
    actor,
    llm,
    tools,
    signal: new AbortController().signal,
  });
}

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

    const plan = await planOf(behavior, llm, 'Weather in Paris?');

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

  it('on an older model, uses tools and then answers through the forced output tool', async () => {
    const answer = { city: 'Paris', available: false };
    server.reply(
      {
        json: claudeMessage(
          [toolUse('toolu_01', 'get-weather', { location: 'Paris' })],
          'tool_use',
        ),
      },
      { json: claudeMessage([toolUse('toolu_02', 'weather_answer', answer)], 'tool_use') },
    );
    const llm = new ClaudeAdapter({
      apiKey: 'sk-ant-test',
      baseURL: server.url,
      model: 'claude-sonnet-4-20250514',
    });
    const behavior = llmBehavior({
      name: 'weather',
      tools: ['get-weather'],
      output: {
        name: 'weather_answer',
        schema: {
          type: 'object',
          properties: { city: { type: 'string' }, available: { type: 'boolean' } },
          required: ['city', 'available'],
        },
      },
    });

    const plan = await planOf(behavior, llm, 'Weather in Paris?');

    expect(plan.actions).toEqual([{ type: 'message', content: JSON.stringify(answer) }]);
    for (const request of server.requests) {
      expect(request.json.tools.map((tool: { name: string }) => tool.name)).toEqual([
        'get-weather',
        'weather_answer',
      ]);
      expect(request.json.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
      expect(request.json.output_config).toBeUndefined();
    }
    expect(server.requests[1]?.json.messages.at(-1).content[0]).toMatchObject({
      type: 'tool_result',
      tool_use_id: 'toolu_01',
      is_error: true,
    });
  });

  it("sends Claude's thinking to the recipient only with shareReasoning", async () => {
    const reply = claudeMessage([
      {
        type: 'thinking',
        thinking: 'Booking ABC123 was cancelled by the airline, so a refund is due.',
        signature: thinkingSignature,
      },
      text('Your refund is on its way.'),
    ]);
    server.reply({ json: reply }, { json: reply });
    const llm = new ClaudeAdapter({ apiKey: 'sk-ant-test', baseURL: server.url });
    const plans = [];
    for (const shareReasoning of [false, true]) {
      const behavior = llmBehavior({ name: 'refunds', target: 'auditor', shareReasoning });
      plans.push(await planOf(behavior, llm, 'Refund ABC123?'));
    }
    expect(plans.map((plan) => plan.actions)).toEqual([
      [{ type: 'message', content: 'Your refund is on its way.', target: 'auditor' }],
      [
        {
          type: 'message',
          content: 'Your refund is on its way.',
          target: 'auditor',
          metadata: {
            reasoning: 'Booking ABC123 was cancelled by the airline, so a refund is due.',
          },
        },
      ],
    ]);
  });
});
