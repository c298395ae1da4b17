import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ValidationIssue } from '@promethean-os/pantheon-core';
import type { ResolvedActor } from './served-actors';

/** What a served tool does with its actor. */
export type ActorToolKind = 'ask' | 'send';

/** A tool of the served set: which actor, and whether it waits for the answer. */
export interface ActorTool {
  kind: ActorToolKind;
  actor: ResolvedActor;
}

/** The arguments of `ask_<actor>` and `send_<actor>`, once checked. */
export interface ActorToolArguments {
  message: string;
  conversationId?: string;
}

const INPUT_SCHEMA = {
  type: 'object',
  properties: {
    message: { type: 'string', minLength: 1, description: 'What to say to the agent' },
    conversationId: {
      type: 'string',
      minLength: 1,
      description:
        'The conversationId of an earlier answer, to continue that conversation; omit it to start a new one',
    },
  },
  required: ['message'],
  additionalProperties: false,
} as const;

const ASK_OUTPUT_SCHEMA = {
  type: 'object',
  properties: {
    reply: { type: 'string', description: 'The answer' },
    from: {
      type: 'string',
      description: 'The agent that answered (it may have handed the conversation on)',
    },
    conversationId: { type: 'string', description: 'Pass it back to continue the conversation' },
  },
  required: ['reply', 'from', 'conversationId'],
} as const;

const SEND_OUTPUT_SCHEMA = {
  type: 'object',
  properties: {
    messageId: { type: 'string' },
    conversationId: { type: 'string', description: 'Pass it back to continue the conversation' },
  },
  required: ['messageId', 'conversationId'],
} as const;

/** The MCP name of a served tool. */
export function actorToolName(tool: ActorTool): string {
  return `${tool.kind}_${tool.actor.toolName}`;
}

/** The two tools of each served actor, in the order of the actors. */
export function actorTools(actors: readonly ResolvedActor[]): ActorTool[] {
  return actors.flatMap((actor) => [
    { kind: 'ask' as const, actor },
    { kind: 'send' as const, actor },
  ]);
}

/** How a served tool is listed to MCP clients. */
export function toMcpTool(tool: ActorTool, askTimeoutMs: number): Tool {
  const about = tool.actor.description ? ` ${tool.actor.description}` : '';
  const label = `the Pantheon agent "${tool.actor.id}"`;
  if (tool.kind === 'ask') {
    return {
      name: actorToolName(tool),
      title: `Ask ${tool.actor.id}`,
      description: `Ask ${label} and wait for its answer (up to ${Math.round(askTimeoutMs / 1000)} s).${about}`,
      inputSchema: INPUT_SCHEMA as unknown as Tool['inputSchema'],
      outputSchema: ASK_OUTPUT_SCHEMA as unknown as Tool['outputSchema'],
      annotations: { readOnlyHint: false, openWorldHint: true },
    };
  }
  return {
    name: actorToolName(tool),
    title: `Send to ${tool.actor.id}`,
    description: `Send a message to ${label} without waiting for an answer.${about}`,
    inputSchema: INPUT_SCHEMA as unknown as Tool['inputSchema'],
    outputSchema: SEND_OUTPUT_SCHEMA as unknown as Tool['outputSchema'],
    annotations: { readOnlyHint: false, openWorldHint: true },
  };
}

/** Checks the arguments of a served tool; returns them or every problem found. */
export function checkActorToolArguments(
  args: Record<string, unknown> | undefined,
): { ok: true; value: ActorToolArguments } | { ok: false; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const input = args ?? {};
  if (typeof input.message !== 'string' || input.message === '') {
    issues.push({
      path: 'message',
      message: input.message === undefined ? 'is required' : 'must be a non-empty string',
    });
  }
  if (
    input.conversationId !== undefined &&
    (typeof input.conversationId !== 'string' || input.conversationId === '')
  ) {
    issues.push({ path: 'conversationId', message: 'must be a non-empty string' });
  }
  for (const key of Object.keys(input)) {
    if (key !== 'message' && key !== 'conversationId') {
      issues.push({ path: key, message: 'is not allowed' });
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  const value: ActorToolArguments = { message: input.message as string };
  if (input.conversationId !== undefined) value.conversationId = input.conversationId as string;
  return { ok: true, value };
}
