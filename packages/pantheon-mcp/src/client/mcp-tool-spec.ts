import type { Tool, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { JsonSchema, ToolExecutionContext, ToolSpec } from '@promethean-os/pantheon-core';

/** Where an `McpToolSpec` comes from, for approvals and logs. */
export interface McpToolOrigin {
  /** The connection's name. */
  server: string;
  /** The tool's name on the server (without the prefix). */
  tool: string;
  /** The server's hints: `readOnlyHint`, `destructiveHint`, `idempotentHint`, `openWorldHint`. Hints, not guarantees. */
  annotations?: ToolAnnotations;
}

/** A `ToolSpec` that calls a tool of an MCP server; `execute` resolves with the result as text. */
export interface McpToolSpec extends ToolSpec<Record<string, unknown>> {
  parameters: JsonSchema;
  execute(args: Record<string, unknown>, context?: ToolExecutionContext): Promise<string>;
  readonly mcp: McpToolOrigin;
}

/** True for tools that come from an MCP server (e.g. in a `SecureToolAdapter` `approve` callback). */
export function isMcpToolSpec(tool: unknown): tool is McpToolSpec {
  const origin = (tool as { mcp?: Partial<McpToolOrigin> } | null | undefined)?.mcp;
  return typeof origin?.server === 'string' && typeof origin.tool === 'string';
}

/**
 * The server's input schema as the tool's `parameters`, without `$schema`: the dialect marker
 * means nothing to model providers, and a validator of another draft would refuse the schema.
 */
export function toolParameters(tool: Tool): JsonSchema {
  const { $schema: _dialect, ...schema } = tool.inputSchema as JsonSchema;
  return { ...schema, type: 'object' };
}

/** The description a model is shown: the server's, else its title, else where the tool comes from. */
export function toolDescription(tool: Tool, server: string): string {
  return tool.description ?? tool.title ?? `Tool "${tool.name}" of MCP server "${server}"`;
}

/** Builds the `ToolSpec` of one MCP tool; `call` runs it on the server. */
export function createMcpToolSpec(
  tool: Tool,
  options: {
    server: string;
    name: string;
    timeoutMs: number;
    call: (
      args: Record<string, unknown>,
      context: ToolExecutionContext | undefined,
    ) => Promise<string>;
  },
): McpToolSpec {
  const origin: McpToolOrigin = { server: options.server, tool: tool.name };
  if (tool.annotations) origin.annotations = tool.annotations;
  return {
    name: options.name,
    description: toolDescription(tool, options.server),
    parameters: toolParameters(tool),
    timeout: options.timeoutMs,
    mcp: origin,
    execute: (args, context) => options.call(args, context),
  };
}
