import {
  createRecordingServer,
  type RecordedHttpRequest,
  type RecordingServer,
} from '@promethean-os/pantheon-test';
import { describeLlmPortContract } from '@promethean-os/pantheon-test/contracts';
import { ClaudeAdapter } from './claude-adapter';
import { claudeEventsOf, claudeMessageOf } from './claude-wire-fixtures.test-helper';

const servers = new Map<ClaudeAdapter, RecordingServer>();

// The real SDK over real HTTP: each scripted reply is served in the Messages API wire format, as
// JSON or, when the request asks for a stream, as server-sent events.
describeLlmPortContract(
  'ClaudeAdapter',
  async ({ replies }) => {
    const server = await createRecordingServer();
    server.reply(
      ...replies.map(
        (reply) => (request: RecordedHttpRequest) =>
          request.json?.stream === true
            ? { events: claudeEventsOf(reply) }
            : { json: claudeMessageOf(reply) },
      ),
    );
    const llm = new ClaudeAdapter({
      apiKey: 'sk-ant-contract-test',
      baseURL: server.url,
      timeout: 5_000,
    });
    servers.set(llm, server);
    return llm;
  },
  {
    cleanup: async (llm) => {
      await servers.get(llm)?.close();
      servers.delete(llm);
    },
  },
);
