import {
  llmBehavior,
  PantheonSystem,
  type ReplyStreamEvent,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import {
  createMockActorState,
  createMockMessageBus,
  createMockScheduler,
  createRecordingServer,
  MockContextAdapter,
  MockToolAdapter,
  type RecordingServer,
} from '@promethean-os/pantheon-test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpenAiAdapter } from './openai-adapter';
import {
  chatCompletion,
  completionStreamOf,
  firstTextChunk,
  textStream,
} from './openai-wire-fixtures.test-helper';

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

async function weatherDesk() {
  const tools = new MockToolAdapter();
  tools.register(weatherTool);
  const pantheon = new PantheonSystem({
    contextAdapter: new MockContextAdapter(),
    toolAdapter: tools,
    llmAdapter: new OpenAiAdapter({ apiKey: 'sk-test', baseURL: `${server.url}/v1` }),
    messageBus: createMockMessageBus(),
    scheduler: createMockScheduler(),
    actorStateAdapter: createMockActorState(),
    log: () => {},
  });
  const script = {
    name: 'weather',
    talents: [
      { name: 'weather', behaviors: [llmBehavior({ name: 'answer', tools: ['get-weather'] })] },
    ],
    contextSources: [],
  };
  await pantheon.createActor({ id: 'weather', name: 'weather', script, goals: ['Weather'] });
  await pantheon.startActor('weather');
  return pantheon;
}

describe('PantheonSystem.stream with OpenAiAdapter over HTTP (server-sent events)', () => {
  it('passes the streamed deltas, the tool round trip and the answer on, in order', async () => {
    server.reply(
      {
        events: completionStreamOf({
          role: 'assistant',
          content: '',
          toolCalls: [
            { id: 'call_Wq3vJ8cT5mN2xL1', name: 'get-weather', args: { location: 'Paris' } },
          ],
        }),
      },
      { events: textStream('It is sunny', ' and 21 °C', ' in Paris.') },
    );
    const pantheon = await weatherDesk();
    const events: ReplyStreamEvent[] = [];
    for await (const event of pantheon.stream('weather', 'Weather in Paris?')) events.push(event);

    expect(server.requests.map((request) => request.json.stream)).toEqual([true, true]);
    expect(events).toEqual([
      {
        type: 'tool-call',
        actorId: 'weather',
        toolCall: { id: 'call_Wq3vJ8cT5mN2xL1', name: 'get-weather', args: { location: 'Paris' } },
      },
      {
        type: 'tool-result',
        actorId: 'weather',
        toolCallId: 'call_Wq3vJ8cT5mN2xL1',
        name: 'get-weather',
        content: '{"location":"Paris","sky":"sunny","celsius":21}',
        isError: false,
      },
      { type: 'text-delta', actorId: 'weather', delta: 'It is sunny' },
      { type: 'text-delta', actorId: 'weather', delta: ' and 21 °C' },
      { type: 'text-delta', actorId: 'weather', delta: ' in Paris.' },
      expect.objectContaining({
        type: 'message',
        actorId: 'weather',
        message: expect.objectContaining({
          content: 'It is sunny and 21 °C in Paris.',
          to: 'user',
        }),
      }),
    ]);
    // The model saw the tool's result on the second request.
    expect(server.requests[1]?.json.messages.at(-1)).toEqual({
      role: 'tool',
      tool_call_id: 'call_Wq3vJ8cT5mN2xL1',
      content: '{"location":"Paris","sky":"sunny","celsius":21}',
    });
  });

  it('aborts the HTTP stream when the reader stops; the actor takes the next request', async () => {
    // The response stays open after its first delta: only an abort ends the tick.
    server.reply(
      { events: firstTextChunk('Once upon a time'), holdOpen: true },
      // `ask` does not stream: the model is called without `stream`.
      { json: chatCompletion({ content: 'Short answer.' }) },
    );
    const pantheon = await weatherDesk();
    const seen: string[] = [];
    for await (const event of pantheon.stream('weather', 'Tell a long story')) {
      seen.push(event.type);
      break;
    }
    await pantheon.whenIdle();
    expect(seen).toEqual(['text-delta']);
    const answer = await pantheon.ask('weather', 'Short, please');
    expect(answer.content).toBe('Short answer.');
    expect(server.requests).toHaveLength(2);
  });
});
