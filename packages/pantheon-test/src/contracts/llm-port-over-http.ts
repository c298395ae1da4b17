import type { LlmPort, Message } from '@promethean-os/pantheon-core';
import {
  createRecordingServer,
  type RecordedHttpRequest,
  type RecordingServer,
  type ScriptedHttpReply,
} from '../recording-server';
import type { LlmPortFactory } from './llm-port-contract';

/** Options of `llmPortOverHttp`. */
export interface LlmPortOverHttpOptions<P extends LlmPort> {
  /**
   * The provider's HTTP response for one scripted reply, in its wire format; `request` tells, for
   * instance, whether the call asked for a stream (then answer with `events`).
   */
  respond(reply: Message, request: RecordedHttpRequest): ScriptedHttpReply;
  /** Creates the adapter under test, pointed at `server.url` (with a dummy API key). */
  connect(server: RecordingServer): P;
}

/** The factory and cleanup to hand to `describeLlmPortContract`. */
export interface LlmPortOverHttp<P extends LlmPort> {
  factory: LlmPortFactory<P>;
  /** Closes the server the factory started for `port`. */
  cleanup(port: P): Promise<void>;
}

/**
 * Runs `describeLlmPortContract` on an HTTP adapter through its real client: for each port the
 * suite asks for, the factory starts a `createRecordingServer()` that answers the n-th request
 * with `respond(replies[n], request)`, and connects the adapter to it; `cleanup` closes that
 * server.
 *
 * @example
 * const { factory, cleanup } = llmPortOverHttp({
 *   respond: (reply, request) =>
 *     request.json?.stream ? { events: toWireEvents(reply) } : { json: toWireJson(reply) },
 *   connect: (server) => new MyLlmAdapter({ baseURL: server.url, apiKey: 'test-key' }),
 * });
 * describeLlmPortContract('MyLlmAdapter', factory, { cleanup });
 */
export function llmPortOverHttp<P extends LlmPort>(
  options: LlmPortOverHttpOptions<P>,
): LlmPortOverHttp<P> {
  const servers = new Map<P, RecordingServer>();
  return {
    async factory({ replies }) {
      const server = await createRecordingServer();
      server.reply(
        ...replies.map(
          (reply) => (request: RecordedHttpRequest) => options.respond(reply, request),
        ),
      );
      try {
        const port = options.connect(server);
        servers.set(port, server);
        return port;
      } catch (error) {
        await server.close();
        throw error;
      }
    },
    async cleanup(port) {
      const server = servers.get(port);
      servers.delete(port);
      await server?.close();
    },
  };
}
