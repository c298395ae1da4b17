export {
  connectMcp,
  type McpCallOptions,
  McpConnection,
  type McpConnectOptions,
} from './client/mcp-connection';
export type {
  McpHttpServer,
  McpServerAddress,
  McpStdioServer,
} from './client/mcp-server-address';
export {
  type McpToolChange,
  type McpToolFilter,
  McpToolRegistration,
  type McpToolRegistrationOptions,
  type McpToolSelector,
} from './client/mcp-tool-registration';
export type { McpToolResult } from './client/mcp-tool-result';
export { isMcpToolSpec, type McpToolOrigin, type McpToolSpec } from './client/mcp-tool-spec';
export { MCP_ERROR_META_KEY } from './pantheon-error-meta';
export type { McpHttpServeOptions } from './server/http-host';
export {
  type McpServeTransport,
  type McpService,
  type McpStdioServeOptions,
  type ServeMcpOptions,
  serveMcp,
} from './server/serve-mcp';
export type { McpServedActor } from './server/served-actors';
