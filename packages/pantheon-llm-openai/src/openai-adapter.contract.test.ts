import {
  createRecordingServer,
  type RecordedHttpRequest,
  type RecordingServer,
} from '@promethean-os/pantheon-test';
import { describeLlmPortContract } from '@promethean-os/pantheon-test/contracts';
import { OpenAiAdapter } from './openai-adapter';
import { completionOf, completionStreamOf } from './openai-wire-fixtures.test-helper';

const servers = new Map<OpenAiAdapter, RecordingServer>();

// The real SDK over real HTTP: each scripted reply is served in the Chat Completions wire format,
// as JSON or, when the request asks for a stream, as server-sent events.
describeLlmPortContract(
  'OpenAiAdapter',
  async ({ replies }) => {
    const server = await createRecordingServer();
    server.reply(
      ...replies.map(
        (reply) => (request: RecordedHttpRequest) =>
          request.json?.stream === true
            ? { events: completionStreamOf(reply) }
            : { json: completionOf(reply) },
      ),
    );
    const llm = new OpenAiAdapter({
      apiKey: 'sk-contract-test',
      baseURL: `${server.url}/v1`,
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
