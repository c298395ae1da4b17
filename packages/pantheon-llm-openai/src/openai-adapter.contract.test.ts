import { describeLlmPortContract, llmPortOverHttp } from '@promethean-os/pantheon-test/contracts';
import { OpenAiAdapter } from './openai-adapter';
import { completionOf, completionStreamOf } from './openai-wire-fixtures.test-helper';

// The real SDK over real HTTP: each scripted reply is served in the Chat Completions wire format,
// as JSON or, when the request asks for a stream, as server-sent events.
const { factory, cleanup } = llmPortOverHttp({
  respond: (reply, request) =>
    request.json?.stream === true
      ? { events: completionStreamOf(reply) }
      : { json: completionOf(reply) },
  connect: (server) =>
    new OpenAiAdapter({ apiKey: 'sk-contract-test', baseURL: `${server.url}/v1`, timeout: 5_000 }),
});

describeLlmPortContract('OpenAiAdapter', factory, { cleanup });
