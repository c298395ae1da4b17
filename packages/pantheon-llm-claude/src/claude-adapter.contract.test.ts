import type { Message } from '@promethean-os/pantheon-core';
import type { RecordedHttpRequest } from '@promethean-os/pantheon-test';
import { describeLlmPortContract, llmPortOverHttp } from '@promethean-os/pantheon-test/contracts';
import { ClaudeAdapter } from './claude-adapter';
import { claudeEventsOf, claudeMessageOf } from './claude-wire-fixtures.test-helper';

// The real SDK over real HTTP: each scripted reply is served in the Messages API wire format, as
// JSON or, when the request asks for a stream, as server-sent events.
const { factory, cleanup } = llmPortOverHttp({
  respond: (reply, request) =>
    request.json?.stream === true
      ? { events: claudeEventsOf(reply) }
      : { json: claudeMessageOf(reply) },
  connect: (server) =>
    new ClaudeAdapter({ apiKey: 'sk-ant-contract-test', baseURL: server.url, timeout: 5_000 }),
});

describeLlmPortContract('ClaudeAdapter', factory, { cleanup });

/**
 * As a model answers a forced output tool: the scripted answer's JSON as that tool's input (a
 * real model calls it even with a wrong answer; the adapter must reject that, not the server).
 */
function answeredByTool(reply: Message, request: RecordedHttpRequest): Message {
  const forced = request.json?.tool_choice;
  if (forced?.type !== 'tool' || reply.toolCalls?.length) return reply;
  return {
    role: 'assistant',
    content: '',
    toolCalls: [
      { id: 'toolu_01D7FLrfh4GYq7yT1ULFeyMV', name: forced.name, args: JSON.parse(reply.content) },
    ],
  };
}

const overTool = llmPortOverHttp({
  respond: (reply, request) => {
    const answer = answeredByTool(reply, request);
    return request.json?.stream === true
      ? { events: claudeEventsOf(answer) }
      : { json: claudeMessageOf(answer) };
  },
  connect: (server) =>
    new ClaudeAdapter({
      apiKey: 'sk-ant-contract-test',
      baseURL: server.url,
      timeout: 5_000,
      model: 'claude-opus-4-1-20250805',
      structuredOutput: 'tool',
    }),
});

describeLlmPortContract("ClaudeAdapter (structuredOutput: 'tool')", overTool.factory, {
  cleanup: overTool.cleanup,
});
