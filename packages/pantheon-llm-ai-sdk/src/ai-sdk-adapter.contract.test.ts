import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { describeLlmPortContract, llmPortOverHttp } from '@promethean-os/pantheon-test/contracts';
import { MockLanguageModelV4 } from 'ai/test';
import { AiSdkLlmAdapter } from './ai-sdk-adapter';
import {
  completionOf,
  completionStreamOf,
  contentOf,
  generateResult,
  streamPartsOf,
  streamResult,
} from './ai-sdk-fixtures.test-helper';

// The AI SDK's own mock of the spec: each scripted reply is what the model's doGenerate returns,
// or what its doStream streams.
describeLlmPortContract('AiSdkLlmAdapter on MockLanguageModelV4', ({ replies }) => {
  const model = new MockLanguageModelV4({
    doGenerate: replies.map((reply) => generateResult(contentOf(reply))),
    doStream: replies.map((reply) => streamResult(streamPartsOf(reply))),
  });
  return new AiSdkLlmAdapter(model);
});

// A real provider package over real HTTP: @ai-sdk/openai-compatible reads each scripted reply
// from a local server in the Chat Completions wire format, as JSON or server-sent events.
const { factory, cleanup } = llmPortOverHttp({
  respond: (reply, request) =>
    request.json?.stream === true
      ? { events: completionStreamOf(reply) }
      : { json: completionOf(reply) },
  connect: (server) => {
    const local = createOpenAICompatible({
      name: 'local',
      baseURL: `${server.url}/v1`,
      apiKey: 'contract-test',
      includeUsage: true,
    });
    return new AiSdkLlmAdapter(local('llama3.2:3b'), { maxRetries: 0 });
  },
});

describeLlmPortContract('AiSdkLlmAdapter on @ai-sdk/openai-compatible over HTTP', factory, {
  cleanup,
});
