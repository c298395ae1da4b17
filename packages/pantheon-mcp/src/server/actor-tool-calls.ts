import { randomUUID } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { PantheonError, type PantheonSystem, ToolError } from '@promethean-os/pantheon-core';
import { describeIssues } from '@promethean-os/pantheon-core/adapter-kit';
import { MCP_ERROR_META_KEY } from '../pantheon-error-meta';
import { type ActorTool, actorToolName, checkActorToolArguments } from './actor-tools';

/** What a served tool call needs from `serveMcp`'s options. */
export interface ActorCallSettings {
  system: PantheonSystem;
  /** The sender and requester of every message (where answers go). */
  from: string;
  askTimeoutMs: number;
}

function plainDetails(details: Record<string, unknown> | undefined): unknown {
  if (details === undefined) return undefined;
  try {
    return JSON.parse(JSON.stringify(details));
  } catch {
    return undefined;
  }
}

/**
 * A Pantheon error as an MCP tool error: the text starts with the code (so any client's model
 * sees it), and `_meta['pantheon/error']` holds `{ code, message, details }` for programs.
 */
export function toolErrorResult(error: unknown): CallToolResult {
  const failure = PantheonError.isInstance(error)
    ? error
    : new PantheonError(
        `Unexpected failure: ${error instanceof Error ? error.message : String(error)}`,
        'TOOL_FAILED',
        undefined,
        { cause: error },
      );
  const meta: Record<string, unknown> = { code: failure.code, message: failure.message };
  const details = plainDetails(failure.details);
  if (details !== undefined) meta.details = details;
  return {
    isError: true,
    content: [{ type: 'text', text: `${failure.code}: ${failure.message}` }],
    _meta: { [MCP_ERROR_META_KEY]: meta },
  };
}

/** Rejects with `ABORTED` when the MCP client cancels the call; the actor still gets the message. */
function unlessCancelled<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancelled = () =>
      reject(new PantheonError('The MCP client cancelled the call', 'ABORTED'));
    if (signal.aborted) return cancelled();
    signal.addEventListener('abort', cancelled, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', cancelled));
  });
}

/**
 * Runs a served tool: `ask_` sends the message and waits for the answer (`ASK_TIMEOUT` after
 * `askTimeoutMs`, `ASK_FAILED` when the chain died), `send_` enqueues it and returns at once.
 * Every failure comes back as a tool error carrying its code; nothing is thrown.
 */
export async function callActorTool(
  tool: ActorTool,
  args: Record<string, unknown> | undefined,
  settings: ActorCallSettings,
  signal: AbortSignal,
): Promise<CallToolResult> {
  const name = actorToolName(tool);
  const checked = checkActorToolArguments(args);
  if (!checked.ok) {
    return toolErrorResult(
      new ToolError(
        `Invalid arguments for tool "${name}": ${describeIssues(checked.issues)}`,
        name,
        { issues: checked.issues },
        { code: 'TOOL_INVALID_ARGS' },
      ),
    );
  }
  const { message } = checked.value;
  // Chosen here rather than by the runtime, so the caller always learns it.
  const conversationId = checked.value.conversationId ?? randomUUID();
  const { system, from } = settings;
  try {
    if (tool.kind === 'send') {
      const messageId = await system.sendMessage(tool.actor.id, message, { from, conversationId });
      return {
        content: [
          {
            type: 'text',
            text: `Sent to ${tool.actor.id} (message ${messageId}, conversation ${conversationId}).`,
          },
        ],
        structuredContent: { messageId, conversationId },
      };
    }
    const answer = await unlessCancelled(
      system.ask(tool.actor.id, message, {
        from,
        conversationId,
        timeoutMs: settings.askTimeoutMs,
      }),
      signal,
    );
    return {
      content: [{ type: 'text', text: answer.content }],
      structuredContent: {
        reply: answer.content,
        from: answer.from,
        conversationId: answer.conversationId ?? conversationId,
      },
    };
  } catch (error) {
    return toolErrorResult(error);
  }
}
