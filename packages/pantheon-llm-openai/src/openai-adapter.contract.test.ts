import { describeLlmPortContract, llmPortOverHttp } from '@promethean-os/pantheon-test/contracts';
import { OpenAiAdapter } from './openai-adapter';
import { outputOf, responseBody, responseStream } from './openai-responses-fixtures.test-helper';
import { completionOf, completionStreamOf } from './openai-wire-fixtures.test-helper';

// The real SDK over real HTTP: each scripted reply is served in the Chat Completions wire format,
// as JSON or, when the request asks for a stream, as server-sent events.
const chat = llmPortOverHttp({
  respond: (reply, request) =>
    request.json?.stream === true
      ? { events: completionStreamOf(reply) }
      : { json: completionOf(reply) },
  connect: (server) =>
    new OpenAiAdapter({ apiKey: 'sk-contract-test', baseURL: `${server.url}/v1`, timeout: 5_000 }),
});

describeLlmPortContract('OpenAiAdapter (Chat Completions)', chat.factory, {
  cleanup: chat.cleanup,
});

// The same through the Responses API wire format.
const responses = llmPortOverHttp({
  respond: (reply, request) =>
    request.json?.stream === true
      ? { events: responseStream(outputOf(reply)) }
      : { json: responseBody(outputOf(reply)) },
  connect: (server) =>
    new OpenAiAdapter({
      apiKey: 'sk-contract-test',
      baseURL: `${server.url}/v1`,
      api: 'responses',
      timeout: 5_000,
    }),
});

describeLlmPortContract('OpenAiAdapter (Responses API)', responses.factory, {
  cleanup: responses.cleanup,
});
