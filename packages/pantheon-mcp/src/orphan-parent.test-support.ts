/**
 * A parent process for the orphan tests (`mcp-client-processes.test.ts` starts it with
 * `--import tsx`): connects to server-everything over stdio, registers its tools into an actor
 * system, prints `{"pid": <server pid>}` and then, by mode:
 *   exit      — shuts the actor system down and calls process.exit() without closing the connection
 *   hang      — waits to be killed
 */
import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import { PantheonSystem } from '@promethean-os/pantheon-core';
import { MockLlmAdapter } from '@promethean-os/pantheon-test';
import { connectMcp } from './client/mcp-connection';
import { everythingOverStdio } from './third-party-servers.test-support';

const mode = process.argv[2];
const tools = new InMemoryToolAdapter();
const everything = await connectMcp(everythingOverStdio(), { log: () => {} });
await everything.registerTools(tools, { include: ['echo'] });
const system = new PantheonSystem({
  contextAdapter: new InMemoryContextAdapter(),
  toolAdapter: tools,
  llmAdapter: new MockLlmAdapter(),
  messageBus: new InMemoryMessageBus(),
  scheduler: new NodeScheduler(),
  actorStateAdapter: new InMemoryActorStateAdapter(),
  log: () => {},
});
process.stdout.write(`${JSON.stringify({ pid: everything.pid })}\n`);
if (mode === 'exit') {
  await system.shutdown();
  process.exit(0);
}
await new Promise(() => {});
