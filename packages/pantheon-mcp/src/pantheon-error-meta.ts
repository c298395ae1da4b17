/**
 * The `_meta` key under which a tool error of `serveMcp` carries its Pantheon error
 * (`{ code, message, details? }`); `McpConnection` puts it in `details.remote` of its `TOOL_FAILED`.
 */
export const MCP_ERROR_META_KEY = 'pantheon/error';
