import type { GetPromptResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import {
  ContextError,
  type ContextSource,
  type Message,
  PantheonError,
} from '@promethean-os/pantheon-core';

/**
 * A failed resource or prompt request as a `ContextError`: the server's refusal is
 * `CONTEXT_SOURCE_FAILED`, a timeout `CONTEXT_SOURCE_TIMEOUT`; connection codes (`MCP_*`) and
 * an abort (`ABORTED`) keep their code.
 */
export function contextRequestError(server: string, what: string, error: unknown): PantheonError {
  if (!PantheonError.isInstance(error)) {
    return new ContextError(
      `MCP server "${server}": ${what} failed`,
      { server },
      { code: 'CONTEXT_SOURCE_FAILED', cause: error },
    );
  }
  if (error.code === 'ABORTED') return error;
  const code =
    error.code === 'TOOL_TIMEOUT'
      ? 'CONTEXT_SOURCE_TIMEOUT'
      : error.code === 'TOOL_FAILED'
        ? 'CONTEXT_SOURCE_FAILED'
        : error.code;
  const message = error.message.replace(/^Tool "[^"]*" of /, `${what} on `);
  return new ContextError(
    message,
    { ...error.details, server },
    { code, cause: error.cause ?? error },
  );
}

/** A resource's text contents as one `text` context source; a binary-only resource is refused. */
export function resourceToContextSource(
  server: string,
  uri: string,
  result: ReadResourceResult,
): ContextSource {
  const texts = result.contents.flatMap((entry) => ('text' in entry ? [entry] : []));
  if (texts.length === 0) {
    throw new ContextError(
      `Resource <${uri}> of MCP server "${server}" has no text contents (${result.contents.map((entry) => entry.mimeType ?? 'binary').join(', ') || 'empty'})`,
      { server, uri, sourceType: 'mcp-resource' },
      { code: 'CONTEXT_SOURCE_UNSUPPORTED' },
    );
  }
  const metadata: Record<string, unknown> = { source: 'mcp', server, uri };
  const mimeType = texts[0]?.mimeType;
  if (mimeType) metadata.mimeType = mimeType;
  return {
    type: 'text',
    content: texts.map((entry) => entry.text).join('\n\n'),
    metadata,
  };
}

/** A prompt's messages as Pantheon messages; non-text content is described in a line. */
export function promptToMessages(server: string, name: string, result: GetPromptResult): Message[] {
  return result.messages.map((message) => {
    const { content } = message;
    let text: string;
    if (content.type === 'text') text = content.text;
    else if (content.type === 'resource' && 'text' in content.resource) {
      text = `[resource <${content.resource.uri}>]\n${content.resource.text}`;
    } else if (content.type === 'resource_link') {
      text = `[resource link: ${content.name} <${content.uri}>]`;
    } else {
      text = `[${content.type} content of prompt "${name}" from MCP server "${server}", not shown]`;
    }
    return { role: message.role, content: text };
  });
}
