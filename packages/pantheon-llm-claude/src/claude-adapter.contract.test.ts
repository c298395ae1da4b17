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
