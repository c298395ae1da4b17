/**
 * Serves the echo desk over stdio; `serve-mcp-stdio.test.ts` starts it (with `--import tsx`) as
 * an MCP server process. Exits when its stdin closes.
 */
import { createEchoDesk } from './echo-desk.test-support';
import { serveMcp } from './server/serve-mcp';

const log = (message: string, meta?: Record<string, unknown>) =>
  process.stderr.write(`${JSON.stringify({ msg: message, ...meta })}\n`);
const { system } = await createEchoDesk({ log });
const service = await serveMcp(system, {
  actors: ['echo', { id: 'desk-7', toolName: 'desk', description: 'The front desk' }],
  transport: 'stdio',
  askTimeoutMs: 1_000,
  name: 'echo-desk',
  log,
});
await service.closed;
await system.shutdown();
process.stderr.write('echo desk closed\n');
