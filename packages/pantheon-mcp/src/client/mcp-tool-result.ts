import type { CallToolResult, ContentBlock } from '@modelcontextprotocol/sdk/types.js';

/** What an MCP tool call returned, with a rendering a model can read. */
export interface McpToolResult {
  /**
   * The result as text for a model: text blocks as they are; images, audio and binary resources
   * described in a line (a `tool` message carries no media); resource links and embedded text
   * resources with their URI; `structuredContent` as JSON when the server sent no text.
   */
  text: string;
  /** The content blocks exactly as the server sent them (images and audio as base64 `data`). */
  content: ContentBlock[];
  /** The structured result, when the server sent one (checked against its `outputSchema` by the SDK). */
  structuredContent?: Record<string, unknown>;
}

function byteSize(base64: string): string {
  const bytes = Math.floor((base64.length * 3) / 4);
  return bytes < 1024 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** One content block as a line (or lines) of text. */
function renderBlock(block: ContentBlock): string {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'image':
      return `[image: ${block.mimeType}, ${byteSize(block.data)}, not shown]`;
    case 'audio':
      return `[audio: ${block.mimeType}, ${byteSize(block.data)}, not played]`;
    case 'resource_link':
      return `[resource link: ${block.name} <${block.uri}>${block.description ? ` — ${block.description}` : ''}]`;
    case 'resource': {
      const { resource } = block;
      if ('text' in resource) return `[resource <${resource.uri}>]\n${resource.text}`;
      return `[resource <${resource.uri}>: ${resource.mimeType ?? 'binary'}, ${byteSize(resource.blob)}, not shown]`;
    }
    default:
      return `[${(block as { type: string }).type} content]`;
  }
}

/** The SDK's result of `tools/call` as an `McpToolResult`. */
export function toMcpToolResult(result: CallToolResult): McpToolResult {
  const content = Array.isArray(result.content) ? result.content : [];
  const parts = content.map(renderBlock);
  // Servers that return structured content should also send it as text; when one did not,
  // the JSON is the only thing the model can read.
  if (result.structuredContent && !content.some((block) => block.type === 'text')) {
    parts.push(JSON.stringify(result.structuredContent));
  }
  const mapped: McpToolResult = { text: parts.join('\n'), content };
  if (result.structuredContent) mapped.structuredContent = result.structuredContent;
  return mapped;
}
