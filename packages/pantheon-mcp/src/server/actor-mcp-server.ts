// The SDK's low-level `Server` (rather than `McpServer`): the tool set is computed from the
// actors on every `tools/list`, schemas are plain JSON Schema, and every error — malformed
// arguments included — must come back as a tool error carrying a Pantheon code, which
// `McpServer`'s own argument validation would answer in its words instead.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type Implementation,
  ListToolsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { ToolError } from '@promethean-os/pantheon-core';
import { type ActorCallSettings, callActorTool, toolErrorResult } from './actor-tool-calls';
import { actorToolName, actorTools, toMcpTool } from './actor-tools';
import type { ResolvedActor } from './served-actors';

/** What every session's server shares. */
export interface ActorServerSettings extends ActorCallSettings {
  serverInfo: Implementation;
  servedActors: () => Promise<ResolvedActor[]>;
}

const INSTRUCTIONS =
  'Each tool talks to one agent of a Pantheon actor system. ask_<agent> sends a message and returns the answer; send_<agent> delivers a message without waiting. Answers carry a conversationId: pass it back to continue the conversation. Errors start with a code such as ASK_TIMEOUT.';

/** One MCP server (one per client session) whose tools are the served actors. */
export function createActorServer(settings: ActorServerSettings): Server {
  const server = new Server(settings.serverInfo, {
    capabilities: { tools: { listChanged: true } },
    instructions: INSTRUCTIONS,
  });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: actorTools(await settings.servedActors()).map((tool) =>
      toMcpTool(tool, settings.askTimeoutMs),
    ),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name, arguments: args } = request.params;
    const tools = actorTools(await settings.servedActors());
    const tool = tools.find((candidate) => actorToolName(candidate) === name);
    if (!tool) {
      return toolErrorResult(
        new ToolError(
          `No tool "${name}" here`,
          name,
          { available: tools.map(actorToolName) },
          { code: 'TOOL_NOT_FOUND' },
        ),
      );
    }
    return callActorTool(tool, args, settings, extra.signal);
  });
  return server;
}
